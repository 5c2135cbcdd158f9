"""Expected improvement, in log space, and its maximisation over a mixed space.

log EI stays finite and smooth far from the incumbent, where plain EI underflows to zero and leaves
the optimiser no slope. The search: score many candidate points (a scrambled Sobol design plus
perturbations of the best runs), start L-BFGS-B (scipy.optimize) from the best few on the numeric
coordinates with the categories fixed, then try every other category of each categorical parameter
on the winners. Everything is seeded, so the same inputs give the same point.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import optimize, special

from wanllmdb.sweeps.encoding import Space
from wanllmdb.sweeps.gp import GP

__all__ = ["log_ei", "maximize_log_ei"]

Array = Any
_SQRT_HALF_PI = math.sqrt(math.pi / 2)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def _log_h(z: Array) -> tuple[Array, Array]:
    """log(z Phi(z) + phi(z)) and its derivative Phi/h, stable for very negative z."""
    z = np.asarray(z, dtype=float)
    log_phi = -0.5 * z * z - _LOG_SQRT_2PI
    # Phi(z) / phi(z) through erfcx: no underflow on the left tail.
    ratio = _SQRT_HALF_PI * special.erfcx(-z / math.sqrt(2.0)) if z.size else z
    direct = z >= -1.0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        h_direct = z * special.ndtr(z) + np.exp(log_phi)
        tail = np.maximum(1.0 + z * ratio, 1e-300)
        log_h = np.where(direct, np.log(np.maximum(h_direct, 1e-300)), log_phi + np.log(tail))
        dlog_h = np.where(direct, special.ndtr(z) / np.maximum(h_direct, 1e-300), ratio / tail)
    return log_h, dlog_h


def log_ei(mean: Array, var: Array, best: float) -> Array:
    sd = np.sqrt(var)
    log_h, _ = _log_h((best - mean) / sd)
    return np.log(sd) + log_h


def _neg_log_ei_grad(
    xnum: Array, gp: GP, space: Space, z_fixed: Array, numeric: Array, best: float
) -> tuple[float, Array]:
    z = z_fixed.copy()
    z[numeric] = xnum
    x = space.features(z)[0]
    mean, var, dmean, dvar = gp.predict_grad(x)
    sd = math.sqrt(var)
    zz = (best - mean) / sd
    log_h, dlog_h = _log_h(np.array([zz]))
    value = math.log(sd) + float(log_h[0])
    # d/dx: dlogEI/dmean = -dlog_h / sd; dlogEI/dsd = 1/sd - dlog_h * zz / sd; dsd = dvar / (2 sd).
    dsd = dvar / (2.0 * sd)
    grad_x = -(float(dlog_h[0]) / sd) * dmean + (1.0 / sd - float(dlog_h[0]) * zz / sd) * dsd
    cols = [space.columns[i].start for i in np.flatnonzero(numeric)]
    return -value, -grad_x[cols]


def maximize_log_ei(
    gp: GP,
    space: Space,
    best: float,
    candidates: Array,
    *,
    starts: int = 4,
    maxiter: int = 40,
) -> list[tuple[float, Array]]:
    """Points [P] with their log EI, best first: the optimised starts, then the remaining candidates."""
    mean, var = gp.predict(space.features(candidates))
    scores = log_ei(mean, var, best)
    order = np.argsort(-scores, kind="stable")
    numeric = ~space.categorical
    results: list[tuple[float, Array]] = []
    seen: set[bytes] = set()
    for idx in order[: starts * 3]:
        if len(results) >= starts:
            break
        z0 = candidates[idx]
        if z0.tobytes() in seen:
            continue
        seen.add(z0.tobytes())
        z = z0.copy()
        if numeric.any():
            res = optimize.minimize(
                _neg_log_ei_grad,
                z0[numeric],
                args=(gp, space, z0, numeric, best),
                jac=True,
                method="L-BFGS-B",
                bounds=[(0.0, 1.0)] * int(numeric.sum()),
                options={"maxiter": maxiter},
            )
            z[numeric] = np.clip(res.x, 0.0, 1.0)
        results.append(_switch_categories(gp, space, best, z))
    results.sort(key=lambda r: -r[0])
    tail = [(float(scores[i]), candidates[i]) for i in order]
    return results + tail


def _switch_categories(gp: GP, space: Space, best: float, z: Array) -> tuple[float, Array]:
    """Coordinate ascent over the categorical parameters: every other category, one parameter at a time."""
    mean, var = gp.predict(space.features(z))
    score = float(log_ei(mean, var, best)[0])
    for i in np.flatnonzero(space.categorical):
        trials = np.repeat(z[None, :], space.sizes[i], axis=0)
        trials[:, i] = np.arange(space.sizes[i])
        m, v = gp.predict(space.features(trials))
        s = log_ei(m, v, best)
        j = int(np.argmax(s))
        if s[j] > score:
            score, z = float(s[j]), trials[j]
    return score, z
