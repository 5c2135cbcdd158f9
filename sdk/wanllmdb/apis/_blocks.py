"""Text blocks and inline text of ``wanllmdb.apis.reports``; each ``to_spec()`` is its part of the
report spec (schemas/report.schema.json)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "H1", "H2", "H3", "Block", "Bold", "BulletedList", "Callout", "CodeBlock", "HorizontalRule", "Image",
    "InlineCode", "InlineLatex", "Italic", "LaTeXBlock", "Link", "ListItem", "MarkdownBlock", "Mention",
    "NumberedList", "P", "Quote", "Strike", "TableOfContents", "Text", "Underline", "Video", "new_id",
]  # fmt: skip


def new_id() -> str:
    return secrets.token_hex(6)


# ---- inline text ------------------------------------------------------------------------------------


@dataclass
class _Inline:
    text: str
    marks: tuple[str, ...] = ()

    def to_run(self) -> dict[str, Any]:
        run: dict[str, Any] = {"text": self.text}
        if self.marks:
            run["marks"] = list(self.marks)
        return run


def Bold(text: str) -> _Inline:
    return _Inline(text, ("bold",))


def Italic(text: str) -> _Inline:
    return _Inline(text, ("italic",))


def Strike(text: str) -> _Inline:
    return _Inline(text, ("strike",))


def Underline(text: str) -> _Inline:
    return _Inline(text, ("underline",))


def InlineCode(code: str) -> _Inline:
    return _Inline(code, ("code",))


@dataclass
class Link:
    text: str
    url: str

    def to_run(self) -> dict[str, Any]:
        return {"text": self.text, "link": self.url}


@dataclass
class Mention:
    username: str

    def to_run(self) -> dict[str, Any]:
        return {"text": f"@{self.username}", "mention": self.username}


@dataclass
class InlineLatex:
    latex: str

    def to_run(self) -> dict[str, Any]:
        return {"text": self.latex, "math": True}


Text = str | _Inline | Link | Mention | InlineLatex | list[Any]


def _runs(text: Text) -> list[dict[str, Any]]:
    parts = text if isinstance(text, list) else [text]
    return [{"text": p} if isinstance(p, str) else p.to_run() for p in parts if p != ""]


# ---- blocks -----------------------------------------------------------------------------------------


@dataclass
class Block:
    id: str = field(default_factory=new_id, kw_only=True)

    def to_spec(self) -> dict[str, Any]:
        raise TypeError(f"{type(self).__name__} is not a block")  # every block below overrides this


@dataclass
class _Heading(Block):
    text: Text = ""
    level = 1

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "heading", "level": self.level, "text": _runs(self.text)}


class H1(_Heading):
    level = 1


class H2(_Heading):
    level = 2


class H3(_Heading):
    level = 3


@dataclass
class P(Block):
    text: Text = ""

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "paragraph", "text": _runs(self.text)}


@dataclass
class ListItem:
    text: Text
    children: list[ListItem | Text] = field(default_factory=list)
    checked: bool | None = None

    def to_spec(self) -> dict[str, Any]:
        item: dict[str, Any] = {"text": _runs(self.text)}
        if self.children:
            item["children"] = [_item(c) for c in self.children]
        if self.checked is not None:
            item["checked"] = self.checked
        return item


def _item(item: ListItem | Text) -> dict[str, Any]:
    return item.to_spec() if isinstance(item, ListItem) else {"text": _runs(item)}


@dataclass
class BulletedList(Block):
    items: list[ListItem | Text] = field(default_factory=list)

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "bulleted_list", "items": [_item(i) for i in self.items]}


@dataclass
class NumberedList(Block):
    items: list[ListItem | Text] = field(default_factory=list)
    start: int = 1

    def to_spec(self) -> dict[str, Any]:
        spec = {"id": self.id, "type": "numbered_list", "items": [_item(i) for i in self.items]}
        return spec | ({"start": self.start} if self.start != 1 else {})


@dataclass
class Quote(Block):
    text: Text = ""

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "quote", "text": _runs(self.text)}


@dataclass
class Callout(Block):
    text: Text = ""
    tone: str = "note"  # note, tip, important, warning, caution

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "callout", "tone": self.tone, "text": _runs(self.text)}


@dataclass
class CodeBlock(Block):
    code: str = ""
    language: str = ""

    def to_spec(self) -> dict[str, Any]:
        spec = {"id": self.id, "type": "code", "code": self.code}
        return spec | ({"language": self.language} if self.language else {})


@dataclass
class MarkdownBlock(Block):
    text: str = ""

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "markdown", "markdown": self.text}


@dataclass
class LaTeXBlock(Block):
    text: str = ""

    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "latex", "latex": self.text}


@dataclass
class Image(Block):
    url: str = ""
    caption: str = ""
    width: int | None = None

    def to_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"id": self.id, "type": "image", "url": self.url}
        spec |= {"caption": self.caption} if self.caption else {}
        return spec | ({"width": self.width} if self.width else {})


@dataclass
class Video(Block):
    url: str = ""
    caption: str = ""

    def to_spec(self) -> dict[str, Any]:
        spec = {"id": self.id, "type": "video", "url": self.url}
        return spec | ({"caption": self.caption} if self.caption else {})


@dataclass
class HorizontalRule(Block):
    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "horizontal_rule"}


@dataclass
class TableOfContents(Block):
    def to_spec(self) -> dict[str, Any]:
        return {"id": self.id, "type": "table_of_contents"}
