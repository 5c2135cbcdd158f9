"""Artifact version TTL, as wandb's: per-version retention with a default inherited from the project.

A version's own setting is one of three, stored on the version item:
  - inherit (`ttl_inherit`, the default): the project's `artifact_ttl_days`, None meaning forever;
  - N days (`ttl_days`): it expires N days after it was created;
  - never (`ttl_days` None, not inheriting): kept forever whatever the project's default.
The effective TTL is worked out when a version is read, from the project item the read has already
fetched, so a changed project default shows at once.

Where the expiry pass looks: a version that will expire carries gsi1 attributes
`ARTTL` / `<due>#<version id>`, so a pass reads only what is due, with one query of one index
partition (retention.py), on SQLite and DynamoDB alike, and never scans projects. The attributes live
on the version item itself, so setting a TTL, deleting the version and re-indexing it are each one
write with nothing to keep in step. A changed project default moves its inheriting versions in the
index on the next pass (retention.py reads the projects' change notices).

A version linked into the registry (a link marker item) or holding a protected alias is kept: setting
a TTL on it is refused, and the expiry pass checks again before it deletes anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..core.errors import Conflict
from ..core.values import now_iso
from ..ports import Item, ItemStore
from . import keys

__all__ = [
    "INDEX_ATTRS",
    "PROTECTED_ALIASES",
    "TTL_DUE_PK",
    "TtlView",
    "default_days",
    "due_attrs",
    "keep_reason",
    "linked_versions",
    "refuse_kept",
    "ttl_view",
]

TTL_DUE_PK = "ARTTL"
INDEX_ATTRS = ("gsi1pk", "gsi1sk")
# Aliases that mark a version as in use: it never expires while it holds one.
PROTECTED_ALIASES = ("production",)
# A due version that is kept (linked, or holding a protected alias) is looked at again this much later,
# so it costs one read a day, and expires the day after it is unlinked or the alias moves.
RECHECK = timedelta(days=1)
_TOP = "~"  # sorts after any version id


@dataclass(frozen=True)
class TtlView:
    """What a reader sees: the effective days (None: forever), whether they are the project's, and when."""

    days: int | None
    inherited: bool
    expires_at: datetime | None

    def fields(self) -> dict[str, Any]:
        """The response's fields (ArtifactVersion), times written as every stored time is."""
        expires = None if self.expires_at is None else now_iso(self.expires_at)
        return {"ttl_days": self.days, "ttl_inherited": self.inherited, "expires_at": expires}


def default_days(project: Item) -> int | None:
    """The project's artifact TTL default (projects/models.py `artifact_ttl_days`); None: forever."""
    days = project.get("artifact_ttl_days")
    return None if days is None else int(days)


def inherits(version: Item) -> bool:
    # Versions logged before TTLs existed have neither attribute: they inherit.
    return bool(version.get("ttl_inherit", True))


def ttl_view(version: Item, default_days: int | None) -> TtlView:
    inherited = inherits(version)
    days = default_days if inherited else version.get("ttl_days")
    if days is None:
        return TtlView(None, inherited, None)
    created = datetime.fromisoformat(version["created_at"])
    return TtlView(int(days), inherited, created + timedelta(days=int(days)))


def due_key(due: datetime, version_id: str) -> str:
    # Fixed-width UTC stamps (now_iso), so the index sorts by due time; the id makes the key unique.
    return f"{now_iso(due)}#{version_id}"


def due_until(now: datetime) -> tuple[str, str]:
    """The gsi1 sort-key range of every version due at `now`."""
    return "0", f"{due_key(now, '')}{_TOP}"


def due_attrs(version: Item, due: datetime | None) -> tuple[dict[str, Any], list[str]]:
    """(set, remove) that put `version` in the expiry index at `due`, or take it out (None)."""
    if due is None:
        return {}, list(INDEX_ATTRS)
    return {"gsi1pk": TTL_DUE_PK, "gsi1sk": due_key(due, version["id"])}, []


def indexed_at(version: Item) -> str | None:
    return version.get("gsi1sk") if version.get("gsi1pk") == TTL_DUE_PK else None


def linked_versions(items: ItemStore, project_id: str, name: str | None = None) -> set[tuple[str, int]]:
    """(name, index) of every version of the project (or of one collection) linked into the registry.
    A marker's sort key is `ALINK#<name>#<index>#<registry>#<model>`; names hold no '#'."""
    found = set()
    for marker in items.query_all(
        keys.artifacts_of(project_id), sk_prefix=keys.link_markers_prefix(name), page_size=500
    ):
        marked, index, *_ = marker["sk"].removeprefix(keys.LINK_PREFIX).split("#")
        found.add((marked, int(index)))
    return found


def keep_reason(items: ItemStore, project_id: str, name: str, index: int) -> str | None:
    """Why the version must not expire, in words with what to do; None when nothing keeps it."""
    prefix = keys.link_markers_prefix(name, index)
    markers = items.query(keys.artifacts_of(project_id), sk_prefix=prefix, limit=1).items
    if markers:
        model = markers[0]["sk"].removeprefix(prefix).replace("#", "/", 1)
        return (
            f"artifact {name}:v{index} is linked into the registry (as {model}); a linked version is "
            "kept for as long as it is linked: unlink it from the registry first"
        )
    for alias in PROTECTED_ALIASES:
        held = items.get(*keys.alias(project_id, name, alias))
        if held is not None and int(held["index"]) == index:
            return (
                f"artifact {name}:v{index} holds the protected alias {alias!r}, and a version in use is "
                f"never set to expire: move {alias!r} to another version first"
            )
    return None


def refuse_kept(
    items: ItemStore, version: Item | None, days: int | None, *, aliases: Iterable[str] = ()
) -> None:
    """Conflict when a TTL of `days` would make a version expire that is kept: one linked into the
    registry or holding a protected alias, or (a version being logged) given one in `aliases`.
    Keeping a version forever (None) is always allowed."""
    if days is None:
        return
    given = sorted(set(aliases) & set(PROTECTED_ALIASES))
    if given:
        raise Conflict(
            f"cannot set a TTL on a version given the protected alias {given[0]!r}: a version in use is "
            f"never set to expire; log it without ttl_days, or without {given[0]!r}",
            field="ttl_days",
        )
    if version is None:
        return
    reason = keep_reason(items, version["project_id"], version["name"], int(version["index"]))
    if reason is not None:
        raise Conflict(f"cannot set a TTL: {reason}", field="ttl_days")
