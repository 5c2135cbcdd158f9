"""One searchable parameter of a sweep: its distribution, a pure-Python sampler, and its finite values.

The seventeen distributions follow wandb's sweeps package: ``log_uniform``, ``inv_log_uniform`` and
``q_log_uniform`` take ``min``/``max`` as natural logs (wandb's "v1"), the ``*_values`` forms take the
values themselves; ``q_*`` forms round to multiples of ``q`` (integers when ``q`` is an integer).

Categorical values are matched by kind as well as by value, so ``False``, ``0`` and ``""`` are three
categories (wandb's engine maps all three onto the first). Numbers compare by value (``1 == 1.0``),
because a run's config may come back through a store that does not keep int and float apart.

Nothing here imports numpy: grid and random search run on the standard library alone.
"""

from __future__ import annotations

import decimal
import json
import math
import numbers
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

__all__ = [
    "CATEGORICAL",
    "DISTRIBUTIONS",
    "LOG_SCALE",
    "Param",
    "canonical_json",
    "nest",
    "value_kind",
]

DISTRIBUTIONS = (
    "categorical",
    "categorical_w_probabilities",
    "constant",
    "int_uniform",
    "uniform",
    "q_uniform",
    "log_uniform",
    "log_uniform_values",
    "inv_log_uniform",
    "inv_log_uniform_values",
    "q_log_uniform",
    "q_log_uniform_values",
    "normal",
    "q_normal",
    "log_normal",
    "q_log_normal",
    "beta",
    "q_beta",
)
CATEGORICAL = frozenset({"categorical", "categorical_w_probabilities"})
# Searched on the log of the value (bayes), so a decade near 1e-5 weighs as much as one near 1e-1.
LOG_SCALE = frozenset(
    {
        "log_uniform",
        "log_uniform_values",
        "inv_log_uniform",
        "inv_log_uniform_values",
        "q_log_uniform",
        "q_log_uniform_values",
    }
)
# Above this many lattice points a quantized parameter counts as unbounded for "all-discrete" checks.
MAX_ENUMERATED = 1_000_000


def value_kind(value: Any) -> str:
    """The category kind of a value: a bool is never a number, and neither is ever a string."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Real | decimal.Decimal):  # DynamoDB hands numbers back as Decimal
        return "num"
    if isinstance(value, str):
        return "str"
    if value is None:
        return "null"
    return "other"


def canonical_json(value: Any) -> str:
    """A stable text for any JSON-able value (sorted keys), used for equality of lists and dicts."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _category_key(value: Any) -> tuple[str, Any]:
    """Equal for values that are one category: same kind, and equal (numbers by value)."""
    kind = value_kind(value)
    if kind == "num":
        return kind, float(value)
    if kind == "other":
        return kind, canonical_json(value)
    return kind, value


def _tidy(x: float) -> float:
    # round(x / q) * q leaves binary noise (0.30000000000000004); 12 significant digits drop it.
    return float(f"{x:.12g}")


def _quantize(x: float, q: float) -> int | float:
    v = round(x / q) * q
    if isinstance(q, int) and not isinstance(q, bool):
        return int(v)
    return _tidy(v)


@dataclass(frozen=True)
class Param:
    """A leaf parameter. ``path`` is its place in the run's config: ``("optimizer", "lr")``."""

    path: tuple[str, ...]
    distribution: str
    spec: Mapping[str, Any]  # the normalised YAML mapping, defaults filled

    @property
    def key(self) -> str:
        return ".".join(self.path)

    def __getitem__(self, name: str) -> Any:
        return self.spec[name]

    @property
    def values(self) -> tuple[Any, ...]:
        return tuple(self.spec.get("values", ()))

    @property
    def is_constant(self) -> bool:
        return self.distribution == "constant"

    @property
    def is_categorical(self) -> bool:
        return self.distribution in CATEGORICAL

    @property
    def is_log_scale(self) -> bool:
        return self.distribution in LOG_SCALE

    @property
    def is_integer(self) -> bool:
        if self.distribution == "int_uniform":
            return True
        q = self.spec.get("q")
        return self.distribution.startswith("q_") and isinstance(q, int) and not isinstance(q, bool)

    # -- bounds in value space (None where the distribution is unbounded) ---------------------------

    def bounds(self) -> tuple[float, float] | None:
        d, s = self.distribution, self.spec
        if d in ("int_uniform", "uniform", "q_uniform", "log_uniform_values", "q_log_uniform_values"):
            return float(s["min"]), float(s["max"])
        if d == "inv_log_uniform_values":
            return float(s["min"]), float(s["max"])
        if d in ("log_uniform", "q_log_uniform"):
            return math.exp(s["min"]), math.exp(s["max"])
        if d == "inv_log_uniform":
            return math.exp(-s["max"]), math.exp(-s["min"])
        if d in ("beta", "q_beta"):
            return 0.0, 1.0
        return None

    # -- categories --------------------------------------------------------------------------------

    @cached_property
    def _index(self) -> dict[tuple[str, Any], int]:
        index: dict[tuple[str, Any], int] = {}
        for i, v in enumerate(self.values):
            index.setdefault(_category_key(v), i)
        return index

    def category_index(self, value: Any) -> int | None:
        """The index of ``value`` among ``values`` (the first match), or None when it is not one."""
        return self._index.get(_category_key(value))

    def distinct_indices(self) -> list[int]:
        """Indices of the distinct categories (a value listed twice counts once)."""
        return sorted(self._index.values())

    def value_key(self, value: Any) -> tuple[Any, ...]:
        """A hashable identity for one value of this parameter, equal for equal values."""
        if self.is_categorical:
            idx = self.category_index(value)
            if idx is not None:
                return ("c", idx)
        kind = value_kind(value)
        if kind == "num":
            return ("n", float(value))
        return (kind, canonical_json(value))

    # -- finite values (grid, and random's "all-discrete" case) -----------------------------------

    def lattice(self) -> tuple[int, int, float] | None:
        """(first k, last k, q) for a bounded quantized parameter: its values are k * q."""
        if not self.distribution.startswith("q_"):
            return None
        b = self.bounds()
        if b is None:
            return None
        q = float(self.spec["q"])
        return round(b[0] / q), round(b[1] / q), q

    def finite_count(self) -> int | None:
        """How many distinct values the parameter takes, or None when it is continuous or unbounded."""
        d = self.distribution
        if d == "constant":
            return 1
        if d in CATEGORICAL:
            return len(self.distinct_indices())
        if d == "int_uniform":
            return int(self.spec["max"]) - int(self.spec["min"]) + 1
        lat = self.lattice()
        if lat is None:
            return None
        count = lat[1] - lat[0] + 1
        return count if count <= MAX_ENUMERATED else None

    def finite_values(self) -> Iterator[Any]:
        """Every value, in a stable order (categories as listed; numbers ascending)."""
        d = self.distribution
        if d == "constant":
            yield self.spec["value"]
        elif d in CATEGORICAL:
            for i in self.distinct_indices():
                yield self.values[i]
        elif d == "int_uniform":
            yield from range(int(self.spec["min"]), int(self.spec["max"]) + 1)
        else:
            lat = self.lattice()
            if lat is None or self.finite_count() is None:
                raise ValueError(f"{self.key}: a {d} parameter has no finite list of values")
            q = self.spec["q"]
            for k in range(lat[0], lat[1] + 1):
                yield _quantize(k * float(q), q)

    # -- sampling from the prior (random search) --------------------------------------------------

    def sample(self, rng: random.Random) -> Any:
        """One draw from the prior, as wandb's random search draws it."""
        d, s = self.distribution, self.spec
        if d == "constant":
            return s["value"]
        if d == "categorical":
            return self.values[rng.randrange(len(self.values))]
        if d == "categorical_w_probabilities":
            return rng.choices(self.values, weights=s["probabilities"])[0]
        if d == "int_uniform":
            return rng.randint(int(s["min"]), int(s["max"]))
        x = self._sample_continuous(rng)
        if d.startswith("q_"):
            return _quantize(x, s["q"])
        return x

    def _sample_continuous(self, rng: random.Random) -> float:
        d, s = self.distribution.removeprefix("q_"), self.spec
        if d == "uniform":
            return rng.uniform(s["min"], s["max"])
        if d == "log_uniform":
            return math.exp(rng.uniform(s["min"], s["max"]))
        if d == "log_uniform_values":
            return math.exp(rng.uniform(math.log(s["min"]), math.log(s["max"])))
        if d == "inv_log_uniform":
            return math.exp(-rng.uniform(s["min"], s["max"]))
        if d == "inv_log_uniform_values":
            return math.exp(-rng.uniform(-math.log(s["max"]), -math.log(s["min"])))
        if d == "normal":
            return rng.gauss(s["mu"], s["sigma"])
        if d == "log_normal":
            return rng.lognormvariate(s["mu"], s["sigma"])
        if d == "beta":
            return rng.betavariate(s["a"], s["b"])
        raise ValueError(f"unknown distribution {self.distribution!r}")

    def quantize(self, x: float) -> Any:
        """Snap a real number onto this parameter's values (integers, the q lattice), within bounds."""
        d, s = self.distribution, self.spec
        if d == "int_uniform":
            return min(max(round(x), int(s["min"])), int(s["max"]))
        if d.startswith("q_"):
            v = _quantize(x, s["q"])
            lat = self.lattice()
            if lat is not None:
                lo, hi = lat[0] * float(s["q"]), lat[1] * float(s["q"])
                if v < lo - 1e-12 or v > hi + 1e-12:
                    v = _quantize(min(max(float(v), lo), hi), s["q"])
            return v
        return float(x)


def nest(flat: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """{("a", "b"): 1, ("c",): 2} -> {"a": {"b": 1}, "c": 2}"""
    out: dict[str, Any] = {}
    for path, value in flat.items():
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return out


def lookup(params: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    """(found, value) of ``path`` in a nested params dict; a dotted flat key is accepted too."""
    node: Any = params
    for i, part in enumerate(path):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            continue
        flat = ".".join(path[i:])
        if isinstance(node, Mapping) and flat in node:
            return True, node[flat]
        return False, None
    return True, node
