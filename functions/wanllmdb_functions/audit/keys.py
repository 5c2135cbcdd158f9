"""Item keys of audit entries (design and reasons: docs/data-model.md, "Audit log")."""

from __future__ import annotations

__all__ = ["by_actor", "by_owner", "month_partition"]


def month_partition(month: str) -> str:
    """Table partition of one calendar month (`YYYY-MM`): spreads writes, bounds each query."""
    return f"AUDIT#{month}"


def by_actor(actor: str) -> str:
    """gsi1 partition: one actor's entries, newest last."""
    return f"AUDITBY#{actor}"


def by_owner(owner: str) -> str:
    """gsi2 partition: the activity of one user's or organization's projects and settings."""
    return f"ACTIVITY#{owner}"
