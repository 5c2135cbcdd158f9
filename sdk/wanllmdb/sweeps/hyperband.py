"""Hyperband early termination, as wandb's sweeps package decides it, plus multi-bracket Hyperband.

An iteration is one logged value of the metric (NaN and infinities are not counted). Bands come from
``min_iter`` (``min_iter * eta^k``) or from ``max_iter`` and ``s`` (``int(max_iter / eta^k)``, k = 1..s,
those >= 1). At each band, the threshold is the value at that band of the run ranked
``int(len / eta)`` (best first) among all runs that reached it, whatever their state. A running run
is judged at the highest band it has reached: with ``strict: true`` (the default) by its value at
that band, else by its best value so far; it stops when that is worse than the threshold.

``brackets: B`` (wanLLMDB) runs B such ladders at once. Bracket b skips the b lowest bands, so bracket
0 stops hardest and bracket B-1 (when B = bands + 1) never stops. A run's bracket is fixed by a hash of
its id, with Hyperband's weights (bracket b gets a share proportional to eta^(B-1-b) / (B-b)), and its
thresholds come from the runs of its own bracket. ``brackets: 1`` is exactly wandb's ladder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from wanllmdb.sweeps.config import bands
from wanllmdb.sweeps.metric import _finite

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import EarlyTerminate, SweepConfig
    from wanllmdb.sweeps.engine import SweepRun

__all__ = ["bracket_of", "hyperband_stop_runs", "thresholds"]


def bracket_of(run_id: str, et: EarlyTerminate) -> int:
    if et.brackets <= 1:
        return 0
    count = et.brackets
    weights = [et.eta ** (count - 1 - b) / (count - b) for b in range(count)]
    u = int.from_bytes(hashlib.sha256(run_id.encode()).digest()[:8], "big") / 2**64 * sum(weights)
    for b, w in enumerate(weights):
        if u < w:
            return b
        u -= w
    return count - 1


def _histories(config: SweepConfig, runs: Sequence[SweepRun]) -> list[list[float]]:
    assert config.metric is not None
    sign = config.metric.sign
    return [[sign * v for v in _finite(run.history)] for run in runs]


def thresholds(band_list: Sequence[int], histories: Sequence[Sequence[float]], eta: float) -> list[float]:
    """Per band, the value (lower is better) a run must not exceed to pass it."""
    out = []
    for band in band_list:
        at_band = sorted(h[band - 1] for h in histories if len(h) >= band)
        out.append(at_band[int((1.0 / eta) * len(at_band))] if at_band else float("inf"))
    return out


def hyperband_stop_runs(config: SweepConfig, runs: Sequence[SweepRun]) -> list[str]:
    et = config.early_terminate
    assert et is not None and config.metric is not None
    all_bands = bands(et)
    histories = _histories(config, runs)
    groups: dict[int, list[int]] = {}
    for i, run in enumerate(runs):
        groups.setdefault(bracket_of(run.id, et), []).append(i)
    stop: list[str] = []
    for bracket, members in sorted(groups.items()):
        band_list = all_bands[bracket:]
        if not band_list:
            continue
        limits = thresholds(band_list, [histories[i] for i in members], et.eta)
        for i in members:
            run, history = runs[i], histories[i]
            if run.state != "running":
                continue
            reached = [(b, t) for b, t in zip(band_list, limits, strict=True) if b <= len(history)]
            if not reached:
                continue
            band, limit = reached[-1]
            value = history[band - 1] if et.strict else min(history)
            if value > limit:
                stop.append(run.id)
    return [r.id for r in runs if r.id in set(stop)]
