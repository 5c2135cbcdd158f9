"""Validates a report spec against schemas/report.schema.json, plus what a schema cannot state.

`validate_spec(obj)` returns the spec or raises `SpecInvalid` (HTTP 422) whose `field` is the JSON path
of the first fault (`$.blocks[3].level`) and whose message says what to change. Checks beyond the schema:
the encoded size, the nesting depth (checked first, so a hostile document never reaches the recursive
validator), block ids unique across blocks, run sets and panels (comments anchor to them), and every
panel inside the 24-column grid (x + w <= 24).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..core.errors import InvalidInput

__all__ = [
    "GRID_COLUMNS",
    "MAX_DEPTH",
    "MAX_SPEC_BYTES",
    "REPORT_SCHEMA_PATH",
    "SPEC_VERSION",
    "SpecInvalid",
    "json_path",
    "report_schema",
    "validate_spec",
]

SPEC_VERSION = 1
GRID_COLUMNS = 24
# The encoded spec (compact JSON, UTF-8): a long write-up with many panels is ~100 KB; the cap leaves room
# for pasted code and logs (a code block alone may hold 1 MB) while bounding one version's storage.
MAX_SPEC_BYTES = 2 * 1024 * 1024
# Nesting of JSON containers: a list nested 10 deep with panel configs inside is ~25; a document deeper
# than this is hostile, and refusing it first keeps the recursive validator off Python's stack limit.
MAX_DEPTH = 64


class SpecInvalid(InvalidInput):
    """A report spec broke its schema or a rule beside it; `field` is the JSON path at fault."""

    status = 422


def _find_schema() -> Path:
    # In the repo this module sits at functions/wanllmdb_functions/reports/, so schemas/ is three levels
    # up; in a Lambda bundle (infra_cdk/bundle.py) it is /var/task/wanllmdb_functions/reports/ beside
    # /var/task/schemas/.
    here = Path(__file__).resolve()
    candidates = [root / "schemas" / "report.schema.json" for root in (here.parents[3], here.parents[2])]
    return next((c for c in candidates if c.is_file()), candidates[0])


REPORT_SCHEMA_PATH = _find_schema()


@functools.cache
def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(REPORT_SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@functools.cache
def _validator() -> Draft202012Validator:
    schema = report_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def json_path(parts: Iterable[str | int], root: str = "$") -> str:
    """`["blocks", 3, "level"]` -> `$.blocks[3].level`."""
    out = root
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def validate_spec(obj: Any, *, root: str = "$") -> dict[str, Any]:
    """The spec, unchanged, when it is valid; otherwise `SpecInvalid` naming the first fault's path.

    `root` prefixes every path (a route may pass "spec" so the field reads like the request body)."""
    if not isinstance(obj, dict):
        raise SpecInvalid(f"{root}: a report spec is a JSON object with version and blocks", field=root)
    _check_depth(obj, root)
    size = len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
    if size > MAX_SPEC_BYTES:
        raise SpecInvalid(
            f"{root}: the spec is {size} bytes, over the {MAX_SPEC_BYTES} byte limit; "
            "move large code or data into an artifact and link to it",
            field=root,
        )
    error = _first_error(_validator().iter_errors(obj))
    if error is not None:
        path, message = _explain(error, root)
        raise SpecInvalid(message, field=path)
    _check_ids(obj, root)
    _check_layouts(obj, root)
    return obj


def _check_depth(obj: Any, root: str) -> None:
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecInvalid(
                f"{root}: the spec nests deeper than {MAX_DEPTH} levels; flatten deeply nested lists",
                field=root,
            )
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _first_error(errors: Iterator[ValidationError]) -> ValidationError | None:
    # The deepest error is the most specific one; among equals the first in document order wins, so the
    # same spec always names the same fault.
    best: ValidationError | None = None
    for error in errors:
        if best is None or len(error.absolute_path) > len(best.absolute_path):
            best = error
    return best


def _explain(error: ValidationError, root: str) -> tuple[str, str]:
    parts = list(error.absolute_path)
    path = json_path(parts, root)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = next((k for k in expected if isinstance(value, dict) and k not in value), expected[0])
        path = json_path([*parts, missing], root)
        return path, f"{path} is required{_block_hint(value)}; add it"
    if kind == "additionalProperties":
        extra = sorted(set(value) - set(error.schema.get("properties", {})))
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        path = json_path([*parts, extra[0]], root) if extra else path
        return path, f"{path} is not a known field{_block_hint(value)}; remove it (allowed: {allowed})"
    if kind == "enum":
        choices = ", ".join(json.dumps(c) for c in expected)
        return path, f"{path} is {json.dumps(value)}; use one of {choices}"
    if kind == "const":
        return path, f"{path} is {json.dumps(value)}; it must be {json.dumps(expected)}"
    if kind == "type":
        return path, f"{path} must be of type {expected}, not {type(value).__name__}"
    if kind in ("maxLength", "maxItems", "maximum"):
        return path, f"{path} is over its limit ({kind} {expected}); shorten or split it"
    if kind in ("minLength", "minItems", "minimum"):
        return path, f"{path} is under its minimum ({kind} {expected}); add to it"
    if kind == "pattern":
        return path, f"{path} is {json.dumps(value)}, which does not match {expected}"
    if kind == "uniqueItems":
        return path, f"{path} lists an item twice; remove the repeat"
    return path, f"{path}: {error.message}"


def _block_hint(value: Any) -> str:
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return f" on a {value['type']} block" if "layout" not in value else f" on a {value['type']} panel"
    return ""


def _check_ids(spec: dict[str, Any], root: str) -> None:
    seen: dict[str, str] = {}
    for i, block in enumerate(spec["blocks"]):
        owners: list[tuple[str, list[str | int]]] = [(block["id"], ["blocks", i, "id"])]
        for kind in ("run_sets", "panels"):
            items = enumerate(block.get(kind, ()))
            owners += [(item["id"], ["blocks", i, kind, j, "id"]) for j, item in items]
        for ident, parts in owners:
            path = json_path(parts, root)
            if ident in seen:
                raise SpecInvalid(
                    f"{path} is {ident!r}, already used at {seen[ident]}; ids must be unique across "
                    "blocks, run sets and panels: give this one a new id",
                    field=path,
                )
            seen[ident] = path


def _check_layouts(spec: dict[str, Any], root: str) -> None:
    for i, block in enumerate(spec["blocks"]):
        for j, panel in enumerate(block.get("panels", ())):
            layout = panel["layout"]
            if layout["x"] + layout["w"] > GRID_COLUMNS:
                path = json_path(["blocks", i, "panels", j, "layout"], root)
                raise SpecInvalid(
                    f"{path} ends at column {layout['x'] + layout['w']}, past the {GRID_COLUMNS}-column "
                    f"grid; make x + w at most {GRID_COLUMNS}",
                    field=path,
                )
