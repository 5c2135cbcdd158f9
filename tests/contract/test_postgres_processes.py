"""The PostgreSQL item store across processes (replicas), beyond the threads of the contract suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.postgres_server import session_postgres  # noqa: F401  (a fixture, shared by name)
from wanllmdb_functions.adapters.postgres_items import PostgresItemStore

REPO = Path(__file__).resolve().parents[2]
WORKER = """
import sys
from wanllmdb_functions.adapters.postgres_items import PostgresItemStore
from wanllmdb_functions.core.errors import ConditionFailed
from wanllmdb_functions.ports import Condition, TransactOp

store = PostgresItemStore(sys.argv[1], max_size=4)
me = sys.argv[2]
won = 0
for i in range(30):
    store.update("proc", "counter", add={"n": 1})
    try:
        # Every process tries to claim each slot; one claim per slot may win, with its counter bump.
        store.transact_write([
            TransactOp("put", {"pk": "proc", "sk": f"slot-{i:02d}", "by": me}, Condition.not_exists()),
            TransactOp("put", {"pk": "proc-claims", "sk": f"{me}-{i:02d}"}),
        ])
        won += 1
    except ConditionFailed:
        pass
print(won)
"""


def test_processes_share_counters_and_conditions(session_postgres: str) -> None:  # noqa: F811
    store = PostgresItemStore(session_postgres, max_size=2)
    store.truncate()
    stamp = store.partition_changes("proc")
    assert stamp is not None
    env = {"PYTHONPATH": f"{REPO / 'functions'}"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, session_postgres, f"p{i}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(4)
    ]
    wins = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        wins.append(int(out))
    assert store.get("proc", "counter") == {"pk": "proc", "sk": "counter", "n": 120}
    assert sum(wins) == 30
    slots = store.query("proc", sk_prefix="slot-").items
    assert len(slots) == 30
    assert len(store.query("proc-claims").items) == 30
    # Another process's writes are seen by this one's change stamps too.
    changes = store.partition_changes("proc", stamp.stamp)
    assert changes is not None and changes.written == {"counter", *(s["sk"] for s in slots)}
    store.close()
