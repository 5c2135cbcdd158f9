"""Report history: the versions every save keeps, one version's spec, the diff of any two, and
restoring an old version as a new one (history is never rewritten).

The diff matches blocks by their stable ids (schemas/report.schema.json): a block is added, removed,
changed (its content differs), moved (same content, another place among the blocks both versions
share) or the same. Text blocks also carry a word-level diff of their text (difflib), so a reviewer
sees which words changed without comparing JSON."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from ..core.caller import Caller
from ..core.policy import Permission
from ..ports import ItemStore
from .models import (
    BlockChange,
    Report,
    ReportDiff,
    ReportVersion,
    RestoreIn,
    TextOp,
    TitleChange,
    VersionList,
    VersionSummary,
)
from .service import ReportService

__all__ = ["VersionService", "block_text", "diff_blocks", "word_diff"]

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def _runs(runs: list[dict[str, Any]]) -> str:
    return "".join(run.get("text", "") for run in runs)


def _items(items: list[dict[str, Any]], depth: int = 0) -> Iterator[str]:
    for item in items:
        yield "  " * depth + _runs(item.get("text", []))
        yield from _items(item.get("children", []), depth + 1)


def block_text(block: dict[str, Any]) -> str | None:
    """The words of a text block (None for blocks without text: panels, media, rules)."""
    if isinstance(block.get("text"), list):
        return _runs(block["text"])
    if isinstance(block.get("items"), list):
        return "\n".join(_items(block["items"]))
    for field in ("code", "markdown", "latex"):
        if isinstance(block.get(field), str):
            return str(block[field])
    return None


def word_diff(before: str, after: str) -> list[TextOp]:
    """Word-level edit script from `before` to `after`: words, runs of space and punctuation are the
    units, and neighbouring operations of one kind are merged."""
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    ops: list[TextOp] = []

    def emit(op: str, words: list[str]) -> None:
        if not words:
            return
        if ops and ops[-1].op == op:
            ops[-1] = TextOp(op=op, text=ops[-1].text + "".join(words))  # type: ignore[arg-type]
        else:
            ops.append(TextOp(op=op, text="".join(words)))  # type: ignore[arg-type]

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            emit("equal", a[i1:i2])
        else:
            emit("delete", a[i1:i2])
            emit("insert", b[j1:j2])
    return ops


def _change(before: dict[str, Any] | None, after: dict[str, Any] | None, *, moved: bool) -> BlockChange:
    block = after if after is not None else before
    assert block is not None
    if before is None:
        return BlockChange(id=block["id"], change="added", type=block["type"], after=after)
    if after is None:
        return BlockChange(id=block["id"], change="removed", type=block["type"], before=before)
    if before == after:
        return BlockChange(id=block["id"], change="moved" if moved else "same", type=block["type"])
    text_diff = None
    old, new = block_text(before), block_text(after)
    if old is not None and new is not None:
        text_diff = word_diff(old, new)
    return BlockChange(
        id=block["id"], change="changed", type=block["type"], before=before, after=after, text_diff=text_diff
    )


def diff_blocks(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[BlockChange]:
    """Every block of either version once, in reading order (removed ones where they were)."""
    old = {b["id"]: b for b in before}
    new = {b["id"]: b for b in after}
    old_ids, new_ids = [b["id"] for b in before], [b["id"] for b in after]
    out: list[BlockChange] = []
    matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(_change(old[i], new[i], moved=False) for i in old_ids[i1:i2])
            continue
        # Outside the longest common order: a block in both versions was moved, shown where it is now.
        out.extend(_change(old[i], None, moved=False) for i in old_ids[i1:i2] if i not in new)
        out.extend(_change(old.get(i), new[i], moved=i in old) for i in new_ids[j1:j2])
    return out


class VersionService:
    def __init__(self, items: ItemStore) -> None:
        self.reports = ReportService(items)
        self.store = self.reports.store

    def list(self, caller: Caller, report_id: str) -> VersionList:
        self.reports.access.open(caller, report_id, Permission.REPORT_READ)
        found = self.store.versions(report_id)
        versions = [VersionSummary.model_validate(v) for v in sorted(found, key=lambda v: -int(v["version"]))]
        return VersionList(versions=versions)

    def get(self, caller: Caller, report_id: str, number: int) -> ReportVersion:
        self.reports.access.open(caller, report_id, Permission.REPORT_READ)
        summary = self.store.version(report_id, number)
        return ReportVersion.model_validate({**summary, "spec": self.store.spec(report_id, number)})

    def diff(self, caller: Caller, report_id: str, start: int, end: int) -> ReportDiff:
        self.reports.access.open(caller, report_id, Permission.REPORT_READ)
        first, last = self.store.version(report_id, start), self.store.version(report_id, end)
        before, after = self.store.spec(report_id, start), self.store.spec(report_id, end)
        title = (
            None
            if first["title"] == last["title"]
            else TitleChange(before=first["title"], after=last["title"])
        )
        return ReportDiff(
            from_version=start,
            to_version=end,
            blocks=diff_blocks(before.get("blocks", []), after.get("blocks", [])),
            title=title,
        )

    def restore(self, caller: Caller, report_id: str, number: int, body: RestoreIn) -> Report:
        head, ref = self.reports.access.open(caller, report_id, Permission.REPORT_WRITE)
        summary = self.store.version(report_id, number)
        return self.reports.write(
            caller,
            head,
            ref,
            self.store.spec(report_id, number),
            base=body.base_version,
            title=summary["title"],
            description=summary.get("description", ""),
            message=f"restored version {number}",
            restored_from=number,
        )
