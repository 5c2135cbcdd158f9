"""Comment threads on a report: anchored to a block (and optionally a text range in it), with
replies, resolve and re-open, and @mentions.

Anyone who may read a report may comment on it (signed in). An `@username` in a comment tells that
user in-app (notification kind `report_mention`) when they exist and may read the report; one who
may not is left out, so a mention never reveals a private report. Threads and comments take
client-made ids, so a retried post adds nothing and tells no one twice."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, Forbidden, InvalidInput, NotFound
from ..core.policy import Permission, ResourceRef, permissions_of
from ..core.values import now_iso
from ..identity import keys as identity_keys
from ..identity.authn import entity_permissions_of
from ..identity.users import UserService
from ..notifications.service import Event, NotificationService
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .access import ReportAccess
from .models import Comment, CommentIn, Mentionable, ReplyIn, Thread, ThreadList, ThreadUpdate

__all__ = ["MENTION_KIND", "CommentService", "mentioned_names"]

MENTION_KIND = "report_mention"
MAX_MENTIONS = 20
MAX_COMMENTS_PER_THREAD = 500
# An @ that starts a word (not an e-mail address), then a username (core/ids.py ENTITY_NAME_PATTERN).
_MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9_.-]{0,127})", re.IGNORECASE)


def mentioned_names(body: str) -> list[str]:
    """The usernames `@`-mentioned in `body`, once each, in order (a trailing '.' is punctuation)."""
    names = (m.group(1).rstrip(".").lower() for m in _MENTION.finditer(body))
    return list(dict.fromkeys(n for n in names if n))[:MAX_MENTIONS]


def _thread(item: Item, comments: Iterable[Item]) -> Thread:
    ordered = sorted(comments, key=lambda c: (c["created_at"], c["id"]))
    return Thread.model_validate(
        {
            **{k: item.get(k) for k in ("id", "anchor", "resolved", "resolved_by", "created_at")},
            "comments": [Comment.model_validate(c) for c in ordered],
        }
    )


class CommentService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self.access = ReportAccess(items)
        self._users = UserService(items)

    def threads(self, caller: Caller, report_id: str) -> ThreadList:
        self.access.open(caller, report_id, Permission.REPORT_READ)
        return ThreadList(threads=self._all(report_id))

    def _all(self, report_id: str) -> list[Thread]:
        heads: dict[str, Item] = {}
        comments: dict[str, list[Item]] = {}
        for item in self._items.query_all(
            keys.report_of(report_id), sk_prefix=keys.THREAD_PREFIX, page_size=500
        ):
            if item.get("kind") == "thread":
                heads[item["id"]] = item
            else:
                comments.setdefault(item["thread_id"], []).append(item)
        threads = [_thread(h, comments.get(tid, [])) for tid, h in heads.items()]
        return sorted(threads, key=lambda t: (t.created_at, t.id))

    def _one(self, report_id: str, thread_id: str) -> Thread:
        pk, sk = keys.thread(report_id, thread_id)
        found = list(self._items.query_all(pk, sk_prefix=sk))
        head = next((i for i in found if i.get("kind") == "thread"), None)
        if head is None:
            raise NotFound(f"no comment thread {thread_id} on report {report_id}", field="thread_id")
        return _thread(head, (i for i in found if i.get("kind") == "comment"))

    def start(self, caller: Caller, report_id: str, body: CommentIn) -> Thread:
        head, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
        spec = self.access.store.spec(report_id, int(head["version"]))
        if body.anchor.block_id not in {b["id"] for b in spec.get("blocks", [])}:
            raise InvalidInput(
                f"anchor.block_id: report {report_id} has no block {body.anchor.block_id!r}",
                field="anchor.block_id",
            )
        thread_id, at = body.id or secrets.token_hex(8), now_iso()
        pk, sk = keys.thread(report_id, thread_id)
        thread = {"pk": pk, "sk": sk, "kind": "thread", "id": thread_id, "report_id": report_id,
                  "anchor": body.anchor.model_dump(by_alias=True, exclude_none=True), "resolved": False,
                  "resolved_by": None, "created_by": caller.username, "created_at": at}  # fmt: skip
        first, mentions = self._comment(caller, ref, report_id, thread_id, thread_id, body.body, at)
        try:
            self._items.transact_write(
                [
                    TransactOp("put", thread, Condition.not_exists()),
                    TransactOp("put", first, Condition.not_exists()),
                ]
            )
        except ConditionFailed:
            existing = self._one(report_id, thread_id)
            if existing.comments and existing.comments[0].author == caller.username:
                return existing  # a retry of this post
            raise Conflict(f"comment thread id {thread_id!r} is taken: choose another", field="id") from None
        self._tell(caller, head, mentions, body.body)
        return _thread(thread, [first])

    def reply(self, caller: Caller, report_id: str, thread_id: str, body: ReplyIn) -> Thread:
        head, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
        thread = self._one(report_id, thread_id)
        if len(thread.comments) >= MAX_COMMENTS_PER_THREAD:
            raise InvalidInput(
                f"thread {thread_id} is full ({MAX_COMMENTS_PER_THREAD}); start another", field="body"
            )
        comment_id = body.id or secrets.token_hex(8)
        item, mentions = self._comment(caller, ref, report_id, thread_id, comment_id, body.body, now_iso())
        try:
            self._items.put(item, condition=Condition.not_exists())
        except ConditionFailed:
            return self._one(report_id, thread_id)  # a retry: added once, told once
        self._tell(caller, head, mentions, body.body)
        return self._one(report_id, thread_id)

    def update(self, caller: Caller, report_id: str, thread_id: str, body: ThreadUpdate) -> Thread:
        _, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
        thread = self._one(report_id, thread_id)
        started_by = thread.comments[0].author if thread.comments else None
        if started_by != caller.username and Permission.REPORT_WRITE not in permissions_of(caller, ref):
            raise Forbidden("only the thread's author or the report's editors may resolve or re-open it")
        self._items.update(
            *keys.thread(report_id, thread_id),
            set_attrs={"resolved": body.resolved, "resolved_by": caller.username if body.resolved else None},
            condition=Condition.exists(),
        )
        return self._one(report_id, thread_id)

    # -- mentions -----------------------------------------------------------------------------------
    def _comment(
        self,
        caller: Caller,
        ref: ResourceRef,
        report_id: str,
        thread_id: str,
        comment_id: str,
        text: str,
        at: str,
    ) -> tuple[Item, list[Item]]:
        readers = [u for u in self._users_named(mentioned_names(text)) if self._may_read(u, ref)]
        pk, sk = keys.comment(report_id, thread_id, comment_id)
        item = {"pk": pk, "sk": sk, "kind": "comment", "id": comment_id, "thread_id": thread_id,
                "author": caller.username, "body": text, "created_at": at, "edited_at": None,
                "mentions": [u["username"] for u in readers]}  # fmt: skip
        return item, readers

    def _users_named(self, names: Iterable[str]) -> list[Item]:
        found = (self._users.get_by_name(name) for name in names)
        return [u for u in found if u is not None]

    def _may_read(self, user: Item, ref: ResourceRef) -> bool:
        as_user = Caller(user["id"], user["username"], bool(user.get("is_admin")), None, "session",
                         entity_permissions_of(self._items, user["id"]))  # fmt: skip
        return Permission.REPORT_READ in permissions_of(as_user, ref)

    def _tell(self, caller: Caller, head: Item, users: list[Item], text: str) -> None:
        notifications = NotificationService(self._items, queue=None, mailer=None)  # in-app only
        event = Event(
            kind=MENTION_KIND,
            project_id=head["project_id"],
            title=f"{caller.username} mentioned you in {head['title']}",
            text=text[:500],
            link=f"/reports/{head['id']}",
        )
        for user in users:
            if user["username"] != caller.username:
                notifications.tell(user["id"], event, email=False, hooks=())

    def mentionable(
        self, caller: Caller, report_id: str, q: str | None, limit: int = 20
    ) -> list[Mentionable]:
        """Who an @mention in this report can reach: the members of the project's owner, the users
        its grants name and its owner, those of them who may read it, matching `q`."""
        head, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
        owner = ref.project.owner
        names = {head["owner"]} | {
            g.principal.partition(":")[2] for g in ref.grants if g.principal.startswith("user:")
        }
        if owner.kind == "user":
            names.add(owner.name)
        else:
            pk = (
                identity_keys.org(owner.name)[0]
                if owner.kind == "org"
                else identity_keys.team_member(owner.name, "")[0]
            )
            names |= {m["username"] for m in self._items.query_all(pk, sk_prefix="MEMBER#", page_size=500)}
        needle = (q or "").casefold()
        chosen = sorted(n for n in names if needle in n.casefold())
        users = [u for u in self._users_named(chosen) if self._may_read(u, ref)]
        return [
            Mentionable(username=u["username"], name=u.get("name") or u["username"]) for u in users[:limit]
        ]
