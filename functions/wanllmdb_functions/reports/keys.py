"""Item keys of reports. One partition per report holds its head (META), each version's summary and
spec, its comment threads and comments, so a report's history, a version's spec and a report's
comments are one query each. The head carries the current version number: every save is one
transaction whose put of the head is conditional on the version the editor started from.

Specs are stored as JSON text split into parts under the item limit (a spec may be 2 MB,
reports/spec.py), so a version's spec is one query of its prefix and never a nested map (DynamoDB
nests 32 deep; a spec may nest 64)."""

from __future__ import annotations

__all__ = [
    "COLLAB_PREFIX",
    "SOCKET_PREFIX",
    "SPEC_PREFIX",
    "THREAD_PREFIX",
    "VERSION_PREFIX",
    "by_owner",
    "comment",
    "links_of",
    "meta",
    "of_project",
    "report_of",
    "share_link",
    "socket",
    "socket_of_report",
    "spec_part",
    "spec_prefix",
    "star",
    "stars_of",
    "thread",
    "version",
]

VERSION_PREFIX = "H#"
SPEC_PREFIX = "S#"
THREAD_PREFIX = "T#"
# The Yjs items of a report's collaborative editing (reports/collab.py).
COLLAB_PREFIX = "Y#"
# A report's open collaboration websockets on API Gateway (reports/collab_sockets.py), beside its Yjs
# items: one query finds whom to tell of an update.
SOCKET_PREFIX = f"{COLLAB_PREFIX}C#"


def report_of(report_id: str) -> str:
    return f"REPORT#{report_id}"


def meta(report_id: str) -> tuple[str, str]:
    return report_of(report_id), "META"


def of_project(project_id: str) -> str:
    """gsi1 partition of the report heads: a project's reports."""
    return f"REPORTSOF#{project_id}"


def by_owner(username: str) -> str:
    """gsi2 partition of the report heads: the reports a user made ("my reports")."""
    return f"REPORTSBY#{username}"


def version(report_id: str, number: int) -> tuple[str, str]:
    # Zero-padded so versions sort by number; the summary only, the spec is in its parts.
    return report_of(report_id), f"{VERSION_PREFIX}{number:010d}"


def spec_prefix(number: int) -> str:
    return f"{SPEC_PREFIX}{number:010d}#"


def spec_part(report_id: str, number: int, part: int) -> tuple[str, str]:
    return report_of(report_id), f"{spec_prefix(number)}{part:03d}"


def thread(report_id: str, thread_id: str) -> tuple[str, str]:
    # The trailing '#' keeps one thread's prefix from matching another whose id it begins.
    return report_of(report_id), f"{THREAD_PREFIX}{thread_id}#"


def comment(report_id: str, thread_id: str, comment_id: str) -> tuple[str, str]:
    return report_of(report_id), f"{THREAD_PREFIX}{thread_id}#C#{comment_id}"


def stars_of(user_id: str) -> str:
    return f"REPORTSTARS#{user_id}"


def star(user_id: str, report_id: str) -> tuple[str, str]:
    return stars_of(user_id), report_id


def share_link(token_hash: str) -> tuple[str, str]:
    """A share link under the hash of its token: opening a link is one get, and a deleted (revoked)
    or expired (`ttl`) item is not found at once."""
    return f"REPORTLINK#{token_hash}", "LINK"


def links_of(report_id: str) -> str:
    """gsi1 partition of a report's share links, for listing and revoking them."""
    return f"REPORTLINKS#{report_id}"


def socket(connection_id: str) -> tuple[str, str]:
    """One API Gateway websocket: which report it edits and what its handshake proved. Its own
    partition, because each message of the socket arrives with its connection id alone."""
    return f"COLLABSOCKET#{connection_id}", "SOCKET"


def socket_of_report(report_id: str, connection_id: str) -> tuple[str, str]:
    """The socket listed in its report's partition (deleted with the report)."""
    return report_of(report_id), f"{SOCKET_PREFIX}{connection_id}"
