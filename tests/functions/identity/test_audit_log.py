"""The audit log store on both backends: filters, ordering and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wanllmdb_functions.audit.service import AuditLog, AuditRecord
from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.ports import ItemStore


def record(log: AuditLog, when: datetime, actor: str, action: str, n: int) -> None:
    log.record(AuditRecord(when, actor, f"id-{actor}", "api_key", action, "/api/x", 200, "10.0.0.1", f"r{n}"))


def test_entries_list_newest_first_filtered_and_paged_across_months(items: ItemStore) -> None:
    log = AuditLog(items, retention_days=365)
    now = datetime.now(UTC)
    for n in range(7):
        # Spread over about three months so paging crosses month partitions.
        record(log, now - timedelta(days=15 * n), "alice" if n % 2 else "bob", f"POST /api/k{n % 3}", n)
    everything: list[str] = []
    cursor = None
    while True:
        page = log.list_entries(limit=2, cursor=cursor)
        everything += [e.request_id for e in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert everything == [f"r{n}" for n in range(7)]
    assert [e.request_id for e in log.list_entries(actor="alice").items] == ["r1", "r3", "r5"]
    assert [e.request_id for e in log.list_entries(action="/api/K0").items] == ["r0", "r3", "r6"]
    recent = log.list_entries(since=now - timedelta(days=20))
    assert [e.request_id for e in recent.items] == ["r0", "r1"]
    with pytest.raises(InvalidInput):
        log.list_entries(cursor="not-a-cursor")
