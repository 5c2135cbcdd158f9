"""Where bayes search works: each parameter as a point in [0, 1], and the GP's input columns.

A point has one coordinate per searched parameter ("z"): a number in [0, 1] for a numeric parameter,
the category index for a categorical one. The GP sees "features": numeric coordinates as they are,
each categorical as a one-hot block (no order between categories; ``False``, ``0`` and ``""`` are
three). Numeric coordinates are:

- bounded ranges: linear in the value, or in its log for the ``log``/``inv_log`` families;
- integers and bounded ``q_*`` lattices: one equal-width cell per value, so every value is as reachable;
- normal, log_normal, beta (and their ``q_`` forms): the prior's CDF, as wandb does, clipped to 1e-6.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from wanllmdb.sweeps.params import Param, lookup, value_kind

__all__ = ["Space"]

Array = Any
_EPS = 1e-6


class Space:
    def __init__(self, params: Sequence[Param]) -> None:
        self.params = tuple(params)
        self.categorical = np.array([p.is_categorical for p in self.params])
        self.sizes = [len(p.distinct_indices()) if p.is_categorical else 1 for p in self.params]
        groups: list[int] = []
        self.columns: list[slice] = []
        for g, (p, size) in enumerate(zip(self.params, self.sizes, strict=True)):
            width = size if p.is_categorical else 1
            self.columns.append(slice(len(groups), len(groups) + width))
            groups += [g] * width
        self.groups = np.array(groups, dtype=int)
        self.n_features = len(groups)
        self._lattices = [self._lattice(p) for p in self.params]
        self._distinct = [p.distinct_indices() if p.is_categorical else [] for p in self.params]
        self._linear = [self._linear_warp(p) for p in self.params]

    @staticmethod
    def _linear_warp(p: Param) -> tuple[float, float, bool] | None:
        """(low, span, in log) when the coordinate is linear in the value or its log."""
        d = p.distribution.removeprefix("q_")
        if d == "uniform":
            lo, hi = float(p["min"]), float(p["max"])
            return lo, hi - lo, False
        if d in ("log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values"):
            b = p.bounds()
            assert b is not None
            return math.log(b[0]), math.log(b[1]) - math.log(b[0]), True
        return None

    # -- one parameter: value <-> coordinate ------------------------------------------------------

    @staticmethod
    def _lattice(p: Param) -> tuple[int, int] | None:
        """(first, last) of an integer or bounded, linearly searched lattice: equal-width cells."""
        if p.distribution == "int_uniform":
            return int(p["min"]), int(p["max"])
        if p.distribution == "q_uniform":
            lat = p.lattice()
            assert lat is not None
            return lat[0], lat[1]
        return None

    def _warp(self, p: Param, v: float) -> float:
        d = p.distribution.removeprefix("q_")
        s = p.spec
        if d in ("uniform", "int_uniform"):
            lo, hi = float(s["min"]), float(s["max"])
            return 0.5 if hi == lo else (v - lo) / (hi - lo)
        if d in ("log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values"):
            b = p.bounds()
            assert b is not None
            lo, hi = math.log(b[0]), math.log(b[1])
            return 0.5 if hi == lo else (math.log(max(v, 1e-300)) - lo) / (hi - lo)
        if d == "normal":
            return float(special.ndtr((v - s["mu"]) / max(s["sigma"], 1e-300)))
        if d == "log_normal":
            return float(special.ndtr((math.log(max(v, 1e-300)) - s["mu"]) / max(s["sigma"], 1e-300)))
        if d == "beta":
            return float(special.betainc(s["a"], s["b"], min(max(v, 0.0), 1.0)))
        raise ValueError(p.distribution)

    def _unwarp(self, p: Param, u: float) -> float:
        d = p.distribution.removeprefix("q_")
        s = p.spec
        if d in ("uniform", "int_uniform"):
            return float(s["min"]) + u * (float(s["max"]) - float(s["min"]))
        if d in ("log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values"):
            b = p.bounds()
            assert b is not None
            return math.exp(math.log(b[0]) + u * (math.log(b[1]) - math.log(b[0])))
        u = min(max(u, _EPS), 1.0 - _EPS)
        if d == "normal":
            return float(s["mu"] + s["sigma"] * special.ndtri(u))
        if d == "log_normal":
            return math.exp(s["mu"] + s["sigma"] * float(special.ndtri(u)))
        if d == "beta":
            return float(special.betaincinv(s["a"], s["b"], u))
        raise ValueError(p.distribution)

    def coordinate(self, i: int, value: Any) -> float | None:
        """The coordinate of ``value`` for parameter ``i``, or None when it is not in the space."""
        p = self.params[i]
        if p.is_categorical:
            idx = p.category_index(value)
            return None if idx is None else float(self._distinct[i].index(idx))
        if type(value) is not float:
            if value_kind(value) != "num":  # a bool, a string, None: not a value of a numeric parameter
                return None
            value = float(value)
        if not math.isfinite(value):
            return None
        lattice = self._lattices[i]
        if lattice is not None:
            step = 1.0 if p.distribution == "int_uniform" else float(p["q"])
            k = round(float(value) / step)
            count = lattice[1] - lattice[0] + 1
            return (min(max(k - lattice[0], 0), count - 1) + 0.5) / count
        linear = self._linear[i]
        if linear is not None:
            lo, span, in_log = linear
            v = math.log(max(value, 1e-300)) if in_log else value
            return 0.5 if span == 0 else min(max((v - lo) / span, 0.0), 1.0)
        return min(max(self._warp(p, float(value)), 0.0), 1.0)

    def value(self, i: int, z: float) -> Any:
        """The parameter value at coordinate ``z`` (snapped onto integers and q lattices)."""
        p = self.params[i]
        if p.is_categorical:
            return p.values[self._distinct[i][int(z)]]
        lattice = self._lattices[i]
        if lattice is not None:
            count = lattice[1] - lattice[0] + 1
            k = lattice[0] + min(int(z * count), count - 1)
            if p.distribution == "int_uniform":
                return k
            return p.quantize(k * float(p["q"]))
        v = self._unwarp(p, float(z))
        bounds = p.bounds()
        if bounds is not None:  # exp(log(max)) can land a rounding error past max
            v = min(max(v, bounds[0]), bounds[1])
        return p.quantize(v) if p.distribution.startswith("q_") else v

    # -- whole points ----------------------------------------------------------------------------

    def encode(self, params: Mapping[str, Any]) -> Array | None:
        z = np.empty(len(self.params))
        for i, p in enumerate(self.params):
            found, value = lookup(params, p.path)
            c = self.coordinate(i, value) if found else None
            if c is None:
                return None
            z[i] = c
        return z

    def encode_with_key(self, params: Mapping[str, Any]) -> tuple[Array | None, tuple[Any, ...]]:
        """The point (None when outside the space) and ``space.params_key`` of a run's params, in one pass.

        This runs once per run per suggestion (1,000 runs: 6,000 values), hence the float fast path.
        """
        coords: list[float] | None = []
        key: list[tuple[Any, ...]] = []
        for i, p in enumerate(self.params):
            path = p.path
            if len(path) == 1 and path[0] in params:
                value = params[path[0]]
            else:
                found, value = lookup(params, path)
                if not found:
                    key.append(("missing",))
                    coords = None
                    continue
            linear = self._linear[i]
            if type(value) is float and linear is not None and not linear[2] and linear[1] > 0:
                key.append(("n", value))  # what value_key gives a float, without the dispatch
                c: float | None = min(max((value - linear[0]) / linear[1], 0.0), 1.0)
            else:
                key.append(p.value_key(value))
                c = self.coordinate(i, value) if coords is not None else None
            if coords is not None:
                if c is None or c != c:  # outside the space, or NaN
                    coords = None
                else:
                    coords.append(c)
        return (None if coords is None else np.array(coords)), tuple(key)

    def decode(self, z: Array) -> dict[tuple[str, ...], Any]:
        return {p.path: self.value(i, z[i]) for i, p in enumerate(self.params)}

    def snap(self, z: Array) -> Array:
        """One point [P] moved onto the coordinate of the value it decodes to (integer and q cells)."""
        out = np.array(z, dtype=float)
        for i, p in enumerate(self.params):
            if p.distribution == "int_uniform" or p.distribution.startswith("q_"):
                c = self.coordinate(i, self.value(i, out[i]))
                if c is not None:
                    out[i] = c
        return out

    def features(self, z: Array) -> Array:
        """[M, F] GP inputs for [M, P] points."""
        z = np.atleast_2d(z)
        x = np.zeros((z.shape[0], self.n_features))
        for i, cols in enumerate(self.columns):
            if self.categorical[i]:
                x[np.arange(z.shape[0]), cols.start + z[:, i].astype(int)] = 1.0
            else:
                x[:, cols.start] = z[:, i]
        return x

    def from_unit(self, u: Array) -> Array:
        """Points from uniform [0, 1) draws (a Sobol or random design): categories by floor(u * K)."""
        z = np.array(u, dtype=float)
        for i, size in enumerate(self.sizes):
            if self.categorical[i]:
                z[:, i] = np.minimum(np.floor(u[:, i] * size), size - 1)
        return z
