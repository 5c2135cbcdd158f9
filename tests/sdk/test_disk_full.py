"""The spool's disk fills up during a run (issue 22, part 3): the SDK warns once, training goes on, chunks
wait in memory up to ``disk_full_hold_bytes`` and are written when there is room again; rows beyond that
bound are dropped and counted. Every test checks exact row counts: in the spool, or in the lake.

ENOSPC is injected through ``spool.write_fault``, which every spool write passes first; the last test
fills a real (tmpfs) filesystem where the machine lets us mount one.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, lake_table, rows, wait_compacted
from wanllmdb.ingest import spool
from wanllmdb.run import Run

KEYS = 10
STEPS = 100  # per block: one flush each
FULL = "the disk holding the spool is full"


class Disk:
    """The seam: while ``full``, every spool write fails as a full disk does."""

    def __init__(self) -> None:
        self.full = False
        self.failed = 0

    def __call__(self, path: Path) -> None:
        if self.full:
            self.failed += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> Disk:
    d = Disk()
    monkeypatch.setattr(spool, "write_fault", d)
    return d


def log_block(run: Run, first: int) -> float:
    """Log STEPS steps of KEYS values; returns the slowest log() call (it must never wait on the disk)."""
    slowest = 0.0
    for step in range(first, first + STEPS):
        t0 = time.perf_counter()
        run.log({f"k{i}": step + i / 10 for i in range(KEYS)}, step=step)
        slowest = max(slowest, time.perf_counter() - t0)
    return slowest


def flush(run: Run) -> None:
    """One flush, now, on this thread. The flusher thread sleeps: its interval is an hour and the buffer
    bound is never reached, so which rows go in which chunk is decided here, and the counts are exact."""
    assert run._pipeline is not None
    run._pipeline.flush_once()


def quiet_flusher(**extra: Any) -> dict[str, Any]:
    return {
        "flush_interval_s": 3600,
        "flush_max_values": 10**9,
        "system_metrics": False,
        "console": "off",
        **extra,
    }


def warnings_of(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


# -- offline: the spool itself ------------------------------------------------------------------------------
def test_chunks_logged_while_the_disk_is_full_are_held_and_written_when_room_returns(
    tmp_path: Path, disk: Disk, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.WARNING, logger="wanllmdb")
    run = wanllmdb.init(mode="offline", dir=tmp_path, project="disk", settings=quiet_flusher())
    log_block(run, 0)
    flush(run)
    disk.full = True
    slowest = 0.0
    for block in (1, 2, 3):
        slowest = max(slowest, log_block(run, block * STEPS))
        flush(run)
    run.config.update({"during": "full"})  # a metadata op while full: kept in line, not lost
    flush(run)
    assert disk.failed >= 4
    assert len(warnings_of(caplog, FULL)) == 1, "one warning for the whole episode"
    assert slowest < 0.5, f"log() waited {slowest:.3f} s while the disk was full"
    run_dir = Path(run.dir or "")
    assert len(list((run_dir / "chunks").glob("history-*"))) == 1
    assert not list(run_dir.rglob(".*.tmp-*")), "a failed write left its temp file"

    disk.full = False
    log_block(run, 4 * STEPS)
    flush(run)
    assert "3 chunk(s) held in memory were written, nothing was dropped" in capsys.readouterr().err
    run.finish()

    got = rows(run_dir)
    assert len(got) == 5 * STEPS * KEYS
    assert len({(s, k) for s, k, _ in got}) == len(got)
    seqs = sorted(int(p.stem.rsplit("-", 1)[1]) for p in (run_dir / "chunks").glob("history-*"))
    assert seqs == list(range(len(seqs))), "held chunks keep their numbers: no gap for compaction"
    ops = [o["op"] for o in spool.RunDir(run_dir).read_ops()]
    assert "config" in ops and ops[-1] == "state"
    assert len(warnings_of(caplog, FULL)) == 1


def test_beyond_the_memory_bound_rows_are_dropped_and_counted(
    tmp_path: Path, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wanllmdb")
    run = wanllmdb.init(mode="offline", dir=tmp_path, project="disk", settings=quiet_flusher())
    log_block(run, 0)
    flush(run)
    run_dir = Path(run.dir or "")
    (first,) = (run_dir / "chunks").glob("history-*")
    # Room in memory for one chunk of this shape, not two.
    assert run._pipeline is not None
    run._pipeline.disk.hold_bytes = int(first.stat().st_size * 1.5)
    disk.full = True
    for block in (1, 2, 3):
        log_block(run, block * STEPS)
        flush(run)
    disk.full = False
    log_block(run, 4 * STEPS)
    flush(run)
    run.finish()

    dropped = 2 * STEPS * KEYS  # blocks 2 and 3 did not fit
    (message,) = warnings_of(caplog, "has room again")
    assert f"1 chunk(s) held in memory were written; {dropped} value(s)" in message
    assert run._pipeline.disk.dropped_values == dropped
    got = rows(run_dir)
    assert len(got) == 5 * STEPS * KEYS - dropped
    assert sorted({s for s, _, _ in got}) == [*range(0, 2 * STEPS), *range(4 * STEPS, 5 * STEPS)]
    seqs = sorted(int(p.stem.rsplit("-", 1)[1]) for p in (run_dir / "chunks").glob("history-*"))
    assert seqs == [0, 1, 2], "a dropped chunk takes no number"


def test_finish_with_the_disk_still_full_returns_and_says_what_was_lost(
    tmp_path: Path, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wanllmdb")
    run = wanllmdb.init(mode="offline", dir=tmp_path, project="disk", settings=quiet_flusher())
    log_block(run, 0)
    flush(run)
    disk.full = True
    log_block(run, STEPS)
    run.finish()  # never raises: the final chunk is held, then given up
    (message,) = warnings_of(caplog, "still full at finish")
    assert f"1 chunk(s) held in memory ({STEPS * KEYS} value(s)) are lost" in message
    assert len(rows(Path(run.dir or ""))) == STEPS * KEYS


# -- online: exact rows in the lake --------------------------------------------------------------------------
@pytest.mark.slow
def test_a_full_disk_mid_run_loses_nothing_in_the_lake_within_the_bound(
    module_server: LocalServer, tmp_path: Path, disk: Disk, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wanllmdb")
    settings = quiet_flusher(base_url=module_server.url, api_key=admin_key(module_server.data_dir))
    run = wanllmdb.init(dir=tmp_path, project="disk-full", settings=settings)
    log_block(run, 0)
    flush(run)
    disk.full = True  # the uploader's manifest lines fail too: it carries on from memory
    for block in (1, 2):
        log_block(run, block * STEPS)
        flush(run)
    run.config.update({"during": "full"})
    flush(run)
    disk.full = False
    log_block(run, 3 * STEPS)
    flush(run)
    run.finish()
    assert run.synced is True
    assert len(warnings_of(caplog, FULL)) == 1
    assert not warnings_of(caplog, "upload error"), "the uploader carries on without its manifest lines"

    wait_compacted(module_server.data_dir, run.id)  # one file: the chunk numbers had no gap
    table = lake_table(module_server.data_dir, run.id)
    assert table is not None and table.num_rows == 4 * STEPS * KEYS
    counts = Counter(zip(table["step"].to_pylist(), table["key"].to_pylist(), strict=True))
    assert len(counts) == 4 * STEPS * KEYS and max(counts.values()) == 1


# -- a real full filesystem ----------------------------------------------------------------------------------
def _mount_tmpfs(where: Path, size: str) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


def _fill(path: Path) -> int:
    """Write zeros until the filesystem refuses; returns the errno it refused with."""
    with path.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as exc:
            return exc.errno or 0


def test_a_real_full_filesystem_behaves_as_the_seam_does(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The same path through a real ENOSPC (a 2 MiB tmpfs, filled): the errors surface where the seam
    raises them, and no temp file is left holding space."""
    mnt = tmp_path / "small"
    if not _mount_tmpfs(mnt, "2m"):
        pytest.skip("needs root and a mountable tmpfs to fill a real filesystem")
    caplog.set_level(logging.WARNING, logger="wanllmdb")
    try:
        run = wanllmdb.init(mode="offline", dir=mnt, project="disk", settings=quiet_flusher(git=False))
        log_block(run, 0)
        flush(run)
        filler = mnt / "filler"
        assert _fill(filler) == errno.ENOSPC
        for block in (1, 2):
            log_block(run, block * STEPS)
            flush(run)
        assert len(warnings_of(caplog, FULL)) == 1
        run_dir = Path(run.dir or "")
        assert not list(run_dir.rglob(".*.tmp-*")), "a failed write left its temp file"
        filler.unlink()
        log_block(run, 3 * STEPS)
        flush(run)
        run.finish()
        got = rows(run_dir)
        assert len(got) == 4 * STEPS * KEYS and len({(s, k) for s, k, _ in got}) == len(got)
        for chunk in (run_dir / "chunks").glob("*.parquet"):
            pq.read_metadata(chunk)  # every chunk on the full disk is whole
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
