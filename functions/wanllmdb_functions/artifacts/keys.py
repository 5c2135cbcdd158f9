"""Item keys of artifacts. One partition per project holds its collections, versions, aliases and
digests, so a collection's versions are one query; lineage edges live in the run's and the
version's own partitions, so each direction is one query too."""

from __future__ import annotations

__all__ = [
    "ALIAS_PREFIX",
    "COLLECTION_PREFIX",
    "VERSION_PREFIX",
    "alias",
    "artifacts_of",
    "collection",
    "digest",
    "edge_fields",
    "link_marker",
    "link_markers_prefix",
    "logged_edge",
    "runs_edges_of",
    "used_edge",
    "version",
    "version_edges_of",
    "version_id",
]

COLLECTION_PREFIX = "ACOL#"
VERSION_PREFIX = "AVER#"
ALIAS_PREFIX = "AALIAS#"
DIGEST_PREFIX = "ADIG#"
USED_PREFIX = "USED#"
LOGGED_PREFIX = "LOGGED#"
USED_BY_PREFIX = "USEDBY#"


def artifacts_of(project_id: str) -> str:
    return f"ARTIFACTS#{project_id}"


def collection(project_id: str, name: str) -> tuple[str, str]:
    return artifacts_of(project_id), f"{COLLECTION_PREFIX}{name}"


def version(project_id: str, name: str, index: int) -> tuple[str, str]:
    # Zero-padded so versions sort by number within a collection.
    return artifacts_of(project_id), f"{VERSION_PREFIX}{name}#{index:010d}"


def versions_prefix(name: str) -> str:
    return f"{VERSION_PREFIX}{name}#"


def alias(project_id: str, name: str, label: str) -> tuple[str, str]:
    return artifacts_of(project_id), f"{ALIAS_PREFIX}{name}#{label}"


def aliases_prefix(name: str) -> str:
    return f"{ALIAS_PREFIX}{name}#"


def digest(project_id: str, name: str, value: str) -> tuple[str, str]:
    return artifacts_of(project_id), f"{DIGEST_PREFIX}{name}#{value}"


def version_id(project_id: str, name: str, index: int) -> str:
    """A version's id in lineage edges and the API."""
    return f"{project_id}:{name}:v{index}"


def runs_edges_of(run_id: str) -> str:
    return f"RUNART#{run_id}"


def version_edges_of(vid: str) -> str:
    return f"ARTRUN#{vid}"


def used_edge(run_id: str, vid: str) -> list[tuple[str, str]]:
    """Both directions of 'run used version': the run's list, and the version's users."""
    return [
        (runs_edges_of(run_id), f"{USED_PREFIX}{vid}"),
        (version_edges_of(vid), f"{USED_BY_PREFIX}{run_id}"),
    ]


def edge_fields(version: dict[str, object]) -> dict[str, object]:
    """What an edge item keeps of its version: enough to read the version back by its key."""
    return {k: version[k] for k in ("id", "project_id", "name", "index")}


def logged_edge(run_id: str, vid: str) -> tuple[str, str]:
    """'run logged version', on the run's side (the version names its run itself)."""
    return runs_edges_of(run_id), f"{LOGGED_PREFIX}{vid}"


LINK_PREFIX = "ALINK#"


def link_marker(project_id: str, name: str, index: int, registry_id: str, model: str) -> tuple[str, str]:
    """'this version is linked into a registered model': written and removed by the registry, read by
    gc (a linked version's files stay even after the version is deleted) and by TTL (refused)."""
    return artifacts_of(project_id), f"{LINK_PREFIX}{name}#{index:010d}#{registry_id}#{model}"


def link_markers_prefix(name: str | None = None, index: int | None = None) -> str:
    """Every link marker of the project, of one collection, or of one version."""
    if name is None:
        return LINK_PREFIX
    return f"{LINK_PREFIX}{name}#" if index is None else f"{LINK_PREFIX}{name}#{index:010d}#"
