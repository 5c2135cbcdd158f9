"""The runs table's columns, group-by and name search: pure rows, the service on both backends, and HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.runs.filters import compile_filters, parse_order, sort_rows
from wanllmdb_functions.runs.grouping import group_rows
from wanllmdb_functions.runs.index_rows import MISSING, NOTES_PREFIX_CHARS, build_index_row, field_value
from wanllmdb_functions.runs.models import RunCreate, RunMetadata, RunPatch, SummaryPatch

from .conftest import World


def row(run_id: str, **run: Any) -> dict[str, Any]:
    item = {"id": run_id, "project_id": "p", "state": "finished", "created_at": "2026-01-01T00:00:00.000000Z"}
    return build_index_row({**item, **run}, run.pop("c", {}))


# -- columns ---------------------------------------------------------------------------------------
def test_index_row_holds_user_host_and_a_bounded_prefix_of_the_notes() -> None:
    r = row("a", created_by="alice", metadata={"host": "gpu-7", "os": "Linux"}, notes="n" * 5000)
    assert r["created_by"] == "alice" and r["host"] == "gpu-7"
    assert r["notes"] == "n" * NOTES_PREFIX_CHARS
    assert "metadata" not in r and "os" not in r


def test_duration_and_runtime_are_derived_so_rows_written_before_them_have_them() -> None:
    old = {
        "run_id": "a",
        "created_at": "2026-01-01T00:00:00.000000Z",
        "finished_at": "2026-01-01T00:00:01.250000Z",
    }
    assert field_value(old, "duration") == 1.25
    assert field_value(old, "runtime") == 1.25  # no `_runtime` kept by the script: the wall time
    assert field_value({**old, "s": {"_runtime": 0.85}}, "runtime") == 0.85
    running = {"run_id": "b", "created_at": "2026-01-01T00:00:00.000000Z"}
    assert field_value(running, "duration") is MISSING
    assert field_value({"run_id": "c"}, "host") is MISSING


def test_new_columns_filter_and_sort() -> None:
    rows = [
        row("a", created_by="alice", metadata={"host": "gpu-1"}, finished_at="2026-01-01T00:00:03.000000Z"),
        row("b", created_by="bob", metadata={"host": "gpu-2"}, finished_at="2026-01-01T00:00:00.850000Z"),
        row("c", state="running"),
    ]
    assert [r["run_id"] for r in rows if compile_filters('{"created_by": "bob"}')(r)] == ["b"]
    assert [r["run_id"] for r in rows if compile_filters('{"host": {"$exists": true}}')(r)] == ["a", "b"]
    assert [r["run_id"] for _, r in sort_rows(rows, parse_order("duration"))] == ["b", "a", "c"]


# -- substring search ------------------------------------------------------------------------------
def test_name_search_matches_substrings_case_insensitively() -> None:
    rows = [row("a", name="resnet50-lr0.1"), row("b", name="ViT-base-LR0.01"), row("c", tags=["Sweep-7"])]
    match = compile_filters('{"name": {"$contains": "lr0.1"}}')
    assert [r["run_id"] for r in rows if match(r)] == ["a"]
    assert [r["run_id"] for r in rows if compile_filters('{"name": {"$contains": "LR0"}}')(r)] == ["a", "b"]
    assert [r["run_id"] for r in rows if compile_filters('{"tags": {"$contains": "sweep"}}')(r)] == ["c"]


@pytest.mark.parametrize("arg", ['""', "3", '["a"]', json.dumps("x" * 257)])
def test_contains_needs_a_short_string(arg: str) -> None:
    with pytest.raises(InvalidInput) as err:
        compile_filters(f'{{"name": {{"$contains": {arg}}}}}')
    assert err.value.field == "filters"


# -- grouping (pure) -------------------------------------------------------------------------------
def test_groups_count_runs_and_aggregate_numeric_columns_with_none_last() -> None:
    rows = [
        row("a", c={"lr": 0.1}, summary={"loss": 1.0, "acc": 0.5}),
        row("b", c={"lr": 0.1}, summary={"loss": 3.0, "acc": "n/a"}),
        row("c", c={"lr": 0.01}, summary={"loss": float("nan")}),
        row("d", summary={"loss": 2.0}),
        row("e", c={"lr": 1}, summary={"loss": 5.0}),
        row("f", c={"lr": 1.0}, summary={}),
    ]
    got = group_rows(rows, "config.lr", None)
    assert [(g.label, g.count) for g in got.groups] == [("0.01", 1), ("0.1", 2), ("1", 2), ("(none)", 1)]
    assert got.total == 6 and got.columns == ["summary.acc", "summary.loss"] and not got.truncated
    lr01 = got.groups[1]
    assert lr01.stats["summary.loss"].model_dump() == {"count": 2, "mean": 2.0, "min": 1.0, "max": 3.0}
    assert lr01.stats["summary.acc"].count == 1  # a string is not a number
    assert "summary.loss" not in got.groups[0].stats  # NaN is no value
    # Each group's filter selects exactly its runs, for listing a group when it is expanded.
    for group in got.groups:
        pick = compile_filters(json.dumps(group.filter))
        assert sum(pick(r) for r in rows) == group.count


def test_tags_group_each_tag_and_untagged_runs_form_the_none_group() -> None:
    rows = [row("a", tags=["x", "y"]), row("b", tags=["y"]), row("c", tags=[]), row("d")]
    got = group_rows(rows, "tags", [])
    assert [(g.label, g.count) for g in got.groups] == [("x", 1), ("y", 2), ("(none)", 2)]
    for group in got.groups:
        pick = compile_filters(json.dumps(group.filter))
        assert sum(pick(r) for r in rows) == group.count


def test_group_by_an_unknown_field_names_the_by_parameter() -> None:
    with pytest.raises(InvalidInput) as err:
        group_rows([], "owner", None)
    assert err.value.field == "by"


# -- the service on both backends ------------------------------------------------------------------
def _create(w: World, run_id: str, **body: Any) -> None:
    w.runs.create(w.owner, w.project_id, RunCreate(id=run_id, **body))


def test_service_groups_honour_filters_and_list_a_group_by_its_filter(world: World) -> None:
    for i in range(9):
        _create(world, f"r{i}", name=f"trial-{i}", config={"lr": [0.1, 0.01, 0.001][i % 3]},
                group="sweep" if i < 6 else None, job_type="train")  # fmt: skip
        world.runs.patch_summary(world.owner, f"r{i}", SummaryPatch(summary={"loss": float(i)}))
    world.runs.patch(world.owner, "r8", RunPatch(state="finished"))

    by_group = world.table.groups(world.owner, world.project_id, by="group", columns="summary.loss")
    assert [(g.label, g.count) for g in by_group.groups] == [("sweep", 6), ("(none)", 3)]
    assert by_group.groups[0].stats["summary.loss"].model_dump() == {
        "count": 6,
        "mean": 2.5,
        "min": 0,
        "max": 5,
    }

    filters = json.dumps({"summary.loss": {"$gte": 3}})
    by_lr = world.table.groups(world.owner, world.project_id, by="config.lr", filters=filters)
    assert [(g.value, g.count) for g in by_lr.groups] == [(0.001, 2), (0.01, 2), (0.1, 2)]
    assert by_lr.total == 6
    assert (
        world.table.groups(world.owner, world.project_id, by="job_type", state="finished").groups[0].count
        == 1
    )

    # Expanding a group lists its runs: the table's filters AND the group's own.
    group = by_lr.groups[1]
    page = world.table.list(
        world.owner, world.project_id, filters=json.dumps({"$and": [json.loads(filters), group.filter]})
    )
    assert sorted(r.id for r in page.items) == ["r4", "r7"]


def test_service_lists_creator_host_and_finds_runs_by_any_part_of_the_name(world: World) -> None:
    _create(world, "a", name="resnet-lr0.1-seed3", metadata=RunMetadata(host="gpu-7"))
    _create(world, "b", name="vit-base")
    run = world.table.list(world.owner, world.project_id, filters='{"host": "gpu-7"}').items
    assert [(r.id, r.created_by, r.metadata["host"]) for r in run] == [("a", "alice", "gpu-7")]
    found = world.table.list(world.owner, world.project_id, filters='{"name": {"$contains": "SEED3"}}')
    assert [r.id for r in found.items] == ["a"]
    assert world.table.list(world.owner, world.project_id, filters='{"created_by": "alice"}').total == 2


def test_service_groups_need_read_access(world: World) -> None:
    from wanllmdb_functions.core.errors import NotFound

    with pytest.raises(NotFound):
        world.table.groups(world.stranger, world.project_id, by="group")
    assert world.table.groups(world.viewer, world.project_id, by="group").total == 0


# -- HTTP ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def http(module_server: LocalServer) -> Iterator[tuple[httpx.Client, str]]:
    key = (module_server.data_dir / "admin-api-key").read_text().strip()
    client = httpx.Client(base_url=module_server.url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    project = client.post("/api/projects", json={"name": "grouping"})
    assert project.status_code == 201, project.text
    yield client, project.json()["id"]
    client.close()


@pytest.mark.slow
def test_groups_over_http_with_counts_stats_and_errors(http: tuple[httpx.Client, str]) -> None:
    client, pid = http
    for i, lr in enumerate([0.1, 0.1, 0.01]):
        r = client.post(
            f"/api/projects/{pid}/runs", json={"id": f"h{i}", "name": f"Run-{i}", "config": {"lr": lr}}
        )
        assert r.status_code == 201, r.text
        assert r.json()["created_by"] == "admin"
        client.patch(f"/api/runs/h{i}/summary", params={"project_id": pid}, json={"summary": {"loss": i}})
    got = client.get(
        f"/api/projects/{pid}/runs/groups", params={"by": "config.lr", "columns": "summary.loss"}
    )
    assert got.status_code == 200, got.text
    body = got.json()
    assert [(g["label"], g["count"]) for g in body["groups"]] == [("0.01", 1), ("0.1", 2)]
    assert body["groups"][1]["stats"]["summary.loss"] == {"count": 2, "mean": 0.5, "min": 0.0, "max": 1.0}
    assert body["groups"][1]["filter"] == {"config.lr": 0.1}
    found = client.get(f"/api/projects/{pid}/runs", params={"filters": '{"name": {"$contains": "n-2"}}'})
    assert [r["id"] for r in found.json()["items"]] == ["h2"]
    bad = client.get(f"/api/projects/{pid}/runs/groups", params={"by": "owner"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "by"
    assert client.get(f"/api/projects/{pid}/runs/groups").status_code in (400, 422)
