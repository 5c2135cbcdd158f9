"""A backlog of summary ops (the server was away, or `wanllmdb sync` of an offline run with one op per flush)
goes as one PATCH per run of consecutive summaries: the same summary on the server, a fraction of the
requests (each a run-item transaction). Ops of other kinds keep their place in the order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wanllmdb.ingest.spool import RunDir
from wanllmdb.ingest.uploader import SpoolUploader


class RecordingClient:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.summary: dict[str, Any] = {}

    def patch_summary(self, run_id: str, summary: dict[str, Any], **_: Any) -> None:
        self.calls.append(("summary", summary))
        self.summary.update(summary)  # the server's merge: key by key, later wins

    def patch_config(self, run_id: str, config: dict[str, Any], **_: Any) -> None:
        self.calls.append(("config", config))


def test_consecutive_summary_ops_go_as_one_patch_with_the_same_result(tmp_path: Path) -> None:
    rd = RunDir.create(tmp_path / "run")
    rd.write_record({"id": "r1", "project_id": "p1"})
    sequential: dict[str, Any] = {}
    n = 1
    for flush in range(60):
        summary = {
            "loss": 1 / (flush + 1),
            "_step": flush * 100,
            **({"best": flush} if flush % 7 == 0 else {}),
        }
        rd.append_op(n, "summary", {"summary": summary})
        sequential.update(summary)
        n += 1
        if flush == 29:
            rd.append_op(n, "config", {"config": {"epochs": 3}})
            n += 1
    client = RecordingClient()
    uploader = SpoolUploader(RunDir(rd.path), client)  # type: ignore[arg-type]
    assert uploader.drain() is True
    assert [kind for kind, _ in client.calls] == ["summary", "config", "summary"]
    assert client.summary == sequential
    assert RunDir(rd.path).done()[0] == set(range(1, n)), "every merged op is marked done"
    assert uploader.pending_ops() == []
