"""Share links: a view or edit link to one report, with an expiry, revocable.

Only the hash of a link's token is kept (shown once at creation). The link item carries the expiry
as its `ttl`, and the item store hides expired items on every read, so an expired or revoked
(deleted) link is not found at once. A view link opens the report read-only without an account. An
edit link needs a signed-in user and gives them edit on that report: a report grant tagged with the
link, expiring with it and taken back when the link is revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from ..core.caller import Caller
from ..core.errors import NotFound, Unauthenticated
from ..core.policy import Permission
from ..core.values import now_iso, now_utc
from ..ports import Item, ItemStore
from ..projects import keys as project_keys
from . import keys
from .models import Report, ShareLink, ShareLinkCreated, ShareLinkIn, ShareLinkList
from .service import ReportService

__all__ = ["TOKEN_PREFIX", "ShareLinkService", "link_projects", "print_link", "revoke_all"]

TOKEN_PREFIX = "wlr_"  # noqa: S105 (a prefix that tells a link token from an API key, no secret)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link(item: Item) -> ShareLink:
    return ShareLink.model_validate({k: item[k] for k in ShareLink.model_fields})


def _live(item: Item | None) -> bool:
    return item is not None and datetime.fromisoformat(item["expires_at"].replace("Z", "+00:00")) > now_utc()


def _link_grants(items: ItemStore, project_id: str, report_id: str, link_id: str) -> list[Item]:
    found = items.query_all(
        project_keys.grants_of(project_id), sk_prefix=project_keys.grants_prefix("report", report_id)
    )
    return [g for g in found if g.get("via_link") == link_id]


def _live_link(items: ItemStore, token: str) -> Item:
    link = items.get(*keys.share_link(_hash(token))) if token.startswith(TOKEN_PREFIX) else None
    if link is None or not _live(link):
        raise NotFound("this share link does not exist, has expired or was revoked", field="token")
    return link


def link_projects(items: ItemStore, token: str) -> frozenset[str]:
    """The projects a live share link lets its holder read runs of: its report's own project, whose
    runs the report's panels draw. Run sets from other projects stay behind their own rules: a link
    made by someone with write on the report must not open a project that person may not read."""
    head = ReportService(items).store.find_head(_live_link(items, token)["report_id"])
    if head is None:
        raise NotFound("this share link does not exist, has expired or was revoked", field="token")
    return frozenset({str(head["project_id"])})


def print_link(items: ItemStore, report_id: str, created_by: str, ttl_s: int) -> tuple[str, tuple[str, str]]:
    """A view link for the export's own browser, living ``ttl_s`` and in no listing: (its token, its
    item's key, for the exporter to delete once printed). Made for any reader, who may print what
    they may read; nobody else ever sees its token."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    expires = now_utc() + timedelta(seconds=ttl_s)
    pk, sk = keys.share_link(_hash(token))
    items.put(
        {"pk": pk, "sk": sk, "id": secrets.token_hex(8), "report_id": report_id, "access": "view",
         "purpose": "print", "expires_at": now_iso(expires), "created_by": created_by,
         "created_at": now_iso(), "ttl": int(expires.timestamp()) + 1}
    )  # fmt: skip
    return token, (pk, sk)


def revoke_all(items: ItemStore, report_id: str) -> None:
    """Every share link of a report (a deleted report's)."""
    for item in list(items.query_all(keys.links_of(report_id), index="gsi1", page_size=200)):
        items.delete(item["pk"], item["sk"])


class ShareLinkService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self.reports = ReportService(items)

    def create(self, caller: Caller, report_id: str, body: ShareLinkIn) -> ShareLinkCreated:
        self.reports.access.open(caller, report_id, Permission.REPORT_WRITE)
        token = TOKEN_PREFIX + secrets.token_urlsafe(24)
        expires = now_utc() + timedelta(seconds=body.expires_in_s)
        pk, sk = keys.share_link(_hash(token))
        item = {"pk": pk, "sk": sk, "id": secrets.token_hex(8), "report_id": report_id, "access": body.access,
                "expires_at": now_iso(expires), "created_by": caller.username, "created_at": now_iso(),
                "ttl": int(expires.timestamp()) + 1,
                "gsi1pk": keys.links_of(report_id), "gsi1sk": now_iso()}  # fmt: skip
        self._items.put(item)
        return ShareLinkCreated(**_link(item).model_dump(), token=token, url=f"/shared/reports/{token}")

    def list(self, caller: Caller, report_id: str) -> ShareLinkList:
        self.reports.access.open(caller, report_id, Permission.REPORT_WRITE)
        found = self._items.query_all(keys.links_of(report_id), index="gsi1", page_size=200)
        return ShareLinkList(links=[_link(i) for i in found if _live(i)])

    def revoke(self, caller: Caller, report_id: str, link_id: str) -> None:
        head, _ = self.reports.access.open(caller, report_id, Permission.REPORT_WRITE)
        found = self._items.query_all(keys.links_of(report_id), index="gsi1", page_size=200)
        link = next((i for i in found if i["id"] == link_id), None)
        if link is None:
            raise NotFound(f"report {report_id} has no share link {link_id}", field="link_id")
        self._items.delete(link["pk"], link["sk"])  # the token is not found from now on
        for grant in _link_grants(self._items, head["project_id"], report_id, link_id):
            self._items.delete(grant["pk"], grant["sk"])

    def open(self, caller: Caller, token: str) -> Report:
        """The report behind a live link: read-only for a view link (anyone), and for an edit link
        the signed-in caller is given edit on the report until the link expires or is revoked."""
        link = _live_link(self._items, token)
        head = self.reports.store.find_head(link["report_id"])
        if head is None:
            raise NotFound("this share link does not exist, has expired or was revoked", field="token")
        if link["access"] == "edit":
            if caller.is_anonymous:
                raise Unauthenticated("an edit link needs a signed-in user: sign in and open it again")
            self._grant_edit(caller, head, link)
        # Read after the grant: an edit link's holder now holds edit (can_edit) through it.
        return self.reports.report(caller, head, self.reports.access.ref(head))

    def _grant_edit(self, caller: Caller, head: Item, link: Item) -> None:
        principal = f"user:{caller.username}"
        pk, sk = project_keys.grant(head["project_id"], "report", head["id"], principal)
        existing = self._items.get(pk, sk)
        if existing is not None and existing.get("via_link") is None:
            return  # a grant a project admin made stays as it is
        self._items.put(
            {
                "pk": pk,
                "sk": sk,
                "kind": "report",
                "resource_id": head["id"],
                "principal": principal,
                "permissions": sorted([Permission.REPORT_READ.value, Permission.REPORT_WRITE.value]),
                "effect": "allow",
                "created_by": link["created_by"],
                "created_at": now_iso(),
                "via_link": link["id"],
                "ttl": link["ttl"],
            }
        )
