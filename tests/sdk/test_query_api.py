"""`wanllmdb.Api()` and `wanllmdb sql` against a real local server, on runs logged by the SDK itself."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import polars as pl
import pytest
from click.testing import CliRunner

import wanllmdb
from tests.conftest import LocalServer, start_local_server
from tests.functions.query.lake_client import register
from wanllmdb.cli import main
from wanllmdb.rest import ApiError

pytestmark = pytest.mark.slow

STEPS = 300


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalServer, str, list[str]]]:
    """Two finished runs of project `zoo` (lr 0.1 and 0.01), logged through wanllmdb.init/log/finish."""
    root = tmp_path_factory.mktemp("api")
    server = start_local_server(root / "data")
    try:
        user = register(server)
        key = user.request("POST", "/keys", json={"name": "api-test"}).json()["key"]
        run_ids = []
        for lr in (0.1, 0.01):
            run = wanllmdb.init(
                project="zoo",
                config={"lr": lr, "arch": {"depth": 4}},
                settings={
                    "base_url": server.url,
                    "api_key": key,
                    "dir": root / "runs",
                    "console": "off",
                    "system_metrics": False,
                    "git": False,
                },
            )
            for step in range(STEPS):
                wanllmdb.log({"loss": lr * (STEPS - step), "acc": step / STEPS})
            (root / "notes.txt").write_text(f"lr={lr}")
            wanllmdb.save(str(root / "notes.txt"), base_path=str(root))
            run_ids.append(run.id)
            wanllmdb.finish()
        yield server, key, run_ids
    finally:
        server.stop()


@pytest.fixture
def api(logged: tuple[LocalServer, str, list[str]]) -> Iterator[wanllmdb.Api]:
    server, key, _ = logged
    with wanllmdb.Api(overrides={"base_url": server.url, "api_key": key}) as client:
        yield client


def test_runs_are_filtered_and_ordered_on_the_server(api: wanllmdb.Api, logged: tuple) -> None:
    _, _, (fast, slow) = logged
    runs = api.runs("zoo", filters={"config.lr": {"$gt": 0.05}})
    assert [r.id for r in runs] == [fast] and len(runs) == 1
    ordered = api.runs("zoo", order="config.lr", per_page=1)
    assert [r.id for r in ordered] == [slow, fast]
    either = api.runs("zoo", filters={"$or": [{"config.lr": {"$in": [0.01]}}, {"state": "running"}]})
    assert [r.id for r in either] == [slow]


def test_run_exposes_config_summary_and_state(api: wanllmdb.Api, logged: tuple) -> None:
    _, _, (fast, _) = logged
    run = api.run(f"zoo/{fast}")
    assert run.state == "finished"
    assert run.config["lr"] == 0.1 and run.config["arch"] == {"depth": 4}
    assert run.summary["loss"] == pytest.approx(0.1)


def test_history_samples_and_scan_history_reads_every_step(api: wanllmdb.Api, logged: tuple) -> None:
    _, _, (fast, _) = logged
    run = api.run(fast)
    sampled = run.history(samples=50, keys=["loss"], format="polars")
    assert isinstance(sampled, pl.DataFrame) and sampled.height == 50
    assert sampled["_step"][0] == 0 and sampled["_step"][-1] == STEPS - 1 and "loss" in sampled.columns
    rows = list(run.scan_history(keys=["loss", "acc"], page_size=128))
    assert [r["_step"] for r in rows] == list(range(STEPS))
    assert rows[10]["loss"] == pytest.approx(0.1 * (STEPS - 10)) and rows[10]["acc"] == pytest.approx(
        10 / STEPS
    )
    window = list(run.scan_history(keys=["loss"], min_step=100, max_step=109))
    assert [r["_step"] for r in window] == list(range(100, 110))
    assert run.metric_keys() == ["acc", "loss"]
    assert run.history(keys=["nope"], format="records") == []


def test_histories_of_many_runs_in_one_frame(api: wanllmdb.Api, logged: tuple) -> None:
    frame = api.runs("zoo").histories(samples=10, keys=["loss"], format="polars")
    assert frame.height == 20 and set(frame["run_id"].to_list()) == set(logged[2])


def test_the_default_history_call_never_fails_for_want_of_pandas(
    api: wanllmdb.Api, logged: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import polars as pl

    monkeypatch.setitem(sys.modules, "pandas", None)  # absent, as on this box
    frame = api.run(logged[2][0]).history(samples=5)
    assert isinstance(frame, pl.DataFrame) and frame.height == 5
    with pytest.raises(wanllmdb.UsageError, match="pip install pandas"):
        api.run(logged[2][0]).history(pandas=True)
    assert isinstance(api.run(logged[2][0]).history(pandas=False), list)
    assert isinstance(api.runs("zoo").histories(samples=5, keys=["loss"]), pl.DataFrame)


def test_export_parquet_is_the_full_history(api: wanllmdb.Api, logged: tuple) -> None:
    data = api.run(logged[2][0]).export_parquet()
    frame = pl.read_parquet(data)
    assert frame.filter(pl.col("key") == "loss").height == STEPS


def test_sql_cli_prints_rows_and_names_refusals(logged: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    server, key, (fast, _) = logged
    monkeypatch.setenv("WANLLMDB_API_KEY", key)
    query = f"SELECT run, count(*) AS n FROM metrics WHERE key = 'loss' AND run = '{fast}' GROUP BY run"
    result = CliRunner().invoke(main, ["sql", query, "--base-url", server.url, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"] == [[fast, STEPS]]
    table = CliRunner().invoke(main, ["sql", "SELECT 1 AS one FROM runs LIMIT 1", "--base-url", server.url])
    assert table.exit_code == 0 and table.output.splitlines()[0] == "one"
    refused = CliRunner().invoke(main, ["sql", "DROP TABLE metrics", "--base-url", server.url])
    assert refused.exit_code != 0 and "read-only" in refused.output and "(query)" in refused.output


def test_run_files_lists_saved_files_with_urls(api: wanllmdb.Api, logged: tuple) -> None:
    fast = logged[2][0]
    files = {f.name: f for f in api.run(fast).files()}
    assert "notes.txt" in files
    assert files["notes.txt"].download() == b"lr=0.1"
    assert httpx.get(files["notes.txt"].url).content == b"lr=0.1"


def test_one_run_id_in_two_projects_logs_and_reads_back_separately(
    logged: tuple[LocalServer, str, list[str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    # Run ids are unique per project, as in wandb: `id="baseline"` in two projects is two runs.
    server, key, _ = logged
    root = tmp_path_factory.mktemp("same-id")
    settings = {"base_url": server.url, "api_key": key, "dir": root, "console": "off",
                "system_metrics": False, "git": False}  # fmt: skip
    for project, value in (("same-id-a", 1.0), ("same-id-b", 2.0)):
        wanllmdb.init(project=project, id="baseline", config={"which": project}, settings=settings)
        for step in range(5):
            wanllmdb.log({"loss": value + step})
        wanllmdb.finish()
    with wanllmdb.Api(overrides={"base_url": server.url, "api_key": key}) as client:
        for project, value in (("same-id-a", 1.0), ("same-id-b", 2.0)):
            run = client.run(f"{project}/baseline")
            assert run.config == {"which": project} and run.state == "finished"
            assert run.history(keys=["loss"], format="polars")["loss"].to_list() == [
                value + s for s in range(5)
            ]
        with pytest.raises(ApiError) as ambiguous:
            client.run("baseline")
        assert ambiguous.value.field == "project_id"


def test_a_public_project_is_readable_without_a_key_and_a_private_one_is_not(
    api: wanllmdb.Api, logged: tuple
) -> None:
    server, key, (fast, _) = logged
    entity = api.default_entity
    owner = {"Authorization": f"Bearer {key}"}
    project = f"{server.url}/api/projects/{entity}:zoo"
    with wanllmdb.Api(overrides={"base_url": server.url, "api_key": "", "entity": entity}) as anonymous:
        assert anonymous._http.api_key in (None, "")  # nothing from the environment either
        with pytest.raises(ApiError) as private:
            anonymous.run(f"{entity}/zoo/{fast}")
        assert private.value.status == 404 and "Bearer" in str(private.value)
        httpx.patch(project, json={"visibility": "public"}, headers=owner).raise_for_status()
        try:
            run = anonymous.run(f"{entity}/zoo/{fast}")
            assert run.config["lr"] == 0.1 and run.state == "finished"
            assert run.history(samples=5, keys=["loss"], format="polars").height == 5
            refused = httpx.patch(f"{server.url}/api/runs/{fast}/summary", json={"loss": 0})
            assert refused.status_code == 401  # readable, never writable
        finally:
            httpx.patch(project, json={"visibility": "private"}, headers=owner).raise_for_status()
