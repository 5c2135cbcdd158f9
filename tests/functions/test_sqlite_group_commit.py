"""SQLite group commit: writers queued behind a commit share the next one, and fail only themselves."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.core.errors import ConditionFailed
from wanllmdb_functions.ports import Condition


def _wait_for(predicate: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def test_writers_waiting_on_a_commit_share_the_next_one(tmp_path: Path) -> None:
    store = SqliteItemStore(tmp_path / "items.sqlite3")
    store.put({"pk": "P", "sk": "taken"})
    before = store.commits
    outcomes: dict[int, str] = {}

    def write(i: int) -> None:
        try:
            # Writer 3 loses its condition; the others must still commit.
            sk = "taken" if i == 3 else f"item-{i}"
            store.put({"pk": "P", "sk": sk, "by": i}, condition=Condition.not_exists())
            outcomes[i] = "ok"
        except ConditionFailed:
            outcomes[i] = "refused"

    # Hold the writer as a long commit would: every writer queues behind it.
    with store._write_lock:
        threads = [threading.Thread(target=write, args=(i,)) for i in range(10)]
        for thread in threads:
            thread.start()
        _wait_for(lambda: len(store._queue) == 10)
    for thread in threads:
        thread.join(10)

    assert store.commits - before == 1
    assert outcomes == {i: "refused" if i == 3 else "ok" for i in range(10)}
    assert store.get("P", "taken") == {"pk": "P", "sk": "taken"}
    assert sorted(i["sk"] for i in store.query("P").items) == sorted(
        ["taken", *(f"item-{i}" for i in range(10) if i != 3)]
    )
    store.close()


def test_a_failed_commit_fails_every_writer_in_the_group_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteItemStore(tmp_path / "items.sqlite3")
    errors: list[BaseException] = []
    original = store._conn

    class FailingCommit:
        """The leader's connection, refusing COMMIT as a full disk would."""

        def __init__(self) -> None:
            self._conn = original()

        def __getattr__(self, name: str) -> object:
            return getattr(self._conn, name)

        def execute(self, sql: str, *args: object) -> object:
            if sql == "COMMIT":
                raise OSError("disk full")
            return self._conn.execute(sql, *args)

    def write(i: int) -> None:
        try:
            store.put({"pk": "Q", "sk": f"item-{i}"})
        except OSError as exc:
            errors.append(exc)

    with store._write_lock:
        threads = [threading.Thread(target=write, args=(i,)) for i in range(5)]
        for thread in threads:
            thread.start()
        _wait_for(lambda: len(store._queue) == 5)
        monkeypatch.setattr(store, "_conn", FailingCommit)
    for thread in threads:
        thread.join(10)

    assert len(errors) == 5 and all("disk full" in str(e) for e in errors)
    monkeypatch.setattr(store, "_conn", original)
    assert store.query("Q").items == []
    store.put({"pk": "Q", "sk": "after"})  # the store still works
    assert [i["sk"] for i in store.query("Q").items] == ["after"]
    store.close()
