"""Bayesian search: a GP (gp.py) on the runs so far, expected improvement (acquisition.py) for the next.

How one call goes:
1. Every run in the space is a point (encoding.py). Runs with a metric value (``run_metric``: best or
   imputed, per wandb) are observations; pending and running runs without one are pending points.
2. Until ``initial_points`` runs have a value, suggestions come from a scrambled Sobol design (the k-th
   run takes its k-th point), so early parallel agents spread out.
3. Observations are turned "lower is better", standardised, and Yeo-Johnson transformed (maximum
   likelihood lambda), so a few terrible runs do not flatten the model near the optimum.
4. The GP's hyperparameters are fitted on at most ``FIT_ROWS`` observations and the GP conditions on at
   most ``POSTERIOR_ROWS``. Above those sizes the rows are a deterministic subset: the best half of the
   budget by value, then evenly spaced ranks among the rest (every rank stratum is represented, no row
   twice, no randomness). Below them, every observation is used.
5. Pending points join the GP with a "lie" for their value: the GP's own mean there, but never better
   than the average observation (kriging believer bounded by constant-liar-mean). Variance there
   collapses, expected improvement there vanishes, and parallel suggestions spread. Each suggestion
   of a batch becomes pending before the next is made.
6. A finite space of at most ``ENUMERATE_UP_TO`` points is scored point by point (every unused one);
   otherwise log EI is maximised from many candidates with L-BFGS-B restarts. Suggestions never repeat
   a run's params; when every point of a finite space is used the search is exhausted (None).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import random
from collections.abc import Sequence
from itertools import product
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import optimize
from scipy.stats import qmc

from wanllmdb.sweeps.acquisition import maximize_log_ei
from wanllmdb.sweeps.config import finite_product
from wanllmdb.sweeps.encoding import Space
from wanllmdb.sweeps.gp import GP, fit_gp
from wanllmdb.sweeps.metric import IN_PROGRESS, run_metrics
from wanllmdb.sweeps.params import nest
from wanllmdb.sweeps.random_search import sample_params
from wanllmdb.sweeps.space import build, params_key, seed_material

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import SweepConfig
    from wanllmdb.sweeps.engine import SweepRun

__all__ = ["ENUMERATE_UP_TO", "FIT_ROWS", "POSTERIOR_ROWS", "bayes_next_runs", "initial_points"]

Array = Any
FIT_ROWS = 80
POSTERIOR_ROWS = 256
ENUMERATE_UP_TO = 4096
_SOBOL_CANDIDATES = 512
_LOCAL_CANDIDATES = 256


def initial_points(dims: int) -> int:
    """Runs drawn from the Sobol design before the GP takes over."""
    return min(max(dims + 1, 4), 10)


def _int_seed(seed: str, *parts: object) -> int:
    text = ":".join([seed, *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def subset_rows(y: Array, budget: int) -> Array:
    """The deterministic subset of rows above the size threshold: best half, then spread over ranks."""
    if len(y) <= budget:
        return np.arange(len(y))
    order = np.argsort(y, kind="stable")
    best = budget // 2
    rest = order[best:]
    picks = np.linspace(0, len(rest) - 1, budget - best).round().astype(int)
    return np.sort(np.concatenate([order[:best], rest[np.unique(picks)]]))


def _yeo_johnson(y: Array, lam: float) -> Array:
    """Yeo-Johnson of y (lambda 0 and 2 by their limits), as scipy.stats.yeojohnson computes it."""
    pos, a = y >= 0, np.abs(y)
    up = np.log1p(a) if abs(lam) < 1e-9 else (np.power(a + 1, lam) - 1) / lam
    two = 2.0 - lam
    down = -np.log1p(a) if abs(two) < 1e-9 else -(np.power(a + 1, two) - 1) / two
    return np.where(pos, up, down)


def _transform(y: Array) -> Array:
    """Standardise, then Yeo-Johnson with its maximum-likelihood lambda, then standardise again.

    The likelihood is maximised by scipy's bounded scalar search on a vectorised log-likelihood: the
    same lambda as scipy.stats.yeojohnson's, at a tenth of its time on a few hundred rows.
    """
    y = (y - y.mean()) / (y.std() or 1.0)
    if len(y) < 4 or np.ptp(y) == 0:
        return np.asarray(y, dtype=float)
    jacobian = float((np.sign(y) * np.log1p(np.abs(y))).sum())

    def neg_llf(lam: float) -> float:
        var = float(_yeo_johnson(y, lam).var())
        return 0.5 * len(y) * math.log(var) - (lam - 1.0) * jacobian if var > 0 else math.inf

    lam = optimize.minimize_scalar(neg_llf, bounds=(-4.0, 6.0), method="bounded", options={"xatol": 1e-4}).x
    out = _yeo_johnson(y, float(lam))
    return np.asarray((out - out.mean()) / (out.std() or 1.0), dtype=float)


_BLAS: Any = None


def _one_blas_thread() -> Any:
    """A context that keeps BLAS on one thread: on matrices of a few hundred rows its threads cost more
    than they give (measured: one suggestion at 1,000 runs takes half the wall time on 2 cores), and a
    controller shares its cores with other requests."""
    global _BLAS
    if _BLAS is None:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS = ThreadpoolController()
        except ImportError:
            _BLAS = False
    return _BLAS.limit(limits=1, user_api="blas") if _BLAS else contextlib.nullcontext()


def bayes_next_runs(config: SweepConfig, runs: Sequence[SweepRun], n: int) -> list[dict[str, Any]] | None:
    with _one_blas_thread():
        return _next_runs(config, runs, n)


def _next_runs(config: SweepConfig, runs: Sequence[SweepRun], n: int) -> list[dict[str, Any]] | None:
    space = Space(config.searchable)
    assert config.metric is not None
    sign = config.metric.sign
    seed = seed_material(config)
    taken: set[Any] = set()
    observed_z, observed_y, pending = [], [], []
    for run, value in zip(runs, run_metrics(config, runs), strict=True):
        z, key = space.encode_with_key(run.params)
        taken.add(key)
        if z is None:
            continue
        if value is not None and math.isfinite(value):
            observed_z.append(z)
            observed_y.append(sign * value)
        elif run.state in IN_PROGRESS:
            pending.append(z)
    remaining: Array | None = None
    total = finite_product(config.searchable)
    if total is not None and total <= ENUMERATE_UP_TO:
        remaining = _finite_points(space, taken)
        if len(remaining) == 0:
            return None

    out: list[dict[str, Any]] = []
    model: _Model | None = None
    for i in range(n):
        k = len(runs) + i
        if len(observed_y) < initial_points(len(space.params)):
            z = _initial(space, seed, k, taken, config, remaining)
        else:
            if model is None:
                model = _Model(space, np.array(observed_z), np.array(observed_y), pending)
            z = model.suggest(_candidates(space, seed, k, model, remaining), taken, config)
        if z is None:
            break
        suggestion = build(config, space.decode(z))
        taken.add(params_key(config.searchable, suggestion))
        out.append(suggestion)
        if i == n - 1:
            break
        if remaining is not None:
            remaining = remaining[[not np.array_equal(r, z) for r in remaining]]
        if model is not None:
            model.add_pending(space.snap(z))
        else:
            pending.append(space.snap(z))
    if not out and n > 0 and remaining is not None:
        return None
    return out


def _finite_points(space: Space, taken: set[Any]) -> Array:
    """Every unused point of a finite space, in a stable order."""
    axes = []
    for i, p in enumerate(space.params):
        coords = {space.coordinate(i, v) for v in p.finite_values()}
        axes.append(sorted(c for c in coords if c is not None))
    points = [
        z
        for z in (np.array(combo) for combo in product(*axes))
        if params_key(space.params, _nested(space, z)) not in taken
    ]
    return np.array(points).reshape(len(points), len(space.params))


def _nested(space: Space, z: Array) -> dict[str, Any]:
    return nest(space.decode(z))


def _initial(
    space: Space, seed: str, k: int, taken: set[Any], config: SweepConfig, remaining: Array | None
) -> Array | None:
    if remaining is not None:
        return remaining[random.Random(f"{seed}:{k}:init").randrange(len(remaining))]
    sobol = qmc.Sobol(d=len(space.params), scramble=True, seed=_int_seed(seed, "sobol"))
    design = sobol.random_base2(max(4, math.ceil(math.log2(k + 16))))
    for j in range(k, len(design)):
        z = space.snap(space.from_unit(design[j : j + 1])[0])
        if params_key(config.searchable, _nested(space, z)) not in taken:
            return z
    for attempt in range(32):
        params = sample_params(config, random.Random(f"{seed}:{k}:{attempt}"))
        z = space.encode(params)
        if z is not None and params_key(config.searchable, params) not in taken:
            return z
    return None


def _candidates(space: Space, seed: str, k: int, model: _Model, remaining: Array | None) -> Array:
    if remaining is not None:
        return remaining
    rng = np.random.default_rng(_int_seed(seed, "candidates", k))
    sobol = qmc.Sobol(d=len(space.params), scramble=True, seed=rng)
    points = [space.from_unit(sobol.random_base2(9)[:_SOBOL_CANDIDATES])]
    best = model.best_points(5)
    if len(best):
        reps = np.repeat(best, _LOCAL_CANDIDATES // len(best), axis=0)
        scale = np.where(np.arange(len(reps)) % 2 == 0, 0.02, 0.1)[:, None]
        local = np.clip(reps + rng.normal(size=reps.shape) * scale, 0.0, 1.0)
        for i in np.flatnonzero(space.categorical):
            switch = rng.random(len(local)) < 0.2
            local[:, i] = np.where(switch, rng.integers(0, space.sizes[i], len(local)), reps[:, i])
        points.append(local)
    return np.concatenate(points)


class _Model:
    """The GP over the observations (subset above the threshold) plus believed pending points."""

    def __init__(self, space: Space, z: Array, y: Array, pending: list[Array]) -> None:
        self.space = space
        # The subset is chosen by rank, which the (monotone) transform keeps: transform the subset only.
        rows = subset_rows(y, POSTERIOR_ROWS)
        self.z, self.y = z[rows], _transform(y[rows])
        fit_rows = subset_rows(self.y, FIT_ROWS)
        self.gp: GP = fit_gp(space.features(self.z), self.y, space.groups, fit_rows=fit_rows)
        self.observed_best = float(self.y.min())
        self.best = self.observed_best
        self.base = self.gp
        self.pending_z: list[Array] = []
        for p in pending:
            self.add_pending(p)

    def add_pending(self, z: Array) -> None:
        self.pending_z.append(z)
        zs = np.array(self.pending_z)
        mean, _ = self.base.predict(self.space.features(zs))
        # The lie: the GP's mean, but never better than the average run. Believing a pending run to be
        # the new best keeps expected improvement high right beside it and the batch piles up there.
        lie = np.maximum(mean, float(self.y.mean()))
        x = self.space.features(np.concatenate([self.z, zs]))
        self.gp = self.base.condition(x, np.concatenate([self.y, lie]))
        self.best = min(self.observed_best, float(lie.min()))

    def best_points(self, count: int) -> Array:
        return self.z[np.argsort(self.y, kind="stable")[:count]]

    def suggest(self, candidates: Array, taken: set[Any], config: SweepConfig) -> Array | None:
        ranked = maximize_log_ei(self.gp, self.space, self.best, candidates)
        for _, z in ranked:
            z = self.space.snap(z)
            if params_key(config.searchable, _nested(self.space, z)) not in taken:
                return z
        return None
