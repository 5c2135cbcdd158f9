"""GET /runs/{run_id}/logs over real HTTP: console chunks uploaded through grants, read back in order."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register
from tests.lake_chunks import log_chunk_bytes

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def owner(module_server: LocalServer) -> User:
    return register(module_server)


def test_lines_come_back_in_order_across_chunks_and_attempts(owner: User) -> None:
    project = owner.project()
    run = owner.run(project)
    owner.upload_bytes(run, log_chunk_bytes(3, ["d", "e"]), seq=1, kind="logs")
    owner.upload_bytes(run, log_chunk_bytes(0, ["a", "b", "c"]), seq=0, kind="logs")
    owner.run(project, run, resume="allow")  # attempt 1 numbers its lines from 0 again
    resumed = log_chunk_bytes(0, ["resumed"], attempt=1, stream="stderr")
    owner.upload_bytes(run, resumed, seq=0, attempt=1, kind="logs")
    body = owner.request("GET", f"/runs/{run}/logs").json()
    assert [line["text"] for line in body["lines"]] == ["a", "b", "c", "d", "e", "resumed"]
    assert body["lines"][-1]["stream"] == "stderr"
    assert body["lines"][0]["ts"].startswith("2026-01-01T00:00:00")
    assert body["next_offset"] is None


def test_offset_and_limit_page_through_and_a_tail_resumes_from_the_last_offset(owner: User) -> None:
    run = owner.run(owner.project())
    owner.upload_bytes(run, log_chunk_bytes(0, [f"line {i}" for i in range(5)]), seq=0, kind="logs")
    first = owner.request("GET", f"/runs/{run}/logs", params={"limit": 3}).json()
    assert [x["line"] for x in first["lines"]] == [0, 1, 2]
    assert first["next_offset"] == 3
    rest = owner.request("GET", f"/runs/{run}/logs", params={"offset": 3, "limit": 3}).json()
    assert [x["line"] for x in rest["lines"]] == [3, 4]
    assert rest["next_offset"] is None
    owner.upload_bytes(run, log_chunk_bytes(5, ["new"]), seq=1, kind="logs")
    tail = owner.request("GET", f"/runs/{run}/logs", params={"offset": 5}).json()
    assert [x["text"] for x in tail["lines"]] == ["new"]


def test_search_keeps_matching_lines_only(owner: User) -> None:
    run = owner.run(owner.project())
    chunk = log_chunk_bytes(0, ["epoch 1 loss=2", "epoch 2 loss=1", "saving (done)"])
    owner.upload_bytes(run, chunk, seq=0, kind="logs")
    found = owner.request("GET", f"/runs/{run}/logs", params={"search": "epoch 2"}).json()
    assert [x["text"] for x in found["lines"]] == ["epoch 2 loss=1"]
    # The search is a literal substring, not a pattern.
    literal = owner.request("GET", f"/runs/{run}/logs", params={"search": "(done)"}).json()
    assert [x["text"] for x in literal["lines"]] == ["saving (done)"]


def test_a_run_without_output_has_no_lines(owner: User) -> None:
    run = owner.run(owner.project())
    empty = {"lines": [], "next_offset": None, "warnings": []}
    assert owner.request("GET", f"/runs/{run}/logs").json() == empty


def test_bad_paging_is_a_400_naming_the_field(owner: User) -> None:
    run = owner.run(owner.project())
    for params, field in (({"limit": 0}, "limit"), ({"limit": 10_001}, "limit"), ({"offset": -1}, "offset")):
        response = owner.request("GET", f"/runs/{run}/logs", params=params)
        assert response.status_code in (400, 422), response.text
        assert response.json()["error"]["field"] == field


def test_logs_of_an_unknown_or_private_run_are_404_to_strangers_and_to_no_token(
    owner: User, module_server: LocalServer
) -> None:
    assert owner.request("GET", "/runs/nosuchrun/logs").status_code == 404
    stranger = register(module_server)
    run = owner.run(owner.project())
    assert stranger.request("GET", f"/runs/{run}/logs").status_code == 404
    anonymous = httpx.get(f"{module_server.url}/api/runs/{run}/logs")  # readable only if public
    assert anonymous.status_code == 404 and "Bearer" in anonymous.text


def test_finishing_compacts_the_logs_and_they_read_back_the_same(
    owner: User, module_server: LocalServer
) -> None:
    project = owner.project()
    run = owner.run(project)
    owner.upload_bytes(run, log_chunk_bytes(0, ["a", "b"]), seq=0, kind="logs")
    owner.upload_bytes(run, log_chunk_bytes(2, ["c"]), seq=1, kind="logs")
    owner.upload_bytes(run, log_chunk_bytes(2, ["c"]), seq=1, kind="logs")  # a retried upload
    before = owner.request("GET", f"/runs/{run}/logs").json()
    assert owner.request("PATCH", f"/runs/{run}", json={"state": "finished"}).status_code == 200
    log_dir = module_server.data_dir / "lake" / f"logs/project={project}/run={run}"
    deadline = time.monotonic() + 20
    while sorted(p.name for p in log_dir.iterdir()) != ["compact-a0000s000000001.parquet"]:
        assert time.monotonic() < deadline, sorted(p.name for p in log_dir.iterdir())
        time.sleep(0.1)
    after = owner.request("GET", f"/runs/{run}/logs").json()
    assert after == before and [x["text"] for x in after["lines"]] == ["a", "b", "c"]


def test_a_corrupt_log_chunk_is_skipped_and_named(owner: User) -> None:
    run = owner.run(owner.project())
    owner.upload_bytes(run, log_chunk_bytes(0, ["kept"]), seq=0, kind="logs")
    owner.upload_bytes(run, b"not parquet at all", seq=1, kind="logs")
    body = owner.request("GET", f"/runs/{run}/logs").json()
    assert [x["text"] for x in body["lines"]] == ["kept"]
    assert len(body["warnings"]) == 1 and "chunk-a0000-000000001.parquet" in body["warnings"][0]
