"""The search engine as the controller calls it: wanllmdb.sweeps.engine, fed from trial items.

The engine is a pure library shared with the SDK (grid, random, bayes, hyperband); this module is the
one place the server imports it, turns trial items into its `SweepRun`s and its `SweepConfigError`
into our `InvalidInput`. The periodic tick (liveness.py) never imports it, so the reaper function
needs neither the engine nor numpy.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from wanllmdb.sweeps.engine import (
    SweepConfig,
    SweepConfigError,
    SweepRun,
    load_config,
    next_runs,
    run_metric,
    stop_runs,
)
from wanllmdb.sweeps.engine import parse_config as parse_text_or_mapping

from ..core.errors import InvalidInput, TooLarge
from ..ports import Item
from .models import MAX_CONFIG_CHARS

__all__ = [
    "SweepConfig",
    "SweepRun",
    "metric_of",
    "parse_config",
    "read_config",
    "suggest",
    "sweep_runs",
    "to_stop",
]

# What the engine calls a trial's state: a stopped trial is wandb's "killed" (imputed like a failure,
# per metric.impute), a pending one is handed out but not started.
_ENGINE_STATES = {"stopped": "killed"}


def _config_error(exc: SweepConfigError, root: str) -> InvalidInput:
    field = f"{root}.{exc.path}" if exc.path else root
    return InvalidInput(f"{field}: {exc.reason}", field=field)


def parse_config(config: Mapping[str, Any] | None, text: str | None) -> tuple[dict[str, Any], str]:
    """The validated config (the engine's normalised mapping, a random `seed` added when it has none,
    so two sweeps of one config search differently) and the YAML to show, from exactly one of a
    mapping and YAML text. A refusal names the YAML path: `config.parameters.lr.min`."""
    import yaml

    if text is not None:
        source: Any = text  # never taken for a file name
        root = "config_yaml"
    else:
        source, root = dict(config or {}), "config"
    try:
        parsed = parse_text_or_mapping(source)
    except SweepConfigError as exc:
        raise _config_error(exc, root) from None
    raw = json.loads(json.dumps(parsed.raw, allow_nan=True, default=str))
    if raw.get("seed") is None:
        raw["seed"] = secrets.randbelow(2**31)
    shown = text if text is not None else yaml.safe_dump(dict(config or {}), sort_keys=False)
    if len(shown) > MAX_CONFIG_CHARS or len(json.dumps(raw)) > MAX_CONFIG_CHARS:
        raise TooLarge(f"the sweep config is over {MAX_CONFIG_CHARS} characters", field=root)
    return raw, shown


def read_config(raw: Mapping[str, Any]) -> SweepConfig:
    """A stored (already validated) config, as the engine's object."""
    return load_config(raw)


def sweep_runs(trials: Sequence[Item]) -> list[SweepRun]:
    """The trials in creation order (the engine draws the k-th suggestion from the k-th stream)."""
    ordered = sorted(trials, key=lambda t: (int(t.get("seq", 0)), t["run_id"]))
    return [
        SweepRun(
            id=t["run_id"],
            state=_ENGINE_STATES.get(t["state"]) or t["state"],
            params=t.get("params") or {},
            history=tuple(v if v is not None else math.nan for v in t.get("history") or ()),
            summary=t.get("summary_value"),
        )
        for t in ordered
    ]


def suggest(config: SweepConfig, runs: Sequence[SweepRun]) -> list[dict[str, Any]] | None:
    """At most one new param set: None when the search is over (exhausted, run_cap, metric.target),
    [] when there is nothing to hand out right now."""
    return next_runs(config, runs, n=1)


def to_stop(config: SweepConfig, runs: Sequence[SweepRun]) -> list[str]:
    return stop_runs(config, runs)


def metric_of(config: SweepConfig, run: SweepRun, runs: Sequence[SweepRun]) -> float | None:
    value = run_metric(config, run, runs=runs)
    return value if value is None or math.isfinite(value) else None
