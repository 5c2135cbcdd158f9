"""What an artifact name, type, alias and version reference may be, checked at every entry point."""

from __future__ import annotations

import re

from ..core.errors import InvalidInput

__all__ = [
    "MAX_NAME_CHARS",
    "RESERVED_ALIAS",
    "VERSION_ALIAS",
    "check_alias",
    "check_name",
    "check_type",
    "parse_reference",
    "version_label",
]

MAX_NAME_CHARS = 128
MAX_ALIAS_CHARS = 128
VERSION_ALIAS = re.compile(r"v(0|[1-9][0-9]{0,8})")  # v0, v1, ...: set by the server only
RESERVED_ALIAS = "latest"


def check_name(name: str, *, field: str = "name") -> str:
    """A collection name: 1..128 printable characters, none of them '/' or ':' (they separate the
    project and the version in `entity/project/name:alias`) or '#' (it separates the parts of the
    store's keys, so `a` would otherwise list the versions of `a#b`)."""
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"{field}: an artifact name has 1..{MAX_NAME_CHARS} characters", field=field)
    bad = sorted({c for c in name if c in "/:#" or not c.isprintable()})
    if bad:
        raise InvalidInput(
            f"{field}: {name!r} holds {', '.join(repr(c) for c in bad)}; "
            "use letters, digits, '-', '_' or '.'",
            field=field,
        )
    return name


def check_type(kind: str, *, field: str = "type") -> str:
    """dataset, model, result, or any other short label."""
    if not kind or len(kind) > 64 or not kind.isprintable() or "/" in kind or ":" in kind:
        raise InvalidInput(
            f"{field}: an artifact type is 1..64 printable characters without '/' or ':'", field=field
        )
    return kind


def check_alias(alias: str, *, field: str = "aliases") -> str:
    """A user alias: never `latest` or `vN`, which the server keeps pointing at the right versions."""
    if not alias or len(alias) > MAX_ALIAS_CHARS or not alias.isprintable() or "/" in alias or ":" in alias:
        raise InvalidInput(
            f"{field}: an alias is 1..{MAX_ALIAS_CHARS} printable characters without '/' or ':'", field=field
        )
    if alias == RESERVED_ALIAS or VERSION_ALIAS.fullmatch(alias):
        raise InvalidInput(
            f"{field}: {alias!r} is set by the server (latest is the newest version, vN the Nth); choose "
            "another alias such as 'best' or 'production'",
            field=field,
        )
    return alias


def version_label(index: int) -> str:
    return f"v{index}"


def parse_reference(reference: str, *, field: str = "artifact") -> tuple[str, str]:
    """`name:alias`, `name:vN` or `name` (meaning latest) → (name, alias or version label)."""
    name, sep, alias = reference.rpartition(":")
    if not sep:
        name, alias = reference, RESERVED_ALIAS
    check_name(name, field=field)
    if not alias:
        raise InvalidInput(f"{field}: {reference!r} has an empty alias after ':'", field=field)
    return name, alias
