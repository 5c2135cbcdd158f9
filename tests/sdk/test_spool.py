from __future__ import annotations

from pathlib import Path

from wanllmdb.ingest.spool import RunDir, chunk_name, parse_chunk_name


def test_chunk_names_round_trip() -> None:
    assert chunk_name("history", 2, 17) == "history-a0002-000000017.parquet"
    assert parse_chunk_name("history-a0002-000000017.parquet") == ("history", 2, 17)


def test_torn_tail_of_ops_and_manifest_is_skipped(tmp_path: Path) -> None:
    rd = RunDir.create(tmp_path / "run")
    rd.append_op(0, "create", {"x": 1})
    rd.mark_done(op=0)
    with (rd.path / "ops.jsonl").open("a") as f:
        f.write('{"n": 1, "op": "summ')  # what kill -9 mid-append leaves
    with (rd.path / "manifest.jsonl").open("a") as f:
        f.write('{"chunk": "hist')
    assert [o["n"] for o in rd.read_ops()] == [0]
    assert rd.done() == ({0}, set(), {})


def test_half_written_chunks_are_invisible(tmp_path: Path) -> None:
    rd = RunDir.create(tmp_path / "run")
    rd.write_chunk("history", 0, 0, b"PAR1")
    (rd.chunks / ".history-a0000-000000001.parquet.tmp-1-1").write_bytes(b"PA")
    assert rd.chunk_names() == ["history-a0000-000000000.parquet"]
    assert rd.next_seq("history", 0) == 1 and rd.next_seq("history", 1) == 0


def test_the_run_lock_is_exclusive(tmp_path: Path) -> None:
    a, b = RunDir.create(tmp_path / "run"), RunDir(tmp_path / "run")
    assert a.try_lock()
    assert not b.try_lock()
    a.unlock()
    assert b.try_lock()
    b.unlock()
