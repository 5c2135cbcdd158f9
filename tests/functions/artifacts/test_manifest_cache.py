"""The server's cache of read manifests: by content, bounded by entries, least recently used out."""

from __future__ import annotations

import polars as pl

from wanllmdb_functions.artifacts.manifest import Manifest, ManifestCache


def manifest(n: int) -> Manifest:
    return Manifest(pl.DataFrame({"path": [f"f{i}" for i in range(n)]}))


def test_the_cache_holds_manifests_up_to_its_entry_budget_least_recently_used_out() -> None:
    cache = ManifestCache(max_entries=10)
    a, b, c = manifest(4), manifest(4), manifest(4)
    cache.put("p", "a" * 64, a)
    cache.put("p", "b" * 64, b)
    assert cache.get("p", "a" * 64) is a  # used: b is now the oldest
    cache.put("p", "c" * 64, c)
    assert cache.get("p", "b" * 64) is None
    assert cache.get("p", "a" * 64) is a and cache.get("p", "c" * 64) is c
    assert cache.get("other", "a" * 64) is None  # per project: the same bytes elsewhere are not shared
