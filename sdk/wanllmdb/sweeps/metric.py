"""The value the search uses for a run, by wandb's rules.

- finished: the best of the logged values and the summary (min to minimize, max to maximize);
  with no value at all, imputed by ``metric.impute``.
- failed, crashed, killed: imputed by ``metric.impute``.
- running, preempted: ``None`` (pending) unless ``metric.impute_while_running`` names a strategy.
- pending: ``None``.

Imputation: ``best`` is the run's own best value, ``latest`` its last logged value, ``worst`` the worst
value of any finished, failed, crashed or killed run in ``runs``. Where wandb falls back to 0.0 (no
value to impute from), we return ``None`` and the run is left out: 0.0 can be the best loss there is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import SweepConfig
    from wanllmdb.sweeps.engine import SweepRun

__all__ = ["IN_PROGRESS", "TERMINAL", "metric_values", "run_metric", "run_metrics"]

TERMINAL = frozenset({"finished", "failed", "crashed", "killed"})
IN_PROGRESS = frozenset({"pending", "running", "preempted", "preempting"})
_FAILED = frozenset({"failed", "crashed", "killed"})


def _finite(values: Iterable[float | None]) -> list[float]:
    out = []
    for v in values:
        try:
            f = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(f):
            out.append(f)
    return out


def metric_values(run: SweepRun) -> list[float]:
    """The run's finite logged values, then its summary value."""
    return _finite([*run.history, run.summary])


def run_metric(config: SweepConfig, run: SweepRun, *, runs: Sequence[SweepRun] = ()) -> float | None:
    """The metric value the search uses for ``run`` (in the metric's own units, not sign-flipped).

    ``runs``: the sweep's runs, needed only for ``impute: worst`` of a failed run.
    """
    return _run_metric(config, run, lambda: _worst(config, (*runs, run)))


def run_metrics(config: SweepConfig, runs: Sequence[SweepRun]) -> list[float | None]:
    """``run_metric`` of every run, with the sweep's worst value computed once."""
    worst: list[float | None] = []

    def once() -> float | None:
        if not worst:
            worst.append(_worst(config, runs))
        return worst[0]

    return [_run_metric(config, run, once) for run in runs]


def _run_metric(config: SweepConfig, run: SweepRun, worst: Callable[[], float | None]) -> float | None:
    metric = config.metric
    if metric is None:
        return None
    state = run.state
    if state == "finished":
        values = metric_values(run)
        if values:
            return min(values) if metric.goal == "minimize" else max(values)
        return _impute(config, metric.impute, run, worst)
    if state in _FAILED:
        return _impute(config, metric.impute, run, worst)
    if state in ("running", "preempted", "preempting") and metric.impute_while_running != "false":
        return _impute(config, metric.impute_while_running, run, worst)
    return None


def _impute(
    config: SweepConfig, strategy: str, run: SweepRun, worst: Callable[[], float | None]
) -> float | None:
    assert config.metric is not None
    minimize = config.metric.goal == "minimize"
    if strategy == "best":
        values = metric_values(run)
        return (min(values) if minimize else max(values)) if values else None
    if strategy == "latest":
        history = _finite(run.history)
        return history[-1] if history else None
    return worst()


def _worst(config: SweepConfig, runs: Iterable[SweepRun]) -> float | None:
    """The worst value of any finished, failed, crashed or killed run."""
    assert config.metric is not None
    minimize = config.metric.goal == "minimize"
    worst: float | None = None
    for other in runs:
        if other.state not in TERMINAL:
            continue
        values = metric_values(other)
        if not values:
            continue
        w = max(values) if minimize else min(values)
        if worst is None or (w > worst if minimize else w < worst):
            worst = w
    return worst
