"""Parameter importance by PED-ANOVA (Watanabe, Bansal and Hutter, IJCAI 2023, arXiv:2304.10255).

The question it answers: how much must a parameter be set right to land in the top `target_quantile`
(10 %) of trials? For each parameter, two densities of its values are estimated on a grid of at most
50 points: over the top trials, and over all trials (the "region"). The importance is the Pearson
chi-squared divergence between them, times (top / region)^2, the parameter's share of the variance of
the indicator "this trial is in the top 10 %" (the paper's Theorem 1). A parameter that does not matter
has top trials spread like all trials, so the two densities agree and its importance is about 0. A
random forest's impurity importance, by contrast, credits a continuous noise parameter for the many
cut points it offers (tests/functions/sweeps/test_importance.py shows both).

Details follow Optuna's `PedAnovaImportanceEvaluator` with its defaults, and agree with it to 1e-9 on
the same trials (the test cross-checks): Scott's-rule Parzen estimators on the grid with a uniform
prior kernel of weight 1; numbers binned into `n_steps` points (in log space for log-scale
parameters; one point per integer or `q` step where there are fewer); categories one point each,
never ordered. A parameter missing from a trial's config is inactive there (a nested parameter that
only some trials have): each regime, active and inactive, contributes by its share of the top and the
region trials (conditional PED-ANOVA, Optuna's `_partition_by_regime`).

Standard library only, on purpose: the analysis is served by the query function, whose Lambda bundle
is 211.5 MiB of the 250 MiB limit (docs/deploy-aws.md), and numpy alone is 73 MiB. The work is small
(at most 51 kernels x 50 grid points per parameter), so plain Python answers 1,000 trials in
milliseconds.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Space", "chance_importance", "ped_anova", "top_quantile"]


@dataclass(frozen=True)
class Space:
    """What importance needs to know of one parameter.

    `numeric`: `low`/`high` in value space, `log` to bin in log space, `step` for integers (1) and
    `q`-quantised values. `categorical`: `choices` are hashable keys of the values (see
    `analysis.category_key`), in the order the config lists them.
    """

    name: str
    kind: Literal["numeric", "categorical"]
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    step: float | None = None
    choices: tuple[Hashable, ...] = ()

    @property
    def single(self) -> bool:
        """One possible value: nothing to explain."""
        if self.kind == "categorical":
            return len(self.choices) <= 1
        return self.low == self.high


# Optuna's "advanced setup" constants, kept so the two agree.
N_STEPS = 50
PRIOR_WEIGHT = 1.0
MIN_TRIALS_IN_REGIME = 2
# Added to both densities so the divergence never divides by zero (as Optuna does).
_EPS = 1e-12
# At least this kernel width, in grid points: 1.64 sigma (90 %) of a kernel fits in half a grid step.
_SIGMA_MIN = 0.5 / 1.64


def top_quantile(losses: Sequence[float], quantile: float) -> list[int]:
    """Indices of the trials whose loss (lower is better) is within the best `quantile`, ties kept."""
    if quantile >= 1.0:
        return list(range(len(losses)))
    cutoff_index = math.ceil(quantile * len(losses)) - 1
    cutoff = sorted(losses)[cutoff_index]
    return [i for i, loss in enumerate(losses) if loss <= cutoff]


def ped_anova(
    spaces: Sequence[Space],
    params: Sequence[Mapping[str, Any]],
    losses: Sequence[float],
    *,
    target_quantile: float = 0.1,
    region_quantile: float = 1.0,
) -> dict[str, float]:
    """The raw PED-ANOVA importance of each space, by name (not normalised; they need not sum to 1).

    `params[i]` maps a space's name to trial i's value (a category key for categoricals; absent when
    the parameter is inactive in that trial); `losses[i]` is finite, lower is better.
    """
    if not 0.0 < target_quantile < region_quantile <= 1.0:
        raise ValueError("need 0 < target_quantile < region_quantile <= 1")
    if len(losses) <= 1:
        return dict.fromkeys((s.name for s in spaces), 0.0)
    region = top_quantile(losses, region_quantile)
    return _Estimator(spaces, params, region).importances(set(top_quantile(losses, target_quantile)))


def chance_importance(
    spaces: Sequence[Space],
    params: Sequence[Mapping[str, Any]],
    losses: Sequence[float],
    *,
    target_quantile: float = 0.1,
    region_quantile: float = 1.0,
    draws: int = 16,
    seed: int = 0,
) -> dict[str, float]:
    """What each parameter scores by chance: the mean PED-ANOVA importance of `draws` random "top" sets
    of the same size as the real one, drawn from the region (seeded, so the answer is repeatable).

    With few top trials the Parzen estimate of a continuous parameter is bumpy, and its divergence from
    the region is well above 0 even when the parameter does not matter (with 6 top trials of 60 an
    irrelevant uniform parameter scores as much as a relevant binary one). Subtracting this floor
    leaves what the real top set shows beyond chance.
    """
    out = dict.fromkeys((s.name for s in spaces), 0.0)
    if len(losses) <= 1 or draws <= 0:
        return out
    region = top_quantile(losses, region_quantile)
    size = len(top_quantile(losses, target_quantile))
    estimator = _Estimator(spaces, params, region)
    rng = random.Random(seed)
    for _ in range(draws):
        for name, value in estimator.importances(set(rng.sample(region, size))).items():
            out[name] += value / draws
    return out


class _Estimator:
    """PED-ANOVA over one region: the region's densities are estimated once, each top set's per call."""

    def __init__(
        self, spaces: Sequence[Space], params: Sequence[Mapping[str, Any]], region: Sequence[int]
    ) -> None:
        self._spaces = spaces
        self._params = params
        self._region = region
        # The active regime only: an inactive one has no distribution, and contributes nothing.
        self._active = {s.name: [i for i in region if s.name in params[i]] for s in spaces}
        self._region_pdf: dict[str, list[float]] = {}

    def importances(self, target: set[int]) -> dict[str, float]:
        out = dict.fromkeys((s.name for s in self._spaces), 0.0)
        if not target:
            return out
        ratio = len(target) / len(self._region)
        for space in self._spaces:
            active = self._active[space.name]
            if space.single or len(active) < MIN_TRIALS_IN_REGIME:
                continue
            active_top = [i for i in active if i in target]
            if not active_top:
                continue
            alpha = len(active_top) / len(target)
            beta = len(active) / len(self._region)
            if space.name not in self._region_pdf:
                self._region_pdf[space.name] = _grid_density(
                    space, [self._params[i][space.name] for i in active]
                )
            top_pdf = _grid_density(space, [self._params[i][space.name] for i in active_top])
            divergence = _pearson_divergence(top_pdf, self._region_pdf[space.name])
            out[space.name] = alpha**2 / beta * divergence * ratio**2
        return out


def _pearson_divergence(top_pdf: Sequence[float], region_pdf: Sequence[float]) -> float:
    total = 0.0
    for p_top, p_region in zip(top_pdf, region_pdf, strict=True):
        p_top += _EPS
        p_region += _EPS
        total += p_region * (p_top / p_region - 1.0) ** 2
    return total


def _grid_density(space: Space, values: Sequence[Any]) -> list[float]:
    counts = (
        _categorical_counts(space, values) if space.kind == "categorical" else _numeric_counts(space, values)
    )
    observed = [i for i, c in enumerate(counts) if c]
    weights = [counts[i] for i in observed]
    if space.kind == "categorical":
        return _categorical_mixture(observed, weights, len(counts))
    return _numeric_mixture(observed, weights, len(counts))


def _categorical_counts(space: Space, values: Sequence[Any]) -> list[int]:
    index = {choice: i for i, choice in enumerate(space.choices)}
    counts = [0] * len(space.choices)
    for value in values:
        counts[index[value]] += 1
    return counts


def _grid_points(space: Space) -> int:
    if space.log and space.step == 1:
        return min(math.ceil(math.log(space.high - space.low + 1) / math.log(2)) + 1, N_STEPS)
    if space.step is not None and not space.log:
        return min(round((space.high - space.low) / space.step) + 1, N_STEPS)
    return N_STEPS


def _numeric_counts(space: Space, values: Sequence[Any]) -> list[int]:
    n = _grid_points(space)
    low, high = (math.log(space.low), math.log(space.high)) if space.log else (space.low, space.high)
    width = (high - low) / (n - 1)
    counts = [0] * n
    for value in values:
        x = math.log(value) if space.log else float(value)
        # Midpoint ties go to the lower grid point, as in Optuna.
        i = math.ceil((x - low) / width - 0.5)
        counts[min(max(i, 0), n - 1)] += 1
    return counts


def _mixture_weights(weights: Sequence[int]) -> list[float]:
    if not weights:
        return [1.0]
    w = [float(x) for x in weights] + [PRIOR_WEIGHT]
    total = sum(w)
    return [x / total for x in w]


def _categorical_mixture(observed: Sequence[int], weights: Sequence[int], size: int) -> list[float]:
    mix = _mixture_weights(weights)
    if not observed:
        return [1.0 / size] * size
    # One kernel per observed category: the prior's share spread evenly, plus 1 on its category;
    # the prior kernel itself is uniform.
    kernels = len(observed) + 1
    base = PRIOR_WEIGHT / kernels
    row_sum = base * size + 1.0
    pdf = [0.0] * size
    for w, c in zip(mix, observed, strict=False):
        for j in range(size):
            pdf[j] += w * (base + (1.0 if j == c else 0.0)) / row_sum
    prior_row = base * size
    if prior_row > 0:
        for j in range(size):
            pdf[j] += mix[-1] * base / prior_row
    return pdf


def _scott_sigma(observed: Sequence[int], weights: Sequence[int]) -> float:
    """Scott's rule on the weighted grid indices, with the IQR guard (Silverman's "min(sd, IQR/1.34)")."""
    total = sum(weights)
    mean = sum(o * w for o, w in zip(observed, weights, strict=True)) / total
    sd = math.sqrt(
        sum((o - mean) ** 2 * w for o, w in zip(observed, weights, strict=True)) / max(1, total - 1)
    )
    cumulative = []
    running = 0
    for w in weights:
        running += w
        cumulative.append(running)
    q1 = next(i for i, c in enumerate(cumulative) if c >= total // 4)
    q3 = next((i for i, c in enumerate(cumulative) if c > total * 3 // 4), len(cumulative))
    iqr = observed[min(len(observed) - 1, q3)] - observed[q1]
    return max(1.059 * min(iqr / 1.34, sd) * total**-0.2, _SIGMA_MIN)


def _numeric_mixture(observed: Sequence[int], weights: Sequence[int], size: int) -> list[float]:
    """A mixture of normals truncated to [-0.5, size - 0.5], each integrated over its grid cells."""
    mix = _mixture_weights(weights)
    high = size - 1
    kernels: list[tuple[float, float]] = []
    if observed:
        sigma = _scott_sigma(observed, weights)
        kernels = [(float(o), sigma) for o in observed]
    kernels.append((high / 2.0, high + 1.0))  # the prior: wide and centred
    pdf = [0.0] * size
    for w, (mu, sigma) in zip(mix, kernels, strict=True):
        # Cell j is (j - 0.5, j + 0.5): one tail probability per edge gives every cell's mass.
        edges = [(j - 0.5 - mu) / sigma for j in range(size + 1)]
        tails = [_tail(e) for e in edges]
        norm = _cell_mass(edges[0], edges[-1], tails[0], tails[-1])
        for j in range(size):
            pdf[j] += w * _cell_mass(edges[j], edges[j + 1], tails[j], tails[j + 1]) / norm
    return pdf


def _tail(z: float) -> float:
    """P(Z > |z|) for a standard normal Z: exact in the tails, where 1 - CDF would cancel."""
    return 0.5 * math.erfc(abs(z) / math.sqrt(2))


def _cell_mass(a: float, b: float, tail_a: float, tail_b: float) -> float:
    """P(a < Z < b), from the tails beyond |a| and |b|."""
    if a >= 0:  # both on the right
        return tail_a - tail_b
    if b <= 0:  # both on the left
        return tail_b - tail_a
    return 1.0 - tail_a - tail_b
