"""Item keys of projects (design and reasons: docs/data-model.md, "Projects")."""

from __future__ import annotations

__all__ = [
    "ARTIFACT_TTL_CHANGES",
    "artifact_ttl_change",
    "by_entity",
    "by_visibility",
    "grant",
    "grants_of",
    "grants_prefix",
    "name_claim",
    "project",
]


def project(project_id: str) -> tuple[str, str]:
    return f"PROJECT#{project_id}", "PROJECT"


def name_claim(entity: str, name: str) -> tuple[str, str]:
    """Unique (entity, name): created in the same transaction as the project, must-not-exist."""
    return f"PROJECTNAME#{entity}/{name}", "PROJECTNAME"


def by_entity(entity: str) -> str:
    """gsi1 partition: an entity's projects, sorted by name."""
    return f"PROJECTSOF#{entity}"


def by_visibility(visibility: str) -> str:
    """gsi2 partition: every public (or private) project, sorted by entity/name."""
    return f"PROJECTS#{visibility}"


# Projects whose artifact_ttl_days changed: the artifacts' expiry pass (artifacts/retention.py) moves
# their inheriting versions in its index, then removes the notice (if the project did not change again).
ARTIFACT_TTL_CHANGES = "ARTTLCHANGED"


def artifact_ttl_change(project_id: str) -> tuple[str, str]:
    return ARTIFACT_TTL_CHANGES, project_id


def grants_of(project_id: str) -> str:
    """A project's resource grants: one partition, so a resource's grants are one query."""
    return f"GRANTS#{project_id}"


def grants_prefix(kind: str, resource_id: str) -> str:
    return f"{kind}#{resource_id}#"


def grant(project_id: str, kind: str, resource_id: str, principal: str) -> tuple[str, str]:
    return grants_of(project_id), f"{grants_prefix(kind, resource_id)}{principal}"
