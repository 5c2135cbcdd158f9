"""What a deleted project's purge removes of its reports (deletes/purge.py; wired in handlers/).

Per report: its share links, then every item of its partition (versions, spec parts, comment
threads, collaboration updates), the head last: the head is how the next pass finds the report,
so a pass cut off halfway leaves nothing it cannot find again. Stars stay in their users'
partitions; the star listings skip a report that is gone.
"""

from __future__ import annotations

from ..ports import ItemStore
from . import keys

__all__ = ["project_report_partitions"]

# Everything of a report's partition but its head (META), which goes last.
_BODY_PREFIXES = (keys.VERSION_PREFIX, keys.SPEC_PREFIX, keys.THREAD_PREFIX, keys.COLLAB_PREFIX)


def project_report_partitions(items: ItemStore, project_id: str) -> list[tuple[str, str | None]]:
    """(partition, sort-key prefix) pairs to delete, in order, for every report of the project."""
    parts: list[tuple[str, str | None]] = []
    for head in items.query_all(keys.of_project(project_id), index="gsi1", page_size=200):
        report_id = head["id"]
        links = items.query_all(keys.links_of(report_id), index="gsi1", page_size=200)
        parts += [(link["pk"], None) for link in links]
        parts += [(head["pk"], prefix) for prefix in _BODY_PREFIXES]
        parts.append((head["pk"], None))
    return parts
