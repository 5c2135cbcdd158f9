"""Pure functions on nested config/summary trees: deep merge, flattening to dotted leaves, diff."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["deep_merge", "depth", "diff_leaves", "flatten", "is_scalar"]

_MISSING = object()


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def depth(value: Any, *, limit: int) -> int:
    """Nesting depth of dicts and lists, counting no further than `limit` + 1 (no deep recursion)."""
    level, frontier = 0, [value]
    while frontier and level <= limit:
        children: list[Any] = []
        for node in frontier:
            if isinstance(node, dict):
                children.extend(node.values())
            elif isinstance(node, list):
                children.extend(node)
        if not children:
            break
        level += 1
        frontier = children
    return level


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A new dict: `patch` merged into `base`, recursing where both sides hold dicts."""
    merged = dict(base)
    for key, value in patch.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaves. Lists are leaves too: filters compare them whole (or by membership)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{path}."))
        else:
            out[path] = value
    return out


def _same(a: Any, b: Any) -> bool:
    # NaN never equals itself; two NaNs in the same place are no change.
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def diff_leaves(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Leaf-level comparison of two trees: {changed: {path: [a, b]}, only_a: {...}, only_b: {...}}."""
    fa, fb = flatten(a), flatten(b)
    changed = {p: [fa[p], fb[p]] for p in sorted(fa.keys() & fb.keys()) if not _same(fa[p], fb[p])}
    only_a = {p: fa[p] for p in sorted(fa.keys() - fb.keys())}
    only_b = {p: fb[p] for p in sorted(fb.keys() - fa.keys())}
    return {"changed": changed, "only_a": only_a, "only_b": only_b}
