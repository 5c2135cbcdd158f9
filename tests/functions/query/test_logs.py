"""GET /runs/{run_id}/logs over real HTTP: console chunks uploaded through grants, read back in order."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register

pytestmark = pytest.mark.slow


def log_chunk(first_line: int, texts: list[str], *, attempt: int = 0, stream: str = "stdout") -> bytes:
    """A log chunk with the columns of schemas/lake_schema.json `log_columns`."""
    n = len(texts)
    table = pa.table(
        {
            "line": pa.array(range(first_line, first_line + n), pa.int64()),
            "ts": pa.array([datetime(2026, 1, 1, tzinfo=UTC)] * n, pa.timestamp("ms", tz="UTC")),
            "stream": pa.array([stream] * n, pa.string()),
            "text": pa.array(texts, pa.string()),
            "attempt": pa.array([attempt] * n, pa.int32()),
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


@pytest.fixture(scope="module")
def owner(module_server: LocalServer) -> User:
    return register(module_server.url)


def test_lines_come_back_in_order_across_chunks_and_attempts(owner: User) -> None:
    project = owner.project()
    run = owner.run(project)
    owner.upload_bytes(run, log_chunk(3, ["d", "e"]), seq=1, kind="logs")
    owner.upload_bytes(run, log_chunk(0, ["a", "b", "c"]), seq=0, kind="logs")
    owner.run(project, run, resume="allow")  # attempt 1 numbers its lines from 0 again
    resumed = log_chunk(0, ["resumed"], attempt=1, stream="stderr")
    owner.upload_bytes(run, resumed, seq=0, attempt=1, kind="logs")
    body = owner.request("GET", f"/runs/{run}/logs").json()
    assert [line["text"] for line in body["lines"]] == ["a", "b", "c", "d", "e", "resumed"]
    assert body["lines"][-1]["stream"] == "stderr"
    assert body["lines"][0]["ts"].startswith("2026-01-01T00:00:00")
    assert body["next_offset"] is None


def test_offset_and_limit_page_through_and_a_tail_resumes_from_the_last_offset(owner: User) -> None:
    run = owner.run(owner.project())
    owner.upload_bytes(run, log_chunk(0, [f"line {i}" for i in range(5)]), seq=0, kind="logs")
    first = owner.request("GET", f"/runs/{run}/logs", params={"limit": 3}).json()
    assert [x["line"] for x in first["lines"]] == [0, 1, 2]
    assert first["next_offset"] == 3
    rest = owner.request("GET", f"/runs/{run}/logs", params={"offset": 3, "limit": 3}).json()
    assert [x["line"] for x in rest["lines"]] == [3, 4]
    assert rest["next_offset"] is None
    owner.upload_bytes(run, log_chunk(5, ["new"]), seq=1, kind="logs")
    tail = owner.request("GET", f"/runs/{run}/logs", params={"offset": 5}).json()
    assert [x["text"] for x in tail["lines"]] == ["new"]


def test_search_keeps_matching_lines_only(owner: User) -> None:
    run = owner.run(owner.project())
    chunk = log_chunk(0, ["epoch 1 loss=2", "epoch 2 loss=1", "saving (done)"])
    owner.upload_bytes(run, chunk, seq=0, kind="logs")
    found = owner.request("GET", f"/runs/{run}/logs", params={"search": "epoch 2"}).json()
    assert [x["text"] for x in found["lines"]] == ["epoch 2 loss=1"]
    # The search is a literal substring, not a pattern.
    literal = owner.request("GET", f"/runs/{run}/logs", params={"search": "(done)"}).json()
    assert [x["text"] for x in literal["lines"]] == ["saving (done)"]


def test_a_run_without_output_has_no_lines(owner: User) -> None:
    run = owner.run(owner.project())
    assert owner.request("GET", f"/runs/{run}/logs").json() == {"lines": [], "next_offset": None}


def test_bad_paging_is_a_400_naming_the_field(owner: User) -> None:
    run = owner.run(owner.project())
    for params, field in (({"limit": 0}, "limit"), ({"limit": 10_001}, "limit"), ({"offset": -1}, "offset")):
        response = owner.request("GET", f"/runs/{run}/logs", params=params)
        assert response.status_code in (400, 422), response.text
        assert response.json()["error"]["field"] == field


def test_logs_of_an_unknown_run_are_404_and_need_a_token(owner: User, module_server: LocalServer) -> None:
    assert owner.request("GET", "/runs/nosuchrun/logs").status_code == 404
    stranger = register(module_server.url)
    run = owner.run(owner.project())
    assert stranger.request("GET", f"/runs/{run}/logs").status_code == 404
    assert httpx.get(f"{module_server.url}/api/runs/{run}/logs").status_code == 401
