"""What a sweep has learnt, from its trials: parameter importance, correlation and the best parameters.

Pure: `analyse(sweep_id, config, trials)` takes the sweep's stored config and its trial items and
does no I/O (analysis_routes.py reads them).

- **Values.** Each trial is valued as the search values it, by wandb's rules: a finished trial by the
  best of its logged values and its summary value; a failed, crashed or stopped one by
  `metric.impute` (`worst`, the default: the worst value of any ended trial; `best`: its own best;
  `latest`: its last logged value), and left out when there is nothing to impute from. Pending and
  running trials are left out: importance is about what the sweep has seen end.
- **Importance** is PED-ANOVA (importance.py) with gamma' = the top 10 % of the valued trials, or
  the top 5 when 10 % is fewer (at most half), against all of them, less what the parameter scores by
  chance (the mean over 16 random top sets of the same size; `chance_importance`). The raw and the
  chance values are in the answer too; the shares of what is left sum to 1.
- **Correlation** is Spearman's rank correlation of the parameter with the metric (not sign-flipped:
  +1 means larger values, larger metric). Categoricals of numbers or booleans are correlated as
  numbers; every categorical also gets one row per category: the correlation of "took it" (0/1).
- **Best parameters** are the best valued trial's (imputed values never win), with, per parameter,
  where the top trials (the same gamma' as importance) lie: min, max and median of a number
  (geometric median on a log scale), the share of each category.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .analysis_models import (
    AnalysisMethod,
    BestParams,
    CategoryStat,
    ParamAnalysis,
    ParamRange,
    SweepAnalysis,
    TrialCounts,
)
from .importance import Space, chance_importance, ped_anova, top_quantile
from .param_space import (
    ParamDef,
    category_key,
    category_label,
    numeric_value,
    param_defs,
    read_value,
    space_of,
)

__all__ = ["Point", "analyse", "spearman", "target_quantile", "trial_points"]

_ENDED_BADLY = frozenset({"failed", "crashed", "stopped", "killed"})
_ENDED = _ENDED_BADLY | {"finished"}
MIN_TOP_TRIALS = 5
CHANCE_DRAWS = 16
RECOMMENDATION = (
    "The best trial's parameters; per parameter, the range (numbers) or the shares (categories) over "
    "the top trials, the same top quantile importance uses. A narrow range on an important parameter "
    "pins it down; a range as wide as the search space means the metric does not depend on it there, "
    "or the sweep has not narrowed it yet."
)


@dataclass(frozen=True)
class Point:
    run_id: str
    params: Mapping[str, Any]  # nested, as the run's config
    value: float
    imputed: bool


def _finite(values: Sequence[Any]) -> list[float]:
    return [
        float(v)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    ]


def _own_values(trial: Mapping[str, Any]) -> list[float]:
    return _finite([*(trial.get("history") or ()), trial.get("summary_value")])


def trial_points(
    config: Mapping[str, Any], trials: Sequence[Mapping[str, Any]]
) -> tuple[list[Point], TrialCounts]:
    """The valued trials, in the order given, and how many were used, imputed and left out."""
    metric = config.get("metric") or {}
    minimize = metric.get("goal") != "maximize"
    best_of = min if minimize else max
    worst_of = max if minimize else min
    ended = [vals for t in trials if t.get("state") in _ENDED and (vals := _own_values(t))]
    worst = worst_of(worst_of(v) for v in ended) if ended else None
    impute = metric.get("impute", "worst")
    points: list[Point] = []
    imputed = 0
    for trial in trials:
        state, own = trial.get("state"), _own_values(trial)
        value: float | None = None
        if state == "finished" and own:
            value = best_of(own)
        elif state in _ENDED:  # failed, crashed, stopped, or finished without a value
            if impute == "best":
                value = best_of(own) if own else None
            elif impute == "latest":
                history = _finite(list(trial.get("history") or ()))
                value = history[-1] if history else None
            else:
                value = worst
        if value is None or not metric.get("name"):
            continue
        bad = not (state == "finished" and own)
        imputed += bad
        points.append(Point(trial["run_id"], trial.get("params") or {}, value, bad))
    counts = TrialCounts(
        total=len(trials), used=len(points), imputed=imputed, excluded=len(trials) - len(points)
    )
    return points, counts


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the average of their ranks."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's rho (Pearson's r of the ranks), or None with under 3 pairs or a constant side."""
    if len(xs) < 3:
        return None
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def target_quantile(n: int) -> float:
    """gamma': the top 10 %, or the top MIN_TOP_TRIALS where 10 % is fewer, at most half of the trials."""
    if n <= 0:
        return 0.1
    return min(0.5, max(0.1, MIN_TOP_TRIALS / n))


@dataclass
class _Column:
    """One parameter across the valued trials: its usable values by trial index."""

    param: ParamDef
    values: dict[int, Any]  # trial index -> number, or the raw categorical value
    space: Space

    def keys(self) -> dict[int, Any]:
        if self.param.categorical:
            return {i: category_key(v) for i, v in self.values.items()}
        return self.values


def _column(param: ParamDef, points: Sequence[Point]) -> _Column:
    values: dict[int, Any] = {}
    for i, point in enumerate(points):
        found, raw = read_value(param, point.params)
        if not found:
            continue
        if param.categorical:
            values[i] = raw
        elif (number := numeric_value(param, raw)) is not None:
            values[i] = number
    return _Column(param, values, space_of(param, values.values()))


def _ordered_numbers(column: _Column) -> dict[int, float] | None:
    """A categorical's values as numbers when they are all numbers, or all booleans; else None."""
    raw = column.values.values()
    if raw and all(isinstance(v, bool) for v in raw):
        return {i: float(v) for i, v in column.values.items()}
    if raw and all(numeric_value(column.param, v) is not None for v in raw):
        return {i: float(v) for i, v in column.values.items()}
    return None


def _categories(column: _Column, points: Sequence[Point], top: set[int]) -> list[CategoryStat]:
    keys = column.keys()
    by_key: dict[Any, Any] = {}
    for value in (*column.param.values, *column.values.values()):
        by_key.setdefault(category_key(value), value)
    indices = sorted(keys)
    metric = [points[i].value for i in indices]
    in_top = [i for i in indices if i in top]
    out = []
    for key, value in by_key.items():
        took = [float(keys[i] == key) for i in indices]
        out.append(
            CategoryStat(
                value=value,
                label=category_label(value),
                count=int(sum(took)),
                top_share=sum(keys[i] == key for i in in_top) / len(in_top) if in_top else 0.0,
                correlation=spearman(took, metric),
            )
        )
    return out


def _param_analysis(
    column: _Column, points: Sequence[Point], top: set[int], raw: float, chance: float, total: float
) -> ParamAnalysis:
    numbers = _ordered_numbers(column) if column.param.categorical else column.values
    indices = sorted(numbers) if numbers is not None else []
    correlation = (
        spearman([numbers[i] for i in indices], [points[i].value for i in indices]) if numbers else None
    )
    return ParamAnalysis(
        name=column.param.name,
        distribution=column.param.distribution,
        kind=column.space.kind,
        log=column.space.log,
        importance=max(0.0, raw - chance) / total if total > 0 else 0.0,
        importance_raw=raw,
        importance_chance=chance,
        correlation=correlation,
        n=len(column.values),
        categories=_categories(column, points, top) if column.param.categorical else [],
    )


def _range(column: _Column, best: Point, top: Sequence[int], stats: ParamAnalysis) -> ParamRange:
    _, value = read_value(column.param, best.params)
    if column.param.categorical:
        shares = sorted(stats.categories, key=lambda c: -c.top_share)
        return ParamRange(name=column.param.name, value=value, shares=[c for c in shares if c.top_share > 0])
    numbers = [column.values[i] for i in top if i in column.values]
    if not numbers:
        return ParamRange(name=column.param.name, value=value)
    if column.space.log:
        median = math.exp(statistics.median(math.log(x) for x in numbers))
    else:
        median = statistics.median(numbers)
    return ParamRange(name=column.param.name, value=value, low=min(numbers), high=max(numbers), median=median)


def analyse(
    sweep_id: str,
    config: Mapping[str, Any],
    trials: Sequence[Mapping[str, Any]],
    *,
    run_names: Mapping[str, str] | None = None,
) -> SweepAnalysis:
    """The analysis of a sweep from its stored (validated) config and its trial items."""
    metric = config.get("metric") or None
    points, counts = trial_points(config, trials)
    gamma = target_quantile(len(points))
    method = AnalysisMethod(
        target_quantile=gamma, region_quantile=1.0, chance_draws=CHANCE_DRAWS, recommendation=RECOMMENDATION
    )
    columns = [_column(p, points) for p in param_defs(config.get("parameters") or {})]
    empty = SweepAnalysis(
        sweep_id=sweep_id, metric=metric, trials=counts, parameters=[], best=None, method=method
    )
    if not metric or not metric.get("name"):
        return empty.model_copy(update={"note": "The sweep has no metric: nothing to rank parameters by."})
    if len(points) < 2:
        return empty.model_copy(update={"note": "Importance needs at least two trials with a metric value."})
    sign = -1.0 if metric.get("goal") == "maximize" else 1.0
    losses = [sign * p.value for p in points]
    top = top_quantile(losses, gamma)
    spaces, rows = [c.space for c in columns], [_row(columns, i) for i in range(len(points))]
    raw = ped_anova(spaces, rows, losses, target_quantile=gamma)
    chance = chance_importance(spaces, rows, losses, target_quantile=gamma, draws=CHANCE_DRAWS)
    total = sum(max(0.0, raw[k] - chance[k]) for k in raw)
    params = [
        _param_analysis(c, points, set(top), raw[c.param.name], chance[c.param.name], total) for c in columns
    ]
    order = sorted(
        range(len(params)), key=lambda k: (-params[k].importance, -params[k].importance_raw, params[k].name)
    )
    params = [params[k] for k in order]
    columns = [columns[k] for k in order]
    observed = [i for i, p in enumerate(points) if not p.imputed]
    best: BestParams | None = None
    if observed:
        b = min(observed, key=lambda i: losses[i])
        ranked_top = sorted(top, key=lambda i: losses[i])
        best = BestParams(
            run_id=points[b].run_id,
            run_name=(run_names or {}).get(points[b].run_id),
            value=points[b].value,
            params=dict(points[b].params),
            top_trials=len(top),
            top_value=points[ranked_top[-1]].value,
            ranges=[_range(c, points[b], top, s) for c, s in zip(columns, params, strict=True)],
        )
    note = None
    if total == 0:
        note = "No parameter stands out from chance yet: the top trials look like a random pick."
    elif len(points) < 20:
        note = "Fewer than 20 trials: a first look; importance settles as trials finish."
    return SweepAnalysis(
        sweep_id=sweep_id,
        metric=metric,
        trials=counts,
        parameters=params,
        best=best,
        method=method,
        note=note,
    )


def _row(columns: Sequence[_Column], i: int) -> dict[str, Any]:
    """Trial i's value of each active parameter, as importance reads it (category keys for categories)."""
    row: dict[str, Any] = {}
    for column in columns:
        if i in column.values:
            value = column.values[i]
            row[column.param.name] = category_key(value) if column.param.categorical else value
    return row
