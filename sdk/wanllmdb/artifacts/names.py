"""What an artifact name, type, alias and path may be: the server's rules, checked before any upload."""

from __future__ import annotations

import re
from dataclasses import dataclass

from wanllmdb.errors import UsageError

__all__ = ["ArtifactPath", "check_alias", "check_name", "check_type", "parse_path"]

MAX_NAME_CHARS = 128
VERSION_ALIAS = re.compile(r"v(0|[1-9][0-9]{0,8})")
RESERVED_ALIAS = "latest"


def check_name(name: str) -> str:
    """1..128 printable characters, none of them '/' or ':' (they separate the project and the alias)
    or '#' (the server refuses it: it separates the parts of its keys)."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME_CHARS:
        raise UsageError(f"artifact name {name!r}: use 1..{MAX_NAME_CHARS} characters")
    bad = sorted({c for c in name if c in "/:#" or not c.isprintable()})
    if bad:
        raise UsageError(
            f"artifact name {name!r} holds {', '.join(repr(c) for c in bad)}; "
            "use letters, digits, '-', '_' or '.'"
        )
    return name


def check_type(kind: str) -> str:
    """dataset, model, result, or any other short label."""
    if not isinstance(kind, str) or not kind or len(kind) > 64 or "/" in kind or ":" in kind:
        raise UsageError(f"artifact type {kind!r}: use 1..64 characters without '/' or ':'")
    return kind


def check_alias(alias: str) -> str:
    """A user alias: never `latest` or `vN`, which the server keeps pointing at the right versions."""
    if not isinstance(alias, str) or not alias or len(alias) > 128 or "/" in alias or ":" in alias:
        raise UsageError(f"alias {alias!r}: use 1..128 characters without '/' or ':'")
    if alias == RESERVED_ALIAS or VERSION_ALIAS.fullmatch(alias):
        raise UsageError(
            f"alias {alias!r} is set by the server (latest is the newest version, vN the Nth); choose "
            "another alias such as 'best' or 'production'"
        )
    return alias


@dataclass(frozen=True)
class ArtifactPath:
    """`[entity/][project/]name[:alias|:vN]`, as wandb spells an artifact."""

    name: str
    alias: str = RESERVED_ALIAS
    project: str | None = None
    entity: str | None = None

    def project_ref(self, *, entity: str | None, project: str | None, project_id: str | None = None) -> str:
        """The `{project_id}` of a route: the default project's id when the path names no project,
        else `entity:project` (the path's entity, or the default one)."""
        if self.project is None and project_id:
            return project_id
        name = self.project or project
        owner = self.entity or entity
        if not name or not owner:
            raise UsageError(
                f"artifact {self.name!r}: say whose project it is in "
                f"('entity/project/{self.name}:{self.alias}')"
            )
        return f"{owner}:{name}"


def parse_path(path: str) -> ArtifactPath:
    if not isinstance(path, str) or not path:
        raise UsageError(
            f"artifact {path!r}: use 'name:alias', 'project/name:vN' or 'entity/project/name:alias'"
        )
    parts = path.split("/")
    if len(parts) > 3 or not all(parts):
        raise UsageError(
            f"artifact {path!r}: use 'name:alias', 'project/name:vN' or 'entity/project/name:alias'"
        )
    name, sep, alias = parts[-1].partition(":")
    if sep and not alias:
        raise UsageError(f"artifact {path!r}: nothing after ':'")
    check_name(name)
    project = parts[-2] if len(parts) >= 2 else None
    entity = parts[-3] if len(parts) == 3 else None
    return ArtifactPath(name, alias or RESERVED_ALIAS, project, entity)
