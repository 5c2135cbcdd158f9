"""Behaviour of the wandb API that public training scripts rely on, beyond log()'s hot path."""

from __future__ import annotations

import wanllmdb
from tests.sdk.conftest import OfflineRun, rows


def test_bare_log_commits_the_row_built_with_commit_false(offline_run: OfflineRun) -> None:
    run = offline_run()
    wanllmdb.log({"a": 1.0}, commit=False)
    wanllmdb.log({"b": 2.0}, commit=False)
    wanllmdb.log()
    wanllmdb.log({"c": 3.0})
    run.finish()
    assert run.dir is not None
    assert rows(run.dir) == [(0, "a", 1.0), (0, "b", 2.0), (1, "c", 3.0)]


def test_bare_log_without_a_pending_row_moves_no_step(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0})
    run.log()
    run.log()
    run.log({"a": 2.0}, commit=False)
    run.log(commit=False)  # commit=False and no data: nothing to do
    run.log()
    run.log({"a": 3.0})
    run.finish()
    assert run.dir is not None
    assert rows(run.dir) == [(0, "a", 1.0), (1, "a", 2.0), (2, "a", 3.0)]


def test_bare_log_commits_a_row_already_flushed(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"flush_max_values": 1})  # the pending row may be drained already
    run.log({"a": 1.0}, commit=False)
    assert run._pipeline is not None
    run._pipeline.flush_once()
    run.log()
    run.log({"a": 2.0})
    run.finish()
    assert run.dir is not None
    assert rows(run.dir) == [(0, "a", 1.0), (1, "a", 2.0)]
