"""The query routes over real HTTP against a real local server, with chunks uploaded through grants."""

from __future__ import annotations

import io
import math
import time
from pathlib import Path

import duckdb
import httpx
import polars as pl
import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(module_server: LocalServer) -> LocalServer:
    return module_server


@pytest.fixture(scope="module")
def alice(server: LocalServer) -> User:
    return register(server)


@pytest.fixture(scope="module")
def long_run(alice: User) -> tuple[str, str]:
    """5,000 steps of `loss` with one spike, plus `acc` every 10 steps, in five chunks."""
    project = alice.project()
    run = alice.run(project, config={"lr": 0.1})
    for seq in range(5):
        steps = list(range(seq * 1000, seq * 1000 + 1000))
        loss = [1.0 / (s + 1) for s in steps]
        if seq == 3:
            loss[500] = 1e6  # the spike a sampled chart would hide
        alice.upload(run, seq=seq, steps=steps, values={"loss": loss})
    alice.upload(
        run, seq=5, steps=list(range(0, 5000, 10)), values={"acc": [s / 5000 for s in range(0, 5000, 10)]}
    )
    return project, run


def test_envelope_has_every_bucket_field_and_keeps_the_spike(alice: User, long_run: tuple[str, str]) -> None:
    _, run = long_run
    response = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "loss,acc", "buckets": 100})
    assert response.status_code == 200, response.text
    series = response.json()["series"]
    loss = series["loss"]
    assert loss["raw"] is False
    assert set(loss["buckets"]) == {"x0", "x1", "count", "min", "max", "mean", "first", "last"}
    assert sum(loss["buckets"]["count"]) == 5000 and max(loss["buckets"]["max"]) == 1e6
    assert series["acc"]["raw"] is False and len(series["acc"]["buckets"]["x0"]) == 100
    assert response.json()["last_step"] == 4999


def test_zoom_returns_full_resolution_inside_the_range(alice: User, long_run: tuple[str, str]) -> None:
    _, run = long_run
    body = alice.request(
        "GET", f"/runs/{run}/metrics", params={"keys": "loss", "min": 3400, "max": 3600}
    ).json()
    points = body["series"]["loss"]["points"]
    assert body["series"]["loss"]["raw"] is True
    assert points["x"] == list(range(3400, 3601)) and 1e6 in points["y"]


def test_unknown_keys_are_empty_and_bad_buckets_name_the_field(
    alice: User, long_run: tuple[str, str]
) -> None:
    _, run = long_run
    body = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "nope"}).json()
    assert body["series"] == {}
    for buckets in (0, 10_001):
        response = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "loss", "buckets": buckets})
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "buckets"


def test_metric_keys_lists_the_runs_keys(alice: User, long_run: tuple[str, str]) -> None:
    _, run = long_run
    assert alice.request("GET", f"/runs/{run}/metric-keys").json()["keys"] == ["acc", "loss"]
    assert alice.request("GET", f"/runs/{run}/metric-keys", params={"stream": "system"}).json()["keys"] == []


def test_live_reads_get_only_newer_steps_and_304_when_nothing_changed(alice: User) -> None:
    project = alice.project()
    run = alice.run(project)
    alice.upload(run, seq=0, steps=[0, 1, 2], values={"loss": [3.0, 2.0, 1.0]})
    first = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "loss"})
    etag = first.headers["ETag"]
    again = alice.request(
        "GET", f"/runs/{run}/metrics", params={"keys": "loss"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.content == b""
    alice.upload(run, seq=1, steps=[3, 4], values={"loss": [0.5, 0.25]})
    newer = alice.request(
        "GET",
        f"/runs/{run}/metrics",
        params={"keys": "loss", "after_step": 2},
        headers={"If-None-Match": etag},
    )
    assert newer.status_code == 200 and newer.headers["ETag"] != etag
    assert newer.json()["series"]["loss"]["points"] == {"x": [3, 4], "y": [0.5, 0.25]}
    assert newer.json()["last_step"] == 4


def test_resumed_run_shows_the_latest_attempt_per_step(alice: User) -> None:
    project = alice.project()
    run = alice.run(project)
    alice.upload(run, seq=0, steps=[0, 1, 2, 3], values={"loss": [4.0, 3.0, 2.0, 1.0]})
    assert alice.request("PATCH", f"/runs/{run}", json={"state": "crashed"}).status_code == 200
    alice.run(project, run, resume="allow")
    alice.upload(run, seq=0, attempt=1, steps=[2, 3, 4], values={"loss": [20.0, 30.0, 40.0]})
    points = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "loss"}).json()["series"]["loss"]
    assert points["points"] == {"x": [0, 1, 2, 3, 4], "y": [4.0, 3.0, 20.0, 30.0, 40.0]}


def test_corrupt_chunk_is_reported_and_skipped(alice: User) -> None:
    project = alice.project()
    run = alice.run(project)
    alice.upload(run, seq=0, steps=[0, 1], values={"loss": [1.0, 2.0]})
    bad = alice.upload_bytes(run, b"PAR1 but not really a parquet file", seq=1)
    alice.upload(run, seq=2, steps=[2], values={"loss": [3.0]})
    body = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "loss"}).json()
    assert body["series"]["loss"]["points"]["y"] == [1.0, 2.0, 3.0]
    assert body["warnings"] == [f"skipped corrupt object {bad}"]


def test_non_finite_values_survive_json(alice: User) -> None:
    project = alice.project()
    run = alice.run(project)
    alice.upload(run, seq=0, steps=[0, 1, 2], values={"x": [math.inf, math.nan, -math.inf]})
    points = alice.request("GET", f"/runs/{run}/metrics", params={"keys": "x"}).json()["series"]["x"][
        "points"
    ]
    assert points["y"] == ["Infinity", "NaN", "-Infinity"]


def test_compare_overlays_runs_and_bands_groups(alice: User) -> None:
    project = alice.project()
    runs = []
    for i, lr in enumerate([0.1, 0.1, 0.01]):
        run = alice.run(project, config={"lr": lr})
        alice.upload(run, seq=0, steps=[0, 1, 2], values={"loss": [1.0 + i, 2.0 + i, 3.0 + i]})
        runs.append(run)
    body = {"runs": [*runs, "no-such-run"], "keys": ["loss", "nope"], "group_by": "config.lr"}
    response = alice.request("POST", f"/projects/{project}/metrics/query", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer["runs"]) == set(runs)
    assert answer["runs"][runs[2]]["loss"]["points"]["y"] == [3.0, 4.0, 5.0]
    bands = {g["value"]: g for g in answer["groups"]}
    assert sorted(bands[0.1]["runs"]) == sorted(runs[:2])
    band = bands[0.1]["series"]["loss"]
    assert (
        band["mean"] == [1.5, 2.5, 3.5] and band["min"] == [1.0, 2.0, 3.0] and band["std"] == [0.5, 0.5, 0.5]
    )
    bad = alice.request("POST", f"/projects/{project}/metrics/query", json={**body, "buckets": 0})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "buckets"


def test_compare_groups_by_tags_a_run_counting_in_each_of_its_tags(alice: User) -> None:
    project = alice.project()
    runs = []
    for i, tags in enumerate([["a"], ["a", "b"], []]):
        run = alice.run(project, tags=tags)
        alice.upload(run, seq=0, steps=[0, 1], values={"loss": [float(i), float(i) + 1]})
        runs.append(run)
    body = {"runs": runs, "keys": ["loss"], "group_by": "tags"}
    response = alice.request("POST", f"/projects/{project}/metrics/query", json=body)
    assert response.status_code == 200, response.text
    groups = {g["value"]: sorted(g["runs"]) for g in response.json()["groups"]}
    assert groups == {"a": sorted(runs[:2]), "b": [runs[1]], None: [runs[2]]}


def test_other_users_cannot_read_a_private_runs_metrics(
    server: LocalServer, long_run: tuple[str, str]
) -> None:
    project, run = long_run
    mallory = register(server)
    assert mallory.request("GET", f"/runs/{run}/metrics", params={"keys": "loss"}).status_code == 404
    compare = {"runs": [run], "keys": ["loss"]}
    assert mallory.request("POST", f"/projects/{project}/metrics/query", json=compare).status_code == 404
    sql = mallory.request("POST", "/sql", json={"query": "SELECT count(*) AS n FROM metrics"})
    assert sql.status_code == 200 and sql.json()["rows"] == [[0]]
    assert httpx.get(f"{server.url}/api/runs/{run}/metrics").status_code == 404  # no token: public only


def test_sql_reads_metrics_and_runs_and_refuses_writes(alice: User, long_run: tuple[str, str]) -> None:
    project, run = long_run
    query = (
        "SELECT m.run, r.state, max(m.value) AS peak FROM metrics m JOIN runs r ON m.run = r.run "
        f"WHERE m.key = 'loss' AND m.run = '{run}' GROUP BY m.run, r.state"
    )
    response = alice.request("POST", "/sql", json={"query": query, "projects": [project]})
    assert response.status_code == 200, response.text
    assert response.json()["columns"] == ["run", "state", "peak"]
    assert response.json()["rows"] == [[run, "running", 1e6]]
    by_config = alice.request(
        "POST", "/sql", json={"query": f"SELECT \"config.lr\" AS lr FROM runs WHERE run = '{run}'"}
    )
    assert by_config.status_code == 200, by_config.text
    assert by_config.json()["rows"] == [[0.1]]
    limited = alice.request("POST", "/sql", json={"query": "SELECT step FROM metrics", "limit": 3}).json()
    assert len(limited["rows"]) == 3 and limited["truncated"] is True
    for bad, reason in [
        ("DELETE FROM metrics", "read-only"),
        ("SELECT 1; DROP TABLE metrics", "one statement"),
        ("SELECT * FROM read_parquet('/etc/passwd')", "outside the lake"),
        ("SELECT * FROM no_such_table", "unknown table 'no_such_table'"),
        ("SELECT no_such_column FROM metrics", "SQL error"),
    ]:
        refused = alice.request("POST", "/sql", json={"query": bad})
        assert refused.status_code == 400, bad
        assert reason in refused.json()["error"]["message"] and refused.json()["error"]["field"] == "query"


def test_history_pages_and_parquet_format(alice: User, long_run: tuple[str, str]) -> None:
    _, run = long_run
    rows: list[dict[str, object]] = []
    cursor = None
    while True:
        params: dict[str, object] = {"keys": "loss,acc", "page_size": 2000}
        if cursor is not None:
            params["cursor"] = cursor
        page = alice.request("GET", f"/runs/{run}/history", params=params).json()
        rows += page["rows"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [r["_step"] for r in rows] == list(range(5000))
    assert rows[10]["acc"] == 10 / 5000 and "acc" not in rows[11]
    sampled = alice.request("GET", f"/runs/{run}/history", params={"samples": 50, "format": "parquet"})
    frame = pl.read_parquet(io.BytesIO(sampled.content))
    assert frame.height == 50 and frame["_step"][0] == 0 and frame["_step"][-1] == 4999


def test_finish_compacts_and_export_presigns_the_compacted_file(alice: User, server: LocalServer) -> None:
    project = alice.project()
    run = alice.run(project)
    for seq in range(3):
        alice.upload(run, seq=seq, steps=[seq], values={"loss": [float(seq)]})
    alice.upload(run, seq=2, steps=[2], values={"loss": [2.0]})  # a retried upload
    assert alice.request("PATCH", f"/runs/{run}", json={"state": "finished"}).status_code == 200
    stream_dir = server.data_dir / "lake" / f"metrics/project={project}/run={run}/stream=history"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and sorted(p.name for p in stream_dir.iterdir()) != [
        "compact-a0000s000000002.parquet"
    ]:
        time.sleep(0.1)
    assert [p.name for p in stream_dir.iterdir()] == ["compact-a0000s000000002.parquet"]
    export = alice.request("GET", f"/runs/{run}/export").json()
    assert export["key"].endswith("compact-a0000s000000002.parquet")
    frame = pl.read_parquet(io.BytesIO(httpx.get(export["url"]).content))
    assert frame["step"].to_list() == [0, 1, 2]


def test_project_export_is_one_parquet_with_configs_and_summaries(alice: User) -> None:
    project = alice.project()
    a = alice.run(project, config={"lr": 0.5})
    b = alice.run(project, config={"lr": 0.05})
    alice.upload(a, seq=0, steps=[0, 1], values={"loss": [1.0, 0.5]})
    response = alice.request("POST", f"/projects/{project}/export", json={})
    assert response.status_code == 200, response.text
    frame = pl.read_parquet(io.BytesIO(httpx.get(response.json()["url"]).content))
    assert sorted(set(frame["run"].to_list())) == sorted([a, b])
    assert frame.filter(pl.col("run") == a)["value"].to_list() == [1.0, 0.5]
    assert '"lr": 0.05' in frame.filter(pl.col("run") == b)["config"][0]
    again = alice.request("POST", f"/projects/{project}/export", json={}).json()
    assert again["key"] == response.json()["key"]


def test_duckdb_reads_the_lake_with_hive_partitions(
    alice: User, long_run: tuple[str, str], server: LocalServer
) -> None:
    project, run = long_run
    lake = Path(server.data_dir) / "lake"
    # The query docs/query.md gives analysts; compaction may be half-way, so it de-duplicates.
    rows = duckdb.sql(
        f"""
        SELECT key, count(*) AS n, max(value) AS peak
        FROM (SELECT DISTINCT project, run, stream, step, key, attempt, value
              FROM read_parquet('{lake}/metrics/**/*.parquet', hive_partitioning = true))
        WHERE project = '{project}' AND run = '{run}' AND stream = 'history'
        GROUP BY key ORDER BY key
        """
    ).fetchall()
    assert rows == [("acc", 500, 4990 / 5000), ("loss", 5000, 1e6)]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"keys": "loss", "buckets": "many"}, 422, "buckets"),
        ({"keys": "loss", "buckets": str(10**30)}, 400, "buckets"),
        ({"keys": "loss", "min": "5", "max": "1"}, 400, "min"),
        ({"keys": "loss", "stream": "gpu"}, 422, "stream"),
        ({"keys": "loss", "after_step": str(2**70)}, 422, "after_step"),
        ({"keys": "loss", "x": "no-such-axis"}, 200, None),
        ({"keys": "loss", "min": "nan"}, 200, None),
        ({"keys": "\x01bad"}, 400, "keys"),
        ({"keys": ",".join(f"k{i}" for i in range(101))}, 400, "keys"),
    ],
)
def test_bad_chart_parameters_name_the_field(
    alice: User, long_run: tuple[str, str], params: dict[str, str], status: int, field: str | None
) -> None:
    _, run = long_run
    response = alice.request("GET", f"/runs/{run}/metrics", params=params)
    assert response.status_code == status, response.text
    if field:
        assert response.json()["error"]["field"] == field


@pytest.mark.parametrize(
    ("params", "field"),
    [({"page_size": "0"}, "page_size"), ({"samples": "0"}, "samples"), ({"format": "xml"}, "format")],
)
def test_bad_history_parameters_name_the_field(
    alice: User, long_run: tuple[str, str], params: dict[str, str], field: str
) -> None:
    response = alice.request("GET", f"/runs/{long_run[1]}/history", params=params)
    assert response.status_code in (400, 422) and response.json()["error"]["field"] == field


def test_duckdb_joins_metrics_to_run_names_and_config_through_the_run_index(
    alice: User, server: LocalServer
) -> None:
    project = alice.project()
    fast = alice.run(project, name="fast", config={"lr": 0.1})
    slow = alice.run(project, name="slow", config={"lr": 0.001})
    alice.upload(fast, seq=0, steps=[0, 1, 2], values={"loss": [1.0, 0.4, 0.2]})
    alice.upload(slow, seq=0, steps=[0, 1, 2], values={"loss": [1.0, 0.9, 0.8]})
    lake = Path(server.data_dir) / "lake"
    index = lake / "runs" / f"project={project}" / "runs.parquet"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (index.is_file() and pl.read_parquet(index).height == 2):
        time.sleep(0.1)
    # The query docs/lake.md gives analysts.
    rows = duckdb.sql(
        f"""
        SELECT r.name, r."config.lr" AS lr, min(m.value) AS best_loss
        FROM read_parquet('{lake}/metrics/**/*.parquet', hive_partitioning = true) AS m
        JOIN read_parquet('{lake}/runs/project=*/runs.parquet', hive_partitioning = true,
                          union_by_name = true) AS r
          ON m.project = r.project AND m.run = r.run_id
        WHERE m.project = '{project}' AND m.stream = 'history' AND m.key = 'loss'
        GROUP BY r.name, lr
        ORDER BY best_loss
        """
    ).fetchall()
    assert rows == [("fast", 0.1, 0.2), ("slow", 0.001, 0.8)]
