"""A Gaussian process for bayes search: Matern-5/2 with ARD length scales and a learned noise term.

Hyperparameters (one length scale per group of input columns: a numeric parameter is one column, a
categorical parameter's one-hot block shares one scale; an output scale; a noise variance) are the
maximum a posteriori estimate under weak priors, found by L-BFGS-B (scipy.optimize) on the negative
log marginal likelihood with its analytic gradient. All linear algebra is scipy.linalg's Cholesky.

Inputs live in [0, 1] per column; outputs are standardised by the caller.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import linalg, optimize

__all__ = ["GP", "fit_gp"]

_SQRT5 = math.sqrt(5.0)
Array = Any  # numpy arrays; numpy's own types would make every signature a union

# Priors, on the log of each hyperparameter (inputs in [0, 1], outputs standardised):
# a length scale near 0.5 (from 0.07 to 3.5 within two sd), an output scale near 1, little noise.
_LOG_L_MEAN, _LOG_L_SD = math.log(0.5), 1.0
_LOG_S2_MEAN, _LOG_S2_SD = 0.0, 1.5
_LOG_N_MEAN, _LOG_N_SD = math.log(1e-3), 2.5
_BOUNDS_L = (math.log(0.01), math.log(20.0))
_BOUNDS_S2 = (math.log(0.05), math.log(20.0))
_BOUNDS_N = (math.log(1e-6), math.log(1.0))
_JITTER = 1e-8


def _group_sq_dists(xa: Array, xb: Array, groups: Array, n_groups: int) -> Array:
    """[G, A, B]: per length-scale group, the summed squared differences of its columns."""
    diff = xa[:, None, :] - xb[None, :, :]
    member = np.zeros((len(groups), n_groups))
    member[np.arange(len(groups)), groups] = 1.0
    return np.ascontiguousarray(np.moveaxis((diff * diff) @ member, 2, 0))


def _matern(r: Array) -> Array:
    return (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * np.exp(-_SQRT5 * r)


@dataclass(frozen=True)
class GP:
    x: Array  # [N, F] inputs
    y: Array  # [N] standardised outputs
    groups: Array  # [F] length-scale group of each column
    lengthscales: Array  # [G]
    outputscale: float
    noise: float
    chol: Array  # lower Cholesky factor of K + noise
    alpha: Array  # K^-1 y
    chol_inv: Array  # chol^-1: two matrix-vector products per gradient instead of two solves

    def _scaled(self, a: Array) -> Array:
        return a / self.lengthscales[self.groups]

    def kernel(self, a: Array, b: Array) -> Array:
        sa, sb = self._scaled(a), self._scaled(b)
        d2 = (sa * sa).sum(1)[:, None] + (sb * sb).sum(1)[None, :] - 2.0 * sa @ sb.T
        return self.outputscale * _matern(np.sqrt(np.maximum(d2, 0.0)))

    def predict(self, xs: Array) -> tuple[Array, Array]:
        """Posterior mean and variance (of the latent function) at the rows of ``xs``."""
        ks = self.kernel(xs, self.x)
        mean = ks @ self.alpha
        v = self.chol_inv @ ks.T
        var = np.maximum(self.outputscale - (v * v).sum(0), 1e-12)
        return mean, var

    def predict_grad(self, x: Array) -> tuple[float, float, Array, Array]:
        """Mean, variance and their gradients at one point ``x`` [F]."""
        diff = x[None, :] - self.x  # [N, F]
        inv_l2 = 1.0 / self.lengthscales[self.groups] ** 2
        r = np.sqrt(np.maximum((diff * diff * inv_l2).sum(1), 0.0))
        e = np.exp(-_SQRT5 * r)
        k = self.outputscale * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
        # dk/dx = -5/3 s2 (1 + sqrt5 r) exp(-sqrt5 r) (x - x_i) / l^2: smooth at r = 0.
        dk = (-(5.0 / 3.0) * self.outputscale * (1.0 + _SQRT5 * r) * e)[:, None] * diff * inv_l2
        mean = float(k @ self.alpha)
        dmean = dk.T @ self.alpha
        w = self.chol_inv @ k
        v = self.chol_inv.T @ w
        var = max(self.outputscale - float(w @ w), 1e-12)
        dvar = -2.0 * (dk.T @ v)
        return mean, var, dmean, dvar

    def condition(self, x: Array, y: Array) -> GP:
        """The same hyperparameters on other data (pending points with believed values)."""
        chol, alpha, chol_inv = _factor(x, y, self.groups, self.lengthscales, self.outputscale, self.noise)
        return replace(self, x=x, y=y, chol=chol, alpha=alpha, chol_inv=chol_inv)


def _factor(
    x: Array, y: Array, groups: Array, lengthscales: Array, outputscale: float, noise: float
) -> tuple[Array, Array, Array]:
    n_groups = len(lengthscales)
    d2 = _group_sq_dists(x, x, groups, n_groups)
    r = np.sqrt((d2 / (lengthscales**2)[:, None, None]).sum(0))
    k = outputscale * _matern(r) + (noise + _JITTER) * np.eye(len(x))
    chol = _cholesky(k)
    chol_inv = linalg.solve_triangular(chol, np.eye(len(x)), lower=True, check_finite=False)
    return chol, linalg.cho_solve((chol, True), y, check_finite=False), chol_inv


def _cholesky(k: Array) -> Array:
    jitter = 0.0
    for _ in range(6):
        try:
            return linalg.cholesky(k + jitter * np.eye(len(k)), lower=True, check_finite=False)
        except linalg.LinAlgError:
            jitter = 1e-6 if jitter == 0.0 else jitter * 10
    raise linalg.LinAlgError("kernel matrix is not positive definite")


def _neg_log_posterior(theta: Array, d2: Array, y: Array) -> tuple[float, Array]:
    n_groups = d2.shape[0]
    log_l, log_s2, log_n = theta[:n_groups], theta[n_groups], theta[n_groups + 1]
    l2 = np.exp(2.0 * log_l)
    s2, noise = math.exp(log_s2), math.exp(log_n)
    r = np.sqrt((d2 / l2[:, None, None]).sum(0))
    e = np.exp(-_SQRT5 * r)
    m = (1.0 + _SQRT5 * r + (5.0 / 3.0) * r * r) * e
    n = len(y)
    k = s2 * m + (noise + _JITTER) * np.eye(n)
    try:
        chol = linalg.cholesky(k, lower=True, check_finite=False)
    except linalg.LinAlgError:
        return 1e10, np.zeros_like(theta)
    alpha = linalg.cho_solve((chol, True), y, check_finite=False)
    nll = 0.5 * float(y @ alpha) + float(np.log(np.diag(chol)).sum()) + 0.5 * n * math.log(2 * math.pi)
    w = linalg.cho_solve((chol, True), np.eye(n), check_finite=False) - np.outer(alpha, alpha)
    grad = np.empty_like(theta)
    common = s2 * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * e
    for g in range(n_groups):
        grad[g] = 0.5 * float((w * common * d2[g]).sum()) / l2[g]
    grad[n_groups] = 0.5 * float((w * (s2 * m)).sum())
    grad[n_groups + 1] = 0.5 * float(np.trace(w)) * noise
    # Gaussian priors on the logs.
    nll += float((((log_l - _LOG_L_MEAN) / _LOG_L_SD) ** 2).sum()) / 2
    grad[:n_groups] += (log_l - _LOG_L_MEAN) / _LOG_L_SD**2
    nll += ((log_s2 - _LOG_S2_MEAN) / _LOG_S2_SD) ** 2 / 2
    grad[n_groups] += (log_s2 - _LOG_S2_MEAN) / _LOG_S2_SD**2
    nll += ((log_n - _LOG_N_MEAN) / _LOG_N_SD) ** 2 / 2
    grad[n_groups + 1] += (log_n - _LOG_N_MEAN) / _LOG_N_SD**2
    return nll, grad


def fit_gp(x: Array, y: Array, groups: Array, *, fit_rows: Array | None = None) -> GP:
    """MAP hyperparameters on ``fit_rows`` of (x, y) (all rows by default), then the GP on all rows.

    The optimiser starts from the best of three fixed length scales (deterministic).
    """
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    xf, yf = (x, y) if fit_rows is None else (x[fit_rows], y[fit_rows])
    d2 = _group_sq_dists(xf, xf, groups, n_groups)
    bounds = [_BOUNDS_L] * n_groups + [_BOUNDS_S2, _BOUNDS_N]
    # Screen three starts (short, medium, long length scales) by their objective; optimise the best.
    starts = [np.array([math.log(ls)] * n_groups + [0.0, math.log(1e-3)]) for ls in (0.15, 0.5, 1.5)]
    theta0 = min(starts, key=lambda th: _neg_log_posterior(th, d2, yf)[0])
    res = optimize.minimize(
        _neg_log_posterior,
        theta0,
        args=(d2, yf),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 150},
    )
    theta = res.x
    lengthscales = np.exp(theta[:n_groups])
    outputscale, noise = math.exp(theta[n_groups]), math.exp(theta[n_groups + 1])
    chol, alpha, chol_inv = _factor(x, y, groups, lengthscales, outputscale, noise)
    return GP(x, y, groups, lengthscales, outputscale, noise, chol, alpha, chol_inv)
