"""Sweep configs: wandb's sweep YAML/JSON, loaded, validated and normalised into a ``SweepConfig``.

``schemas/sweep_config.schema.json`` (a copy ships in this package) is the structural contract; this
module adds what a schema cannot say: wandb's distribution inference, min <= max, probabilities that
sum to 1, grid over discrete parameters only, ``metric.name`` for bayes and hyperband, and known
command macros. Every refusal is a ``SweepConfigError`` whose ``.path`` is the YAML path
(``parameters.lr.min``, ``command[2]``) and whose message says how to fix it.

Defaults, as wandb fills them: ``metric.goal: minimize``, ``impute: worst``,
``impute_while_running: "false"``, ``q: 1.0``, ``mu: 0``, ``sigma: 1``, ``a = b = 1``, hyperband
``eta: 3`` and ``strict: true``. wanLLMDB adds ``seed`` and hyperband ``brackets`` (docs/sweeps.md).
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from wanllmdb.errors import UsageError
from wanllmdb.sweeps.params import Param

__all__ = [
    "COMMAND_MACROS",
    "EarlyTerminate",
    "Metric",
    "SweepConfig",
    "SweepConfigError",
    "load_config",
    "load_schema",
]

COMMAND_MACROS = (
    "env",
    "interpreter",
    "program",
    "args",
    "args_no_equals",
    "args_no_hyphens",
    "args_no_boolean_flags",
    "args_json",
    "args_json_file",
    "args_append_hydra",
    "args_override_hydra",
)
_MACRO = re.compile(r"\$\{([^}]*)\}")
_ENVVAR = re.compile(r"envvar:([A-Z0-9_]*)")
# Grid search enumerates these; anything continuous has no finite list of values.
_GRID_OK = "categorical values, a constant value, int_uniform (integer min/max) or a bounded q_* distribution"


class SweepConfigError(UsageError, ValueError):
    """A sweep config that cannot run. ``path`` names the YAML path ("" for the whole document)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.reason = message


@dataclass(frozen=True)
class Metric:
    name: str
    goal: str = "minimize"  # or "maximize"
    target: float | None = None
    impute: str = "worst"  # worst | best | latest
    impute_while_running: str = "false"  # false | worst | best | latest

    @property
    def sign(self) -> float:
        """+1 to minimize, -1 to maximize: sign * value is always "lower is better"."""
        return -1.0 if self.goal == "maximize" else 1.0


@dataclass(frozen=True)
class EarlyTerminate:
    type: str  # "hyperband"
    eta: float = 3
    strict: bool = True
    min_iter: int | None = None
    max_iter: int | None = None
    s: int | None = None
    brackets: int = 1


@dataclass(frozen=True)
class SweepConfig:
    """A validated sweep config. ``raw`` is the normalised mapping (defaults filled, JSON-able)."""

    raw: Mapping[str, Any]
    method: str
    parameters: tuple[Param, ...]  # leaf parameters, sorted by path (wandb's order)
    metric: Metric | None = None
    early_terminate: EarlyTerminate | None = None
    command: tuple[str, ...] | None = None
    program: str | None = None
    run_cap: int | None = None
    seed: int | None = None
    name: str | None = None
    description: str | None = None
    entity: str | None = None
    project: str | None = None
    searchable: tuple[Param, ...] = field(default=(), repr=False)  # parameters less constants


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    text = resources.files("wanllmdb.sweeps").joinpath("sweep_config.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads ``1e-5`` as a string; sweep configs mean a number (YAML 1.2 agrees)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def _read(source: str | os.PathLike[str] | Mapping[str, Any]) -> Any:
    if isinstance(source, Mapping):
        return copy.deepcopy(dict(source))
    if isinstance(source, os.PathLike) or (
        isinstance(source, str)
        and "\n" not in source
        and not source.lstrip().startswith("{")
        and Path(source).is_file()
    ):
        return _parse_text(Path(source).read_text(encoding="utf-8"))
    if isinstance(source, str):
        return _parse_text(source)
    raise SweepConfigError(
        "", f"a sweep config is YAML/JSON text, a file or a dict, not {type(source).__name__}"
    )


def _parse_text(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        raise SweepConfigError("", f"not valid YAML or JSON: {exc}") from None


def _checked(data: Any, *, hint: str = "") -> SweepConfig:
    if not isinstance(data, dict):
        raise SweepConfigError("", f"a sweep config is a mapping with method and parameters{hint}")
    from wanllmdb.sweeps.validate import check_config

    return check_config(data)


def load_config(source: str | os.PathLike[str] | Mapping[str, Any] | SweepConfig) -> SweepConfig:
    """Load and validate a sweep config from YAML/JSON text, a file path or a mapping."""
    if isinstance(source, SweepConfig):
        return source
    data = _read(source)
    hint = " (no such file?)" if isinstance(source, str) and isinstance(data, str) else ""
    return _checked(data, hint=hint)


def parse_config(source: str | Mapping[str, Any] | SweepConfig) -> SweepConfig:
    """Validate a sweep config given as YAML/JSON text or a mapping. Unlike `load_config` it never
    treats a string as a file name, so a server can hand it a caller's text."""
    if isinstance(source, SweepConfig):
        return source
    if isinstance(source, Mapping):
        return _checked(copy.deepcopy(dict(source)))
    if not isinstance(source, str):
        raise SweepConfigError("", f"a sweep config is YAML/JSON text or a dict, not {type(source).__name__}")
    return _checked(_parse_text(source))


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def suggest(name: str, known: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def bands(et: EarlyTerminate) -> list[int]:
    """wandb's hyperband bands: ``int(max_iter / eta^k)`` for k = 1..s (>= 1), or ``min_iter * eta^k``."""
    if et.max_iter is not None and et.s is not None:
        out: list[int] = []
        band: float = et.max_iter
        for _ in range(et.s):
            band /= et.eta
            if band < 1:
                break
            out.append(int(band))
        return sorted(out)
    assert et.min_iter is not None
    out, band = [], float(et.min_iter)
    while len(out) < 100 and band < 2**53:
        out.append(int(band))
        band *= et.eta
    return out


def finite_product(params: tuple[Param, ...]) -> int | None:
    total = 1
    for p in params:
        n = p.finite_count()
        if n is None:
            return None
        total *= n
    return total


def macro_names(item: str) -> list[str]:
    return _MACRO.findall(item)


def is_envvar_macro(name: str) -> bool:
    return _ENVVAR.fullmatch(name) is not None


def isclose_one(total: float) -> bool:
    return math.isclose(total, 1.0, abs_tol=1e-6)
