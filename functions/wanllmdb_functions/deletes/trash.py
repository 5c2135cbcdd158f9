"""Tombstones and the trash: how a deletion hides items, and how a restore puts them back.

A deletion moves each item it hides into its trash partition, whole: the item's own key no longer
exists, so every read path (gets, queries, index listings) misses it with no filter to forget, and
putting it back restores exactly what was there. The tombstone records the deletion; it is also the
purge job (purge.py), its state moving pending → purging → purged, or pending → restoring → restored.
Every state change is a put conditioned on the revision read, so a restore and a purge racing for
one tombstone cannot both win.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from ..core.errors import ConditionFailed, Conflict, Gone
from ..core.settings import Settings
from ..core.values import now_epoch, now_iso, now_utc
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .models import Deletion

__all__ = ["ACTIVE", "Trash", "receipt"]

# States in which the deleted thing is out of sight and its name or id is not free.
ACTIVE = frozenset({"pending", "purging", "restoring"})
# At most this many items move in one transaction (DynamoDB takes 100 actions; each move is two).
MOVE_BATCH = 40


def receipt(tombstone: Item) -> Deletion:
    return Deletion.model_validate({k: tombstone.get(k) for k in Deletion.model_fields})


def _key_of(item: Item) -> dict[str, str]:
    return {"pk": item["pk"], "sk": item["sk"]}


class Trash:
    def __init__(self, items: ItemStore, settings: Settings) -> None:
        self._items = items
        self._settings = settings

    # -- tombstones ----------------------------------------------------------------------------------
    def new_tombstone(self, key: tuple[str, str], **fields: Any) -> Item:
        """A pending tombstone at `key` (not yet written): `fields` name the target and its receipt."""
        at = now_utc()
        deletion_id = f"{at.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(6)}"
        purge_after = now_iso(at + timedelta(seconds=self._settings.delete_grace_s))
        return {
            "pk": key[0], "sk": key[1], "id": deletion_id, "state": "pending", "deleted_at": now_iso(at),
            "purge_after": purge_after, "restored_at": None, "purged_at": None, "moved": 0,
            "gsi1pk": keys.PURGE_DUE_PK, "gsi1sk": keys.purge_sort_key(purge_after, deletion_id),
            **fields,
        }  # fmt: skip

    def tombstone_op(self, tombstone: Item, previous: Item | None) -> TransactOp:
        """Write a new tombstone over the key's earlier, finished deletion (or none)."""
        if previous is not None and previous.get("state") in ACTIVE:
            raise ConditionFailed(f"{previous['kind']} {previous['target']} is already being deleted")
        tombstone["rev"] = int(previous.get("rev", 0)) + 1 if previous else 1
        condition = Condition.equals("rev", previous.get("rev")) if previous else Condition.not_exists()
        return TransactOp("put", tombstone, condition)

    def advance(self, tombstone: Item, **changes: Any) -> Item:
        """The tombstone with `changes`, written only if nobody changed it since it was read."""
        new = {**tombstone, **changes, "rev": int(tombstone.get("rev", 0)) + 1}
        for name, value in changes.items():
            if value is None and name.startswith("gsi1"):
                new.pop(name)
        self._items.put(new, condition=Condition.equals("rev", tombstone.get("rev")))
        return new

    def start_restore(self, tombstone: Item, what: str) -> Item:
        """pending → restoring, out of the purge worker's sight; a repeated restore continues one
        already restoring. Gone when the purge started first."""
        state = tombstone["state"]
        if state in ("purging", "purged"):
            raise Gone(
                f"{what} was {'purged' if state == 'purged' else 'being purged'} after its grace period "
                f"ended ({tombstone['purge_after']}); a purge cannot be undone",
                field="state",
            )
        if state == "restoring":
            return tombstone
        self._check_free(tombstone, what)
        try:
            return self.advance(tombstone, state="restoring", gsi1pk=None, gsi1sk=None)
        except ConditionFailed:
            raise Conflict(f"{what} changed while it was being restored; retry", field="state") from None

    def finish_restore(self, tombstone: Item) -> Item:
        return self.advance(tombstone, state="restored", restored_at=now_iso())

    def finish_purge(self, tombstone: Item) -> Item:
        # Kept as long as the audit log, so a late restore hears it is gone rather than never existed.
        ttl = int(now_epoch()) + self._settings.audit_retention_days * 86400
        return self.advance(
            tombstone, state="purged", purged_at=now_iso(), gsi1pk=None, gsi1sk=None, ttl=ttl, cursor=None
        )

    # -- moving items ------------------------------------------------------------------------------------
    @staticmethod
    def move_ops(deletion_id: str, start: int, found: Iterable[Item]) -> list[TransactOp]:
        """Ops that move `found` into the trash as items start, start+1, …: each delete conditioned on
        the item being unchanged since it was read (its revision, where it keeps one)."""
        ops: list[TransactOp] = []
        for n, item in enumerate(found, start):
            guard = Condition.equals("rev", item["rev"]) if "rev" in item else Condition.exists()
            pk, sk = keys.trash_item(deletion_id, n)
            ops += [
                TransactOp("delete", _key_of(item), guard),
                TransactOp("put", {"pk": pk, "sk": sk, "item": item}),
            ]
        return ops

    def move_more(self, tombstone: Item, found: list[Item]) -> Item:
        """Move `found` into the trash in batches, counting them on the tombstone as they go, so a
        deletion interrupted between batches continues where it stopped. Returns the tombstone."""
        for i in range(0, len(found), MOVE_BATCH):
            batch = found[i : i + MOVE_BATCH]
            moved = int(tombstone["moved"])
            new = {**tombstone, "moved": moved + len(batch), "rev": int(tombstone["rev"]) + 1}
            ops = self.move_ops(tombstone["id"], moved, batch)
            self._items.transact_write(
                [*ops, TransactOp("put", new, Condition.equals("rev", tombstone["rev"]))]
            )
            tombstone = new
        return tombstone

    def trashed(self, deletion_id: str) -> list[Item]:
        return list(self._items.query_all(keys.trash_pk(deletion_id), page_size=200))

    def _check_free(self, tombstone: Item, what: str) -> None:
        """Refuse a restore, before anything changes, when something else took a key (a project's or
        team's name) while the deletion was pending."""
        for stashed in self.trashed(tombstone["id"]):
            original = stashed["item"]
            if self._items.get(original["pk"], original["sk"]) is not None:
                raise Conflict(
                    f"{what} cannot be restored: its name was taken by something created after the "
                    "deletion; rename or delete that first",
                    field="name",
                )

    def put_back(self, deletion_id: str) -> int:
        """Return every trashed item to its own key, in batches; repeatable after an interruption
        (what is already back is no longer in the trash). Returns how many came back."""
        back = 0
        while stashed := self._items.query(keys.trash_pk(deletion_id), limit=MOVE_BATCH).items:
            ops: list[TransactOp] = []
            for entry in stashed:
                ops += [
                    TransactOp("put", entry["item"], Condition.not_exists()),
                    TransactOp("delete", _key_of(entry)),
                ]
            try:
                self._items.transact_write(ops)
            except ConditionFailed:
                raise Conflict(
                    "something was created under a deleted item's key while it was being restored; "
                    "restore again once that is removed",
                    field="name",
                ) from None
            back += len(stashed)
        return back
