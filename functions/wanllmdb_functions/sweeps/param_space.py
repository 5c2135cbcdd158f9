"""A sweep's parameters as the analysis reads them: from the config's `parameters` (nested ones by their
dotted path), and each trial's value of each, as a number or a category key.

The distribution names and their bounds are wandb's (the engine's `wanllmdb.sweeps.params` is the
reference; this module reads an already validated config and needs only kind, bounds and scale, so the
query function does not carry the SDK). Unbounded distributions (normal, log_normal, their q_ forms)
take their bounds from the values the trials have, and so does any value outside the configured
range (a prior run).
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .importance import Space

__all__ = [
    "ParamDef",
    "category_key",
    "category_label",
    "numeric_value",
    "param_defs",
    "read_value",
    "space_of",
]

_CATEGORICAL = frozenset({"categorical", "categorical_w_probabilities"})
_LOG = frozenset(
    {
        *("log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values"),
        *("q_log_uniform", "q_log_uniform_values", "log_normal", "q_log_normal"),
    }
)
_VALUE_BOUNDS = frozenset(
    {
        *("int_uniform", "uniform", "q_uniform", "log_uniform_values", "q_log_uniform_values"),
        "inv_log_uniform_values",
    }
)
_SPEC_KEYS = frozenset({"distribution", "values", "value", "min", "max", "mu", "sigma", "q", "a", "b"})


def category_key(value: Any) -> Hashable:
    """A hashable identity of a categorical value. A bool is never a number and neither is ever a
    string, so False, 0 and "" are three categories; 1 and 1.0 are one."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("num", float(value))
    if isinstance(value, str):
        return ("str", value)
    if value is None:
        return ("null",)
    return ("json", json.dumps(value, sort_keys=True, separators=(",", ":"), default=str))


def category_label(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class ParamDef:
    path: tuple[str, ...]
    distribution: str
    bounds: tuple[float, float] | None = None  # value space; None: unbounded
    step: float | None = None  # 1 for integers, q for q_ distributions
    values: tuple[Any, ...] = ()  # categoricals, as listed

    @property
    def name(self) -> str:
        return ".".join(self.path)

    @property
    def categorical(self) -> bool:
        return self.distribution in _CATEGORICAL

    @property
    def log(self) -> bool:
        return self.distribution in _LOG


def _infer_distribution(spec: Mapping[str, Any]) -> str:
    """wandb's defaulting: `values` categorical, `value` constant, int min/max int_uniform, else uniform."""
    if "distribution" in spec:
        return str(spec["distribution"])
    if "values" in spec:
        return "categorical_w_probabilities" if "probabilities" in spec else "categorical"
    if "value" in spec:
        return "constant"
    lo, hi = spec.get("min"), spec.get("max")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi)):
        return "int_uniform"
    return "uniform"


def _bounds(distribution: str, spec: Mapping[str, Any]) -> tuple[float, float] | None:
    lo, hi = spec.get("min"), spec.get("max")
    if distribution in _VALUE_BOUNDS:
        return float(lo), float(hi)  # type: ignore[arg-type]
    if distribution in ("log_uniform", "q_log_uniform"):  # wandb's "v1": min/max are natural logs
        return math.exp(lo), math.exp(hi)  # type: ignore[arg-type]
    if distribution == "inv_log_uniform":
        return math.exp(-hi), math.exp(-lo)  # type: ignore[operator]
    if distribution in ("beta", "q_beta"):
        return 0.0, 1.0
    return None


def _step(distribution: str, spec: Mapping[str, Any]) -> float | None:
    if distribution == "int_uniform":
        return 1.0
    if not distribution.startswith("q_"):
        return None
    q = spec.get("q", 1.0)
    if distribution in _LOG:
        # A log-scale grid has no even step; integers (q = 1) bin by powers of two, as in Optuna.
        return 1.0 if q == 1 else None
    return float(q)


def param_defs(parameters: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[ParamDef]:
    """The searched parameters of a config's `parameters`, depth first; constants are left out."""
    out: list[ParamDef] = []
    for name, spec in parameters.items():
        if not isinstance(spec, Mapping):
            continue
        path = (*prefix, str(name))
        nested = spec.get("parameters")
        if isinstance(nested, Mapping) and not (_SPEC_KEYS & spec.keys()):
            out.extend(param_defs(nested, path))
            continue
        distribution = _infer_distribution(spec)
        if distribution == "constant":
            continue
        out.append(
            ParamDef(
                path=path,
                distribution=distribution,
                bounds=_bounds(distribution, spec),
                step=_step(distribution, spec),
                values=tuple(spec.get("values") or ()),
            )
        )
    return out


def read_value(param: ParamDef, params: Mapping[str, Any]) -> tuple[bool, Any]:
    """(found, value) of the parameter in a trial's nested params (a dotted flat key is read too)."""
    node: Any = params
    for i, part in enumerate(param.path):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
            continue
        flat = ".".join(param.path[i:])
        if isinstance(node, Mapping) and flat in node:
            return True, node[flat]
        return False, None
    return True, node


def numeric_value(param: ParamDef, value: Any) -> float | None:
    """A number the numeric analysis can use, or None (wrong type, not finite, not > 0 on a log scale)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    if param.log and value <= 0:
        return None
    return float(value)


def space_of(param: ParamDef, observed: Iterable[Any]) -> Space:
    """The importance `Space` of a parameter, its range widened to every value the trials took."""
    if param.categorical:
        choices = list(dict.fromkeys(category_key(v) for v in param.values))
        for value in observed:
            if (key := category_key(value)) not in choices:
                choices.append(key)
        return Space(param.name, "categorical", choices=tuple(choices))
    numbers = [float(v) for v in observed]
    low, high = param.bounds if param.bounds is not None else (math.inf, -math.inf)
    if numbers:
        low, high = min(low, *numbers), max(high, *numbers)
    if not math.isfinite(low) or not math.isfinite(high):
        low = high = 0.0
    return Space(param.name, "numeric", low=low, high=high, log=param.log and low > 0, step=param.step)
