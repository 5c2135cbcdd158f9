"""Item keys of saved views: one partition per project, so listing a project's views is one query."""

from __future__ import annotations

__all__ = ["VIEW_PREFIX", "view", "views_of"]

VIEW_PREFIX = "VIEW#"


def views_of(project_id: str) -> str:
    return f"VIEWS#{project_id}"


def view(project_id: str, name: str) -> tuple[str, str]:
    return views_of(project_id), f"{VIEW_PREFIX}{name}"
