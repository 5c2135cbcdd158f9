"""Notification fan-out: the time one event takes to reach N subscribers, against N bare item writes.

    python benchmarks/notifications.py [--subscribers 100]

In-process on the local backend (SQLite item store, a temporary data dir): N users subscribe to a
project's `run_crashed`, half of them with email (an .eml each in the outbox) and a webhook (a queued
delivery job each; the worker is not what is timed). The fan-out is `NotificationService.notify`, as
the runs service calls it when a run crashes. The baseline is N `put`s of one small item each into the
same store, in the same run: the least any fan-out that writes one inbox entry per user can cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "functions"))

from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore  # noqa: E402
from wanllmdb_functions.notifications import keys  # noqa: E402
from wanllmdb_functions.notifications.delivery import DeliveryJob, OutboxMailer  # noqa: E402
from wanllmdb_functions.notifications.service import Event, NotificationService  # noqa: E402


class Queue:
    def __init__(self) -> None:
        self.jobs: list[DeliveryJob] = []

    def enqueue(self, job: DeliveryJob) -> None:
        self.jobs.append(job)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = args.subscribers
    with tempfile.TemporaryDirectory() as tmp:
        items = SqliteItemStore(Path(tmp) / "items.db")
        queue = Queue()
        service = NotificationService(items, queue=queue, mailer=OutboxMailer(Path(tmp) / "outbox"))
        for i in range(n):
            pk, sk = keys.subscription("p1", f"u{i}")
            items.put(
                {
                    "pk": pk,
                    "sk": sk,
                    "user_id": f"u{i}",
                    "events": ["run_crashed"],
                    "email": i % 2 == 0,
                    "webhook_ids": ["h1"] if i % 2 == 0 else [],
                }
            )
            items.put({"pk": f"USER#u{i}", "sk": "USER", "id": f"u{i}", "email": f"u{i}@example.com"})
        fan, base = [], []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            for i in range(n):
                items.put({"pk": f"BASE#{r}", "sk": f"{i}", "v": 1})
            base.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            told = service.notify(
                Event("run_crashed", "p1", f"Run r{r} crashed", level="ERROR", run_id=f"r{r}")
            )
            fan.append(time.perf_counter() - t0)
            assert told == n
        emails = len(list((Path(tmp) / "outbox").glob("*.eml")))
    f, b = statistics.median(fan), statistics.median(base)
    print(
        f"fan-out to {n} subscribers: median {f * 1e3:.1f} ms ({f / n * 1e6:.0f} us each), "
        f"{n // 2} emails and {n // 2} webhook jobs per event; baseline {n} puts {b * 1e3:.1f} ms; "
        f"ratio x{f / b:.1f}  [{len(queue.jobs)} jobs, {emails} emails over {args.repeats} events]"
    )


if __name__ == "__main__":
    main()
