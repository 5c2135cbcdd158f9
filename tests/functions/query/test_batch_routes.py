"""GET /projects/{id}/metrics/batch over real HTTP against a real local server: many runs x keys in
one answer, as JSON and as Arrow, its limits, its ETag and its caching verdict."""

from __future__ import annotations

import io
import math
import time
from typing import Any

import pyarrow as pa
import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register

pytestmark = pytest.mark.slow

ARROW = "application/vnd.apache.arrow.stream"


@pytest.fixture(scope="module")
def alice(module_server: LocalServer) -> User:
    return register(module_server)


@pytest.fixture(scope="module")
def two_runs(alice: User) -> tuple[str, str, str]:
    """Run a: 3,000 steps of `loss` (one spike) and `acc` every 10th; run b: 50 raw steps of `loss`."""
    project = alice.project()
    a, b = alice.run(project), alice.run(project)
    steps = list(range(3000))
    loss = [1.0 / (s + 1) for s in steps]
    loss[1234] = 1e6
    alice.upload(a, seq=0, steps=steps, values={"loss": loss})
    alice.upload(a, seq=1, steps=steps[::10], values={"acc": [s / 3000 for s in steps[::10]]})
    alice.upload(b, seq=0, steps=list(range(50)), values={"loss": [math.inf, *range(49)]})
    return project, a, b


def _batch(alice: User, project: str, **params: Any) -> Any:
    response = alice.request("GET", f"/projects/{project}/metrics/batch", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_one_answer_holds_every_run_and_key_as_the_single_run_route_gives_them(
    alice: User, two_runs: tuple[str, str, str]
) -> None:
    project, a, b = two_runs
    body = _batch(alice, project, runs=f"{a},{b},nosuchrun", keys=["loss", "acc"], buckets=100)
    assert body["missing"] == ["nosuchrun"] and set(body["runs"]) == {a, b}
    runs = body["runs"]
    for run in (a, b):
        single = alice.request(
            "GET", f"/runs/{run}/metrics", params={"keys": "loss,acc", "buckets": 100}
        ).json()
        assert runs[run]["series"] == single["series"] and runs[run]["last_step"] == single["last_step"]
    assert max(runs[a]["series"]["loss"]["buckets"]["max"]) == 1e6
    assert runs[b]["series"]["loss"]["points"]["y"][0] == "Infinity" and "acc" not in runs[b]["series"]
    assert runs[a]["state"] == "running"


def test_fields_narrow_the_bucket_columns(alice: User, two_runs: tuple[str, str, str]) -> None:
    project, a, _ = two_runs
    body = _batch(alice, project, runs=a, keys="loss", buckets=10, fields="x0,x1,min,max,mean")
    assert set(body["runs"][a]["series"]["loss"]["buckets"]) == {"x0", "x1", "min", "max", "mean"}
    bad = alice.request(
        "GET", f"/projects/{project}/metrics/batch", params={"runs": a, "keys": "loss", "fields": "x0,median"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "fields"


def test_arrow_answer_carries_the_same_series_without_parsing_numbers(
    alice: User, two_runs: tuple[str, str, str]
) -> None:
    project, a, b = two_runs
    params = {"runs": f"{a},{b}", "keys": ["loss", "acc"], "buckets": 100}
    as_json = _batch(alice, project, **params)["runs"]
    response = alice.request(
        "GET", f"/projects/{project}/metrics/batch", params=params, headers={"Accept": ARROW}
    )
    assert response.status_code == 200 and response.headers["content-type"] == ARROW
    assert (
        response.headers["ETag"]
        != alice.request("GET", f"/projects/{project}/metrics/batch", params=params).headers["ETag"]
    )
    table = pa.ipc.open_stream(io.BytesIO(response.content)).read_all()
    rows = {(r["run"], r["key"]): r for r in table.to_pylist()}
    assert set(rows) == {(a, "loss"), (a, "acc"), (b, "loss")}
    loss = as_json[a]["series"]["loss"]["buckets"]
    for field in ("x0", "x1", "count", "min", "max", "mean", "first", "last"):
        assert rows[(a, "loss")][field] == loss[field], field
    raw = rows[(b, "loss")]
    assert raw["raw"] is True and raw["x0"] == raw["x1"] == list(range(50)) and raw["count"] == [1] * 50
    assert raw["mean"][0] == math.inf and raw["min"] == raw["max"] == raw["mean"]
    assert raw["last_step"] == 49 and rows[(a, "acc")]["last_step"] == 2999


def test_a_run_without_the_keys_still_reports_its_last_step(
    alice: User, two_runs: tuple[str, str, str]
) -> None:
    project, _, b = two_runs
    response = alice.request(
        "GET",
        f"/projects/{project}/metrics/batch",
        params={"runs": b, "keys": "acc"},
        headers={"Accept": ARROW},
    )
    rows = pa.ipc.open_stream(io.BytesIO(response.content)).read_all().to_pylist()
    assert [(r["run"], r["key"], r["x0"]) for r in rows] == [(b, None, [])]


def test_a_zoom_outside_the_data_gives_empty_series(alice: User, two_runs: tuple[str, str, str]) -> None:
    project, a, b = two_runs
    body = _batch(alice, project, runs=f"{a},{b}", keys="loss", min=10_000, max=20_000)
    for run in (a, b):
        assert body["runs"][run]["series"]["loss"] == {
            "raw": True,
            "points": {"x": [], "y": []},
        }
    inside = _batch(alice, project, runs=a, keys="loss", min=1200, max=1300)
    assert inside["runs"][a]["series"]["loss"]["points"]["x"] == list(range(1200, 1301))


def _ids(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(n)]


@pytest.mark.parametrize(
    ("params", "field", "named"),
    [
        ({"runs": _ids("r", 101), "keys": _ids("k", 100)}, "keys", "10000"),
        ({"runs": "r1", "keys": "loss", "buckets": 10_001}, "buckets", "10000"),
        ({"runs": _ids("r", 20), "keys": _ids("k", 60), "buckets": 1000}, "buckets", "1000000"),
        ({"runs": _ids("r", 501), "keys": "loss"}, "runs", "500"),
    ],
)
def test_oversized_asks_are_refused_at_once_naming_the_limit(
    alice: User, two_runs: tuple[str, str, str], params: dict[str, object], field: str, named: str
) -> None:
    project = two_runs[0]
    started = time.monotonic()
    response = alice.request("GET", f"/projects/{project}/metrics/batch", params=params)
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == field and named in error["message"].replace(",", "")


def test_etag_answers_304_until_the_data_changes_and_a_live_run_is_never_cached(alice: User) -> None:
    project = alice.project()
    run = alice.run(project)
    alice.upload(run, seq=0, steps=[0, 1, 2], values={"loss": [3.0, 2.0, 1.0]})
    url, params = f"/projects/{project}/metrics/batch", {"runs": run, "keys": "loss"}
    first = alice.request("GET", url, params=params)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache" and "Accept" in first.headers["Vary"]
    again = alice.request("GET", url, params=params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    alice.upload(run, seq=1, steps=[3], values={"loss": [0.5]})
    newer = alice.request("GET", url, params={**params, "after_step": 2}, headers={"If-None-Match": etag})
    assert newer.status_code == 200 and newer.headers["ETag"] != etag
    assert newer.json()["runs"][run]["series"]["loss"]["points"] == {"x": [3], "y": [0.5]}


def test_a_finished_compacted_run_is_cacheable_as_immutable(alice: User) -> None:
    project = alice.project()
    run = alice.run(project)
    for seq in range(3):
        alice.upload(run, seq=seq, steps=[seq], values={"loss": [float(seq)]})
    assert alice.request("PATCH", f"/runs/{run}", json={"state": "finished"}).status_code == 200
    url, params = f"/projects/{project}/metrics/batch", {"runs": run, "keys": "loss"}
    deadline = time.monotonic() + 30
    while (response := alice.request("GET", url, params=params)).headers["Cache-Control"] != (
        "private, max-age=86400, immutable"
    ):
        # Finishing compacts in the background: until then chunks are visible and may still change.
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert time.monotonic() < deadline, "the finished run was never compacted"
        time.sleep(0.2)
    assert response.json()["runs"][run]["series"]["loss"]["points"]["y"] == [0.0, 1.0, 2.0]
    # One missing run is enough to keep the answer revalidated: it may yet appear.
    mixed = alice.request("GET", url, params={**params, "runs": f"{run},later"})
    assert mixed.headers["Cache-Control"] == "private, no-cache"


def test_another_users_private_project_is_a_404(
    alice: User, module_server: LocalServer, two_runs: tuple[str, str, str]
) -> None:
    project, a, _ = two_runs
    mallory = register(module_server)
    response = mallory.request(
        "GET", f"/projects/{project}/metrics/batch", params={"runs": a, "keys": "loss"}
    )
    assert response.status_code == 404
