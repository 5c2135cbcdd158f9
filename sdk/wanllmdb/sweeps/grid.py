"""Grid search: every combination once, in wandb's order, then exhausted.

Parameters are taken in sorted path order, the first varying slowest, each parameter's values as
listed (``int_uniform`` ascending, a bounded ``q_*`` on its lattice including ``max``: wandb's
``np.arange`` drops ``max``, which we take for a bug). A combination counts as used as soon as any
run holds it, whatever that run's state, so a failed run is never retried and the grid ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from wanllmdb.sweeps.space import build, params_key, taken_keys

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import SweepConfig
    from wanllmdb.sweeps.engine import SweepRun

__all__ = ["grid_next_runs"]


def grid_next_runs(config: SweepConfig, runs: Sequence[SweepRun], n: int) -> list[dict[str, Any]] | None:
    params = config.searchable
    choices = [list(p.finite_values()) for p in params]
    sizes = [len(c) for c in choices]
    total = 1
    for s in sizes:
        total *= s
    taken = taken_keys(config, runs)
    out: list[dict[str, Any]] = []
    # Mixed-radix counting (the last parameter fastest) skips used points without building the product.
    for index in range(total):
        if len(out) >= n:
            break
        combo, rest = [], index
        for size, values in zip(reversed(sizes), reversed(choices), strict=True):
            rest, digit = divmod(rest, size)
            combo.append(values[digit])
        combo.reverse()
        flat = {p.path: v for p, v in zip(params, combo, strict=True)}
        suggestion = build(config, flat)
        key = params_key(params, suggestion)
        if key in taken:
            continue
        taken.add(key)
        out.append(suggestion)
    if not out and n > 0:
        return None
    return out
