"""The checks behind ``load_config``: the JSON schema per section, then what a schema cannot state.

Parameters are checked one at a time against the one distribution they name (or that wandb's rules
infer), so an error says "parameters.lr.max: must be a number", never "matches none of 19 schemas".
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from wanllmdb.sweeps.config import (
    _GRID_OK,
    COMMAND_MACROS,
    EarlyTerminate,
    Metric,
    SweepConfig,
    SweepConfigError,
    bands,
    finite_product,
    is_envvar_macro,
    is_int,
    isclose_one,
    join,
    load_schema,
    macro_names,
    suggest,
)
from wanllmdb.sweeps.params import DISTRIBUTIONS, Param

__all__ = ["check_config"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

_UNSUPPORTED = {
    "metrics": "multi-objective sweeps (metrics:) need W&B Launch's custom schedulers, which wanLLMDB does "
    "not run; optimise one metric: with name and goal",
    "scheduler": "custom schedulers (scheduler:, W&B Launch) are not supported; use method grid, random "
    "or bayes",
}


@lru_cache(maxsize=64)
def _validator(ref: str) -> Any:
    import jsonschema

    schema = load_schema()
    sub = schema["properties"][ref] if not ref.startswith("#") else {"$ref": ref}
    return jsonschema.Draft202012Validator({**sub, "$defs": schema["$defs"]})


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _raise_first(validator: Any, instance: Any, path: str, what: str) -> None:
    import jsonschema

    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return
    where = path
    for part in error.absolute_path:
        where = join(where, part)
    kind, schema = error.validator, error.schema
    value = error.instance
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(k for k in value if k not in schema.get("properties", {}))[0]
        raise SweepConfigError(
            join(where, extra),
            f"unknown key {extra!r} {what}; {suggest(extra, allowed)}allowed: {', '.join(allowed)}",
        )
    if kind == "required":
        missing = str(error.message).split("'")[1]
        raise SweepConfigError(join(where, missing), f"missing; {what} needs {missing!r}")
    if kind == "anyOf" and "hyperband" in what:
        raise SweepConfigError(where, "hyperband needs min_iter, or max_iter with s")
    if kind in ("enum", "const"):
        options = schema.get("enum", [schema.get("const")])
        got = value if isinstance(value, str) else _type_name(value)
        hint = suggest(value, [str(o) for o in options]) if isinstance(value, str) else ""
        raise SweepConfigError(
            where, f"{got!r} is not allowed; {hint}use one of: {', '.join(map(str, options))}"
        )
    if kind == "type":
        expected = schema["type"] if isinstance(schema["type"], str) else " or ".join(schema["type"])
        raise SweepConfigError(where, f"must be {expected}, got {_type_name(value)} ({value!r})")
    if kind == "minItems":
        raise SweepConfigError(where, "is empty; give at least one value")
    if kind == "minProperties":
        raise SweepConfigError(where, "is empty; give at least one parameter")
    if kind in ("minimum", "exclusiveMinimum"):
        bound = schema[kind]
        op = ">=" if kind == "minimum" else ">"
        raise SweepConfigError(where, f"must be {op} {bound}, got {value!r}")
    if kind == "pattern":
        raise SweepConfigError(where, f"{value!r} is not a valid parameter name: use letters, digits, _ . -")
    raise SweepConfigError(where, str(error.message))


def check_config(data: dict[str, Any]) -> SweepConfig:
    schema = load_schema()
    known = list(schema["properties"])
    for key in data:
        if not isinstance(key, str):
            raise SweepConfigError(str(key), "keys are strings")
        if key in _UNSUPPORTED:
            raise SweepConfigError(key, _UNSUPPORTED[key])
        if key not in schema["properties"]:
            raise SweepConfigError(key, f"unknown key; {suggest(key, known)}allowed: {', '.join(known)}")
    if "method" not in data:
        raise SweepConfigError("method", "missing; use method: grid, random or bayes")
    if data["method"] == "custom":
        raise SweepConfigError("method", _UNSUPPORTED["scheduler"])
    for key, value in data.items():
        if key != "parameters":
            _raise_first(
                _validator(key), value, key, f"in {key}" if key != "early_terminate" else "in hyperband"
            )
    method = data["method"]
    if "parameters" not in data:
        raise SweepConfigError("parameters", "missing; a sweep needs parameters to search")
    if not isinstance(data["parameters"], Mapping):
        raise SweepConfigError("parameters", "must be a mapping of parameter names to their specs")
    leaves: list[Param] = []
    normal_params = _check_parameters(data["parameters"], "parameters", (), leaves)
    leaves.sort(key=lambda p: p.path)
    raw: dict[str, Any] = {**copy.deepcopy(data), "parameters": normal_params}

    metric = None
    if "metric" in data:
        m = {"goal": "minimize", "impute": "worst", "impute_while_running": "false", **data["metric"]}
        raw["metric"] = m
        metric = Metric(m["name"], m["goal"], m.get("target"), m["impute"], m["impute_while_running"])
    if method == "bayes" and metric is None:
        raise SweepConfigError("metric.name", "missing; bayes search needs metric: {name: ..., goal: ...}")
    searchable = tuple(p for p in leaves if not p.is_constant)
    if method == "bayes" and not searchable:
        raise SweepConfigError("parameters", "bayes search needs a parameter that is not a constant")
    if method == "grid":
        _check_grid(leaves)

    early = None
    if "early_terminate" in data:
        if metric is None:
            raise SweepConfigError(
                "metric.name", "missing; early_terminate needs the metric it judges runs by"
            )
        e = {"eta": 3, "strict": True, "brackets": 1, **data["early_terminate"]}
        raw["early_terminate"] = e
        early = EarlyTerminate(
            "hyperband",
            e["eta"],
            e["strict"],
            e.get("min_iter"),
            e.get("max_iter"),
            e.get("s"),
            e["brackets"],
        )
        _check_hyperband(early)

    command = None
    if "command" in data:
        command = tuple(str(c) if not isinstance(c, bool) else str(c).lower() for c in data["command"])
        _check_command(command)

    return SweepConfig(
        raw=raw,
        method=method,
        parameters=tuple(leaves),
        metric=metric,
        early_terminate=early,
        command=command,
        program=data.get("program"),
        run_cap=data.get("run_cap"),
        seed=data.get("seed"),
        name=data.get("name"),
        description=data.get("description"),
        entity=data.get("entity"),
        project=data.get("project"),
        searchable=searchable,
    )


def _infer(spec: Mapping[str, Any], path: str) -> str:
    """wandb's rules: values -> categorical, value -> constant, int min/max -> int_uniform, else uniform."""
    if "distribution" in spec:
        d = spec["distribution"]
        if not isinstance(d, str) or d not in DISTRIBUTIONS:
            name = d if isinstance(d, str) else repr(d)
            raise SweepConfigError(
                join(path, "distribution"),
                f"unknown distribution {name!r}; {suggest(str(d), DISTRIBUTIONS)}"
                f"use one of: {', '.join(DISTRIBUTIONS)}",
            )
        return str(d)
    if "parameters" in spec:
        return "nested"
    if "values" in spec:
        return "categorical_w_probabilities" if "probabilities" in spec else "categorical"
    if "value" in spec:
        return "constant"
    if "min" in spec and "max" in spec:
        return "int_uniform" if is_int(spec["min"]) and is_int(spec["max"]) else "uniform"
    for have, need in (("min", "max"), ("max", "min")):
        if have in spec:
            raise SweepConfigError(join(path, need), f"missing; a range needs both min and max (has {have})")
    raise SweepConfigError(
        path, "cannot tell the distribution: give values: [...], value: ..., min and max, or distribution:"
    )


def _check_parameters(
    params: Mapping[str, Any], path: str, prefix: tuple[str, ...], leaves: list[Param]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if not params:
        raise SweepConfigError(path, "is empty; give at least one parameter")
    for name, spec in params.items():
        where = join(path, name)
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise SweepConfigError(
                where, f"{name!r} is not a valid parameter name: use letters, digits, _ . -"
            )
        if not isinstance(spec, Mapping):
            raise SweepConfigError(
                where, f"must be a mapping such as {{values: [...]}} or {{value: {spec!r}}}, got {spec!r}"
            )
        dist = _infer(spec, where)
        if dist == "nested":
            _raise_first(_validator("#/$defs/nested"), dict(spec), where, "in a nested parameter group")
            sub = _check_parameters(spec["parameters"], join(where, "parameters"), (*prefix, name), leaves)
            out[name] = {"parameters": sub}
            continue
        full = {"distribution": dist, **spec}
        _raise_first(_validator(f"#/$defs/{dist}"), full, where, f"for a {dist} parameter")
        defaults = load_schema()["$defs"][dist]["properties"]
        for key, prop in defaults.items():
            if "default" in prop and key not in full:
                full[key] = prop["default"]
        _check_values(full, dist, where)
        leaves.append(Param((*prefix, name), dist, full))
        out[name] = full
    return out


def _check_values(spec: Mapping[str, Any], dist: str, where: str) -> None:
    if "min" in spec and "max" in spec and spec["min"] > spec["max"]:
        raise SweepConfigError(
            join(where, "min"), f"min ({spec['min']}) is greater than max ({spec['max']}); swap them"
        )
    if dist == "categorical_w_probabilities":
        values, probs = spec["values"], spec["probabilities"]
        if len(values) != len(probs):
            raise SweepConfigError(
                join(where, "probabilities"),
                f"{len(probs)} probabilities for {len(values)} values; give one probability per value",
            )
        if not isclose_one(sum(probs)):
            raise SweepConfigError(join(where, "probabilities"), f"sum to {sum(probs)}; they must sum to 1")


def _check_grid(leaves: list[Param]) -> None:
    for p in leaves:
        if p.distribution == "categorical_w_probabilities":
            raise SweepConfigError(
                f"parameters.{p.key}.probabilities",
                "grid search tries every value once, so probabilities mean nothing; drop them or use random",
            )
        if p.finite_count() is None:
            raise SweepConfigError(
                f"parameters.{p.key}",
                f"grid search cannot enumerate a {p.distribution} parameter; give {_GRID_OK}, "
                "or use method: random or bayes",
            )
    total = finite_product(tuple(leaves))
    if total is not None and total > 10_000_000:
        raise SweepConfigError("parameters", f"the grid has {total} points; narrow it or use random/bayes")


def _check_hyperband(et: EarlyTerminate) -> None:
    if not bands(et):
        raise SweepConfigError(
            "early_terminate.max_iter",
            f"max_iter {et.max_iter} / eta {et.eta} is below 1, so there is no band; "
            "raise max_iter or lower eta",
        )
    if et.min_iter is None and et.brackets > len(bands(et)) + 1:
        raise SweepConfigError(
            "early_terminate.brackets",
            f"{et.brackets} brackets but only {len(bands(et))} bands; use at most {len(bands(et)) + 1}",
        )


def _check_command(command: tuple[str, ...]) -> None:
    for i, item in enumerate(command):
        for name in macro_names(item):
            where = f"command[{i}]"
            if name.startswith("envvar"):
                if not is_envvar_macro(name):
                    raise SweepConfigError(
                        where, f"${{{name}}}: write ${{envvar:NAME}} with NAME in A-Z, 0-9 and _"
                    )
                continue
            if name not in COMMAND_MACROS:
                known = ", ".join(f"${{{m}}}" for m in COMMAND_MACROS)
                raise SweepConfigError(
                    where,
                    f"unknown macro ${{{name}}}; {suggest(name, COMMAND_MACROS)}"
                    f"known: {known}, ${{envvar:NAME}}",
                )
            if item != f"${{{name}}}":
                raise SweepConfigError(
                    where,
                    f"${{{name}}} expands to a list of arguments, so it must be a command item of its own",
                )
