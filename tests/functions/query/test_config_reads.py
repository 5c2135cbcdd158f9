"""Routes read a run's config only when they show or filter by it.

A config past `config_inline_max_bytes` (64 KiB) is a BlobStore object of up to 10 MB. Charts,
metric keys, history, files and run exports need the run's id, project and labels, never its
config, so they must not GET it; compare reads it only to group by `config.<path>`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.lake_chunks import put_chunk
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.core.caller import Caller
from wanllmdb_functions.core.settings import load_settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.query.models import CompareRequest, ExportRequest
from wanllmdb_functions.query.run_catalog import ServiceRunCatalog
from wanllmdb_functions.query.service import ChartQuery, QueryService
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

BIG_CONFIG = {"lr": 0.1, "vocab": ["token"] * 20_000}  # ~180 KB of JSON: stored as a blob


class CountingBlobs:
    """The lake, counting every GET by top-level prefix."""

    def __init__(self, inner: LocalBlobStore) -> None:
        self._inner = inner
        self.gets: Counter[str] = Counter()

    def get(self, key: str) -> bytes:
        self.gets[key.split("/", 1)[0]] += 1
        return self._inner.get(key)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


World = tuple[QueryService, CountingBlobs, Caller, str, list[str]]


@pytest.fixture
def world(tmp_path: Path) -> World:
    items = SqliteItemStore(tmp_path / "items.db")
    lake = LocalBlobStore(
        tmp_path / "lake", work_dir=tmp_path / "work", signer=UrlSigner(b"k" * 32, "http://127.0.0.1:9")
    )
    user = UserService(items).create("alice", password=None)
    key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "test").key
    caller = resolve_caller(items, key, session_ttl_s=3600)
    project, _ = ProjectService(items).create(caller, ProjectCreate(name="configs"))
    runs = RunService(items, lake, load_settings(backend="local", data_dir=tmp_path))
    run_ids = []
    for run_id, lr in (("big1", 0.1), ("big2", 0.2)):
        run, _ = runs.create(caller, project.id, RunCreate(id=run_id, config={**BIG_CONFIG, "lr": lr}))
        put_chunk(lake, project.id, run.id, seq=0, steps=[0, 1], values={"loss": [1.0, lr]})
        run_ids.append(run.id)
    assert [i.key for i in lake.list("configs/")], "the configs must live as blobs for this test to mean much"
    counting = CountingBlobs(lake)
    service = QueryService(counting, ServiceRunCatalog(items, counting))  # type: ignore[arg-type]
    return service, counting, caller, project.id, run_ids


def test_a_chart_of_a_run_with_a_large_config_reads_no_config(world: World) -> None:
    service, blobs, caller, _, (run_id, _) = world
    result = service.chart(caller, run_id, ChartQuery(keys=["loss"]))
    assert (result.series["loss"].points or {}).get("y") == [1.0, 0.1]
    assert blobs.gets["configs"] == 0 and blobs.gets["metrics"] == 1


def test_keys_history_files_and_run_export_read_no_config(world: World) -> None:
    service, blobs, caller, _, (run_id, _) = world
    service.metric_keys(caller, run_id, "history")
    service.history(
        caller, run_id, stream="history", keys=None, min_step=None, max_step=None, page_size=10, cursor=None
    )
    service.files(caller, run_id)
    service.export_run(caller, run_id, stream="history")
    assert blobs.gets["configs"] == 0


def test_compare_reads_configs_only_to_group_by_one(world: World) -> None:
    service, blobs, caller, project_id, run_ids = world
    plain = service.compare(caller, project_id, CompareRequest(runs=run_ids, keys=["loss"], group_by="state"))
    assert set(plain.runs) == set(run_ids) and blobs.gets["configs"] == 0

    by_lr = service.compare(
        caller, project_id, CompareRequest(runs=run_ids, keys=["loss"], group_by="config.lr")
    )
    assert sorted(g.value for g in by_lr.groups or []) == [0.1, 0.2]
    assert blobs.gets["configs"] == len(run_ids)


def test_project_export_still_carries_each_runs_whole_config(world: World) -> None:
    import json

    import polars as pl

    service, blobs, caller, project_id, run_ids = world
    export = service.export_project(caller, project_id, ExportRequest())
    frame = pl.read_parquet(blobs.get(export.key))
    configs = {run: json.loads(text) for run, text in frame.select("run", "config").unique().rows()}
    assert configs[run_ids[0]]["vocab"] == BIG_CONFIG["vocab"] and configs[run_ids[1]]["lr"] == 0.2
