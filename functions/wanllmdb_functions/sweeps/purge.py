"""What a deleted project's purge removes of its sweeps (deletes/purge.py; wired in handlers/).

Each sweep's partition goes, trials and agents before the sweep itself: the sweep is how the next
pass finds the partition, so a pass cut off halfway leaves nothing it cannot find again. The runs
were the project's and go with it; with the sweep gone, no periodic tick looks at it again.
"""

from __future__ import annotations

from ..ports import ItemStore
from . import keys

__all__ = ["project_sweep_partitions"]


def project_sweep_partitions(items: ItemStore, project_id: str) -> list[tuple[str, str | None]]:
    """(partition, sort-key prefix) pairs to delete, in order, for every sweep of the project."""
    parts: list[tuple[str, str | None]] = []
    for head in items.query_all(keys.by_project(project_id), index="gsi1", page_size=200):
        pk = head["pk"]
        parts += [(pk, keys.TRIAL_PREFIX), (pk, keys.AGENT_PREFIX), (pk, None)]
    return parts
