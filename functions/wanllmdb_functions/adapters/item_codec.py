"""Shared item rules for every ItemStore adapter: key checks, size bound, cursors, update maths."""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Sequence
from typing import Any

import orjson

from ..core.errors import InvalidInput, TooLarge
from ..ports.item_store import INDEX_ATTRS, INDEXES, MAX_ITEM_BYTES, Item, TransactOp

__all__ = [
    "PreparedOp",
    "added",
    "apply_update",
    "check_item",
    "decode_cursor",
    "decode_json",
    "encode_cursor",
    "index_keys",
    "is_expired",
    "prefix_upper_bound",
    "prepared_writes",
]

# The largest code point: every string with the prefix sorts below prefix + this.
_MAX_CHAR = chr(0x10FFFF)


def dumps(item: Item) -> str:
    return json.dumps(item, separators=(",", ":"), allow_nan=True, ensure_ascii=False)


def decode_json(text: str | bytes) -> Any:
    """A stored item (or value) back from `dumps`.

    orjson reads standard JSON about three times faster than json, which is what a runs table of
    thousands of rows spends its time on. The NaN and Infinity that `dumps` writes (a metric can be
    NaN), and integers beyond 64 bits, are not standard JSON: those items fall back to json.
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def check_item(item: Item) -> str:
    """Validate key attributes and size; returns the item's JSON encoding."""
    for attr in ("pk", "sk"):
        if not isinstance(item.get(attr), str) or not item[attr]:
            raise InvalidInput(f"item attribute {attr!r} must be a non-empty string", field=attr)
    for attr in INDEX_ATTRS:
        if attr in item and item[attr] is not None and not isinstance(item[attr], str):
            raise InvalidInput(f"index attribute {attr!r} must be a string", field=attr)
    if "ttl" in item and item["ttl"] is not None and not isinstance(item["ttl"], int):
        raise InvalidInput("ttl must be an integer epoch second", field="ttl")
    encoded = dumps(item)
    if len(encoded.encode()) > MAX_ITEM_BYTES:
        raise TooLarge(f"item is over {MAX_ITEM_BYTES} bytes; store large payloads as blobs", field="item")
    return encoded


def is_expired(item: Item, now: float) -> bool:
    ttl = item.get("ttl")
    return isinstance(ttl, int) and ttl <= now


def index_keys(index: str) -> tuple[str, str]:
    try:
        return INDEXES[index]
    except KeyError:
        raise InvalidInput(f"unknown index {index!r}; use one of {sorted(INDEXES)}", field="index") from None


def check_query(pk: str, sk_prefix: str | None, sk_between: tuple[str, str] | None) -> None:
    """DynamoDB refuses an empty string as a key value in a query; every adapter refuses it the same
    way, so code that would fail on AWS fails in local tests too."""
    values = [("pk", pk), ("sk_prefix", sk_prefix), *(("sk_between", v) for v in (sk_between or ()))]
    for name, value in values:
        if value is not None and (not isinstance(value, str) or value == ""):
            raise InvalidInput(
                f"{name} must be a non-empty string (DynamoDB refuses empty key values)", field=name
            )


def prefix_upper_bound(prefix: str) -> str:
    return prefix + _MAX_CHAR


def encode_cursor(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str, length: int) -> list[str]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("cursor is not one this server issued", field="cursor") from None
    if not isinstance(values, list) or len(values) != length or not all(isinstance(v, str) for v in values):
        raise InvalidInput("cursor is not one this server issued", field="cursor")
    return values


def added(op_item: Item) -> dict[str, int | float]:
    """The increments of a transaction's `add` op: every attribute beside the key, each a finite number."""
    increments = {k: v for k, v in op_item.items() if k not in ("pk", "sk")}
    if not increments:
        raise InvalidInput("an add op needs at least one attribute to add to", field="item")
    for name, delta in increments.items():
        if isinstance(delta, bool) or not isinstance(delta, int | float):
            raise InvalidInput(f"increment for {name!r} must be a number", field=name)
        if isinstance(delta, float) and not math.isfinite(delta):
            raise InvalidInput(f"increment for {name!r} must be finite", field=name)
    return increments


# An op of a transaction, with a put's encoded body or an add's increments (None for the others).
PreparedOp = tuple[TransactOp, str | None, dict[str, int | float] | None]


def prepared_writes(ops: Sequence[TransactOp]) -> list[PreparedOp]:
    """A SQL store's transaction, each op checked before it starts, as DynamoDB checks a request."""
    return [
        (
            op,
            check_item(op.item) if op.action == "put" else None,
            added(op.item) if op.action == "add" else None,
        )
        for op in ops
    ]


def apply_update(
    current: Item | None,
    pk: str,
    sk: str,
    set_attrs: dict[str, Any] | None,
    remove: list[str] | None,
    add: dict[str, int | float] | None,
) -> Item:
    """The new item after an update, with DynamoDB's rules (ADD to a missing attribute starts at 0)."""
    for name in [*(set_attrs or {}), *(remove or []), *(add or {})]:
        if name in ("pk", "sk"):
            raise InvalidInput("an update cannot change the key attributes", field=name)
    item: Item = dict(current) if current else {"pk": pk, "sk": sk}
    item.update(set_attrs or {})
    for name in remove or []:
        item.pop(name, None)
    for name, delta in (add or {}).items():
        base = item.get(name, 0)
        if isinstance(base, bool) or not isinstance(base, int | float):
            raise InvalidInput(f"attribute {name!r} is not a number and cannot be added to", field=name)
        if isinstance(delta, float) and not math.isfinite(delta):
            raise InvalidInput(f"increment for {name!r} must be finite", field=name)
        item[name] = base + delta
    return item
