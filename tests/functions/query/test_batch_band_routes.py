"""POST /projects/{id}/metrics/batch with a `band`, and POST /projects/{id}/keys, over real HTTP
against a real local server: the runs of a big selection past the first N lines aggregated into one
min/max band per key, checked against a direct computation on the Parquet files in the lake; and
the keys of many runs in one answer, equal to what the per-run routes give."""

from __future__ import annotations

import io
import math
import time
from typing import Any

import httpx
import polars as pl
import pyarrow as pa
import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register
from tests.functions.query.media_lake import histogram, media_chunk

pytestmark = pytest.mark.slow

ARROW = "application/vnd.apache.arrow.stream"
BATCH = "/projects/{}/metrics/batch"


@pytest.fixture(scope="module")
def alice(module_server: LocalServer) -> User:
    return register(module_server)


@pytest.fixture(scope="module")
def raw_band(alice: User) -> tuple[str, list[str]]:
    """Six runs of `loss`: run i logs steps 0..20+i (so later steps have fewer runs), value
    (i + 1) * 10 + sin(step); run 0 also logs `acc`, and run 5 a NaN at step 3."""
    project = alice.project()
    runs = [alice.run(project) for _ in range(6)]
    for i, run in enumerate(runs):
        steps = list(range(21 + i))
        loss: list[float | None] = [(i + 1) * 10 + math.sin(s) for s in steps]
        if i == 5:
            loss[3] = math.nan
        values: dict[str, Any] = {"loss": loss}
        if i == 0:
            values["acc"] = [s / 100 for s in steps]
        alice.upload(run, seq=0, steps=steps, values=values)
    return project, runs


def _lake_rows(server: LocalServer, project: str, runs: list[str], key: str) -> pl.DataFrame:
    """The runs' rows of `key`, read straight from the Parquet files the uploads put in the lake."""
    files = [
        f
        for run in runs
        for f in server.data_dir.rglob(f"project={project}/run={run}/**/*.parquet")
        if "lod" not in f.parts
    ]
    assert files, "no Parquet in the lake"
    frames = [
        pl.read_parquet(f).with_columns(pl.col("key").cast(pl.String)).filter(pl.col("key") == key)
        for f in files
    ]
    return pl.concat([f.select("step", "value") for f in frames])


def _post(alice: User, project: str, body: dict[str, Any], **headers: str) -> Any:
    response = alice.request("POST", BATCH.format(project), json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def test_band_equals_a_direct_computation_on_the_lake(
    alice: User, module_server: LocalServer, raw_band: tuple[str, list[str]]
) -> None:
    project, runs = raw_band
    lines, rest = runs[:1], runs[1:]
    body = _post(
        alice, project, {"runs": lines, "band": [*rest, "nosuchrun"], "keys": ["loss", "acc"]}
    ).json()
    assert set(body["runs"]) == set(lines) and body["missing"] == ["nosuchrun"]
    band = body["band"]
    assert band["runs"] == len(rest) and set(band["series"]) == {"loss"}  # no band run logged acc
    got = band["series"]["loss"]

    rows = _lake_rows(module_server, project, rest, "loss").filter(pl.col("value").is_not_nan())
    want = (
        rows.group_by("step")
        .agg(
            pl.col("value").mean().alias("mean"),
            pl.col("value").min().alias("min"),
            pl.col("value").max().alias("max"),
            pl.col("value").std(ddof=0).alias("std"),
            pl.len().alias("runs"),
        )
        .sort("step")
    )
    assert got["x"] == [float(s) for s in want["step"]]
    assert got["runs"] == want["runs"].to_list() and got["runs"][0] == 5 and got["runs"][-1] == 1
    for field in ("mean", "min", "max", "std"):
        assert got[field] == pytest.approx(want[field].to_list(), rel=1e-12, abs=1e-12), field
    # The NaN of run 5 at step 3 is no point: four runs there.
    assert got["runs"][3] == 4


def test_bucketed_band_keeps_every_runs_spike_and_floor(alice: User, module_server: LocalServer) -> None:
    project = alice.project()
    runs = [alice.run(project) for _ in range(12)]
    steps = list(range(5000))
    for i, run in enumerate(runs):
        values = [i + math.cos(s / 100) for s in steps]
        if i == 7:
            values[2345] = 1e6  # a one-step spike a bucket mean would average away
        if i == 3:
            values[77] = -1e6
        alice.upload(run, seq=0, steps=steps, values={"loss": values})
    body = _post(alice, project, {"runs": [], "band": runs, "keys": ["loss"], "buckets": 100}).json()
    got = body["band"]["series"]["loss"]
    assert body["runs"] == {} and body["band"]["runs"] == 12 and len(got["x"]) <= 100
    rows = _lake_rows(module_server, project, runs, "loss")
    assert max(got["max"]) == rows["value"].max() == 1e6
    assert min(got["min"]) == rows["value"].min() == -1e6
    # The mean line is the runs' average: the spike moves its slot's mean by at most 1e6 / 12 / 50.
    assert max(got["mean"]) < 5.5 + 1e6 / 12 / 40 and got["runs"] == [12] * len(got["x"])
    assert got["x"][0] < 50 and got["x"][-1] > 4950


def test_arrow_band_rows_carry_what_the_json_does(alice: User, raw_band: tuple[str, list[str]]) -> None:
    project, runs = raw_band
    ask = {"runs": runs[:2], "band": runs[2:], "keys": ["loss"]}
    as_json = _post(alice, project, ask).json()
    response = _post(alice, project, ask, Accept=ARROW)
    assert response.headers["content-type"] == ARROW
    table = pa.ipc.open_stream(io.BytesIO(response.content)).read_all()
    rows = table.to_pylist()
    assert {(r["run"], r["key"]) for r in rows} == {(runs[0], "loss"), (runs[1], "loss"), (None, "loss")}
    band = next(r for r in rows if r["run"] is None)
    want = as_json["band"]["series"]["loss"]
    assert band["x0"] == band["x1"] == want["x"] and band["count"] == want["runs"]
    assert band["min"] == want["min"] and band["max"] == want["max"]
    # (computed afresh per answer: a parallel sum may differ in its last bit)
    for field in ("mean", "std"):
        assert band[field] == pytest.approx(want[field], rel=1e-12), field
    assert next(r for r in rows if r["run"] == runs[0])["std"] == []
    # Without a band the Arrow answer keeps its shape: no std column.
    plain = _post(alice, project, {"runs": runs[:1], "keys": ["loss"]}, Accept=ARROW)
    assert "std" not in pa.ipc.open_stream(io.BytesIO(plain.content)).read_all().column_names


def test_post_etag_answers_304_until_a_band_run_changes(alice: User) -> None:
    project = alice.project()
    line, other = alice.run(project), alice.run(project)
    alice.upload(line, seq=0, steps=[0, 1], values={"loss": [1.0, 2.0]})
    alice.upload(other, seq=0, steps=[0, 1], values={"loss": [3.0, 4.0]})
    ask = {"runs": [line], "band": [other], "keys": ["loss"]}
    first = _post(alice, project, ask)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    again = alice.request("POST", BATCH.format(project), json=ask, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    # The band runs are part of the ETag: the same lines with another band are another answer.
    assert _post(alice, project, {**ask, "band": []}).headers["ETag"] != etag
    alice.upload(other, seq=1, steps=[2], values={"loss": [9.0]})
    newer = alice.request("POST", BATCH.format(project), json=ask, headers={"If-None-Match": etag})
    assert newer.status_code == 200 and newer.json()["band"]["series"]["loss"]["max"][-1] == 9.0


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


@pytest.mark.parametrize(
    ("body", "field", "named"),
    [
        ({"band": _ids("r", 1001), "keys": ["loss"]}, "band", "1000"),
        ({"band": _ids("r", 1000), "keys": _ids("k", 21)}, "keys", "20000"),
        ({"runs": _ids("r", 501), "keys": ["loss"]}, "runs", "500"),
        ({"runs": [], "band": [], "keys": ["loss"]}, "runs", "at least one"),
        ({"band": ["r1"], "keys": ["loss"], "after_step": 3}, "after_step", "whole"),
        ({"band": _ids("r", 1000), "keys": _ids("k", 11), "buckets": 1000}, "buckets", "5000000"),
    ],
)
def test_oversized_band_asks_are_refused_at_once_naming_the_limit(
    alice: User, raw_band: tuple[str, list[str]], body: dict[str, Any], field: str, named: str
) -> None:
    project = raw_band[0]
    started = time.monotonic()
    response = alice.request("POST", BATCH.format(project), json=body)
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field and named in error["message"].replace(",", ""), error


def test_a_band_of_a_thousand_runs_is_one_answer(alice: User) -> None:
    """1,000 band runs (the limit), most of them never logged: the answer counts only those read."""
    project = alice.project()
    real = [alice.run(project) for _ in range(3)]
    for i, run in enumerate(real):
        alice.upload(run, seq=0, steps=[0, 1, 2], values={"loss": [float(i)] * 3})
    band = [*real, *_ids("ghost", 997)]
    body = _post(alice, project, {"band": band, "keys": ["loss"]}).json()
    assert body["band"]["runs"] == 3 and len(body["missing"]) == 997
    assert (
        body["band"]["series"]["loss"]["min"] == [0.0] * 3
        and body["band"]["series"]["loss"]["max"] == [2.0] * 3
    )


def test_keys_of_many_runs_equal_the_per_run_routes(alice: User, raw_band: tuple[str, list[str]]) -> None:
    project, runs = raw_band
    response = alice.request("POST", f"/projects/{project}/keys", json={"runs": [*runs, "nosuchrun"]})
    assert response.status_code == 200, response.text
    body = response.json()
    per_run = [alice.request("GET", f"/runs/{r}/metric-keys").json()["keys"] for r in runs]
    assert body["keys"] == sorted({k for keys in per_run for k in keys}) == ["acc", "loss"]
    assert body["missing"] == ["nosuchrun"] and body["media"] == {}
    empty = alice.request("POST", f"/projects/{project}/keys", json={"runs": []})
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "runs"
    over = alice.request("POST", f"/projects/{project}/keys", json={"runs": _ids("r", 1001)})
    assert over.status_code == 400 and "1000" in over.json()["error"]["message"]


def test_keys_of_many_runs_carry_each_runs_media_keys(alice: User) -> None:
    project = alice.project()
    plain, with_media = alice.run(project), alice.run(project)
    alice.upload(plain, seq=0, steps=[0], values={"loss": [1.0]})
    rows = [(0, "acc", 0.5), *[(s, "weights", histogram([1, s, 3])) for s in range(3)]]
    alice.upload_bytes(with_media, media_chunk(rows), seq=0)
    per_run = alice.request("GET", f"/runs/{with_media}/media").json()["keys"]
    assert [k["key"] for k in per_run] == ["weights"]
    body = alice.request("POST", f"/projects/{project}/keys", json={"runs": [plain, with_media]}).json()
    # A media key is a key too (the per-run route lists it): the workspace draws it as media.
    assert body["keys"] == sorted({"loss", "acc", "weights"})
    assert body["media"] == {with_media: per_run}
    metric_only = alice.request(
        "POST", f"/projects/{project}/keys", json={"runs": [plain, with_media], "media": False}
    ).json()
    assert metric_only["media"] == {} and metric_only["keys"] == body["keys"]


def test_another_users_private_project_is_a_404(
    alice: User, module_server: LocalServer, raw_band: tuple[str, list[str]]
) -> None:
    project, runs = raw_band
    mallory = register(module_server)
    for path, body in (
        (BATCH.format(project), {"band": runs, "keys": ["loss"]}),
        (f"/projects/{project}/keys", {"runs": runs}),
    ):
        assert mallory.request("POST", path, json=body).status_code == 404


def test_band_and_keys_reads_are_audited_only_when_refused(
    alice: User, module_server: LocalServer, raw_band: tuple[str, list[str]]
) -> None:
    """Reads that take a body (the ids do not fit a URL) are not recorded as changes: a live band
    is asked for every few seconds. A refused one is, as a refused heartbeat is."""
    project, runs = raw_band
    admin = {"Authorization": f"Bearer {(module_server.data_dir / 'admin-api-key').read_text().strip()}"}
    mallory = register(module_server)
    for path, body in (
        (BATCH.format(project), {"band": runs, "keys": ["loss"]}),
        (f"/projects/{project}/keys", {"runs": runs}),
    ):
        for _ in range(2):
            assert alice.request("POST", path, json=body).status_code == 200
        assert mallory.request("POST", path, json=body).status_code == 404
    for action in ("POST /api/projects/{project_id}/metrics/batch", "POST /api/projects/{project_id}/keys"):
        entries = httpx.get(
            f"{module_server.url}/api/audit", params={"action": action}, headers=admin, timeout=30
        ).json()["items"]
        # (the module's other tests leave their refused asks too: 400s)
        statuses = {e["status"] for e in entries}
        assert 404 in statuses and all(s >= 400 for s in statuses), (action, statuses)
