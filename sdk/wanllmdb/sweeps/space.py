"""What the search methods share: identities of param sets, the seed, and nesting of suggestions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wanllmdb.sweeps.params import Param, canonical_json, lookup, nest

if TYPE_CHECKING:
    from wanllmdb.sweeps.config import SweepConfig
    from wanllmdb.sweeps.engine import SweepRun

__all__ = ["ParamsKey", "build", "params_key", "seed_material", "taken_keys"]

ParamsKey = tuple[tuple[Any, ...], ...]
_MISSING = ("missing",)


def params_key(searchable: Sequence[Param], params: Mapping[str, Any]) -> ParamsKey:
    """The identity of a param set over the searched parameters: equal values give equal keys."""
    out = []
    for p in searchable:
        found, value = lookup(params, p.path)
        out.append(p.value_key(value) if found else _MISSING)
    return tuple(out)


def taken_keys(config: SweepConfig, runs: Iterable[SweepRun]) -> set[ParamsKey]:
    return {params_key(config.searchable, run.params) for run in runs}


def build(config: SweepConfig, values: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """A suggestion as the run's config will hold it: constants included, nested by path."""
    flat = {p.path: p["value"] for p in config.parameters if p.is_constant}
    flat.update(values)
    return nest({p.path: flat[p.path] for p in config.parameters})


def seed_material(config: SweepConfig) -> str:
    """``seed:`` when given; else a digest of the config, so the engine stays a pure function."""
    if config.seed is not None:
        return str(config.seed)
    return hashlib.sha256(canonical_json(config.raw).encode()).hexdigest()[:16]
