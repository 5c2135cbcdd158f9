"""A report spec to markdown and back (`spec_to_markdown`, `markdown_to_spec`).

The format (docs/reports.md): front matter with the title, description and width as JSON strings;
`#`..`###` headings; paragraphs; `-` and `1.` lists (nesting, start, `[ ]`/`[x]` tasks; consecutive
lists alternate `-`/`*` and `.`/`)` so they stay apart); `>` quotes; GitHub alerts (`> [!NOTE]`) for
callouts; fenced code with its language; `$$` blocks for LaTeX; `![caption](url)` images (`<img>` when
a width is set); `<video src title controls></video>` for videos; `---`; `[[toc]]`; a markdown block
verbatim between `<!-- wanllmdb:markdown -->` and `<!-- /wanllmdb:markdown -->` (or in a
```wanllmdb-markdown fence when its content would swallow the end marker); an empty paragraph as
`<p></p>`; a panel grid as a ```wanllmdb-panels fence holding the block's JSON.

Block ids are not written: importing numbers them `md-1`, `md-2`, ... by position (skipping ids a panel
grid already uses); a panel grid keeps its own ids in its JSON. Importing foreign markdown keeps what the
spec cannot express (tables, footnotes, lists with several paragraphs per item, ...) as markdown blocks,
with their source lines verbatim.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .markdown_inline import link_destination, mention_rule, normalize_runs, read_runs, write_runs

__all__ = ["markdown_parser", "markdown_to_spec", "normalize_spec", "spec_to_markdown"]

MARKDOWN_OPEN = "<!-- wanllmdb:markdown -->"
MARKDOWN_CLOSE = "<!-- /wanllmdb:markdown -->"
PANELS_FENCE = "wanllmdb-panels"
MARKDOWN_FENCE = "wanllmdb-markdown"
TOC = "[[toc]]"
EMPTY_PARAGRAPH = "<p></p>"
TONES = ("note", "tip", "important", "warning", "caution")
_FRONT_MATTER_KEYS = ("title", "description", "width")


class _Verbatim(MarkdownIt):
    # Links come back exactly as written (no percent-encoding, no punycode); sanitize.py judges them.
    def normalizeLink(self, url: str) -> str:
        return url

    def normalizeLinkText(self, link: str) -> str:
        return link

    def validateLink(self, url: str) -> bool:
        return True


def markdown_parser() -> MarkdownIt:
    md = _Verbatim("commonmark", {"html": True}).enable(["strikethrough", "table"])
    md.use(dollarmath_plugin).use(front_matter_plugin)
    md.core.ruler.before("text_join", "mention", mention_rule)
    # Keep escaped characters (text_special) apart from text, so `\[ ]` or `\[!NOTE]` is never read as
    # a task box or an alert; read_runs merges the pieces.
    md.disable("text_join")
    return md


_MD = markdown_parser()


# ---- spec -> markdown ------------------------------------------------------------------------------


def _fence(body: str, info: str) -> str:
    longest = run = 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"


def _indent(text: str, width: int) -> str:
    return text.replace("\n", "\n" + " " * width)


def _write_items(items: list[dict[str, Any]], numbered: bool, start: int, marker: str) -> str:
    lines = []
    for n, item in enumerate(items):
        bullet = f"{start + n}{marker}" if numbered else marker
        task = "" if "checked" not in item else ("[x] " if item["checked"] else "[ ] ")
        text = write_runs(item["text"])
        head = f"{bullet} {task}{text}".rstrip(" ") if text or task else bullet
        body = head
        if item.get("children"):
            child = _write_items(item["children"], numbered, 1, marker)
            first = item["children"][0]
            # A bare "-" right under the item's text would underline it as a heading: a blank line first.
            bare = not normalize_runs(first["text"]) and "checked" not in first
            body += ("\n\n" if bare and head != bullet else "\n") + child
        lines.append(_indent(body, len(bullet) + 1))
    return "\n".join(lines)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.split("\n"))


def _markdown_block(raw: str) -> str:
    candidate = f"{MARKDOWN_OPEN}\n{raw}\n{MARKDOWN_CLOSE}"
    tokens = [t for t in _MD.parse(candidate) if t.level == 0]
    closing = tokens[-1] if tokens else None
    expected_line = 2 + raw.count("\n")
    if (
        closing is not None
        and closing.type == "html_block"
        and closing.content.strip() == MARKDOWN_CLOSE
        and closing.map is not None
        and closing.map[0] == expected_line
        and MARKDOWN_CLOSE not in raw
    ):
        return candidate
    return _fence(raw, MARKDOWN_FENCE)


def _panel_images(grid: dict[str, Any], images: Mapping[str, str]) -> str:
    """A panel grid as the pictures of its panels (an export to read, not to import back)."""
    lines = [
        f"![{write_runs([{'text': panel.get('title') or panel['type'].replace('_', ' ')}])}]"
        f"({link_destination(images[panel['id']])})"
        for panel in grid["panels"]
        if panel["id"] in images
    ]
    return "\n\n".join(lines) or EMPTY_PARAGRAPH


def _write_block(
    block: dict[str, Any], previous: dict[str, Any] | None, images: Mapping[str, str] | None = None
) -> str:
    kind = block["type"]
    if kind == "heading":
        return f"{'#' * block['level']} {write_runs(block['text'], hard_breaks=False)}".rstrip(" ")
    if kind == "paragraph":
        return write_runs(block["text"]) or EMPTY_PARAGRAPH
    if kind in ("bulleted_list", "numbered_list"):
        numbered = kind == "numbered_list"
        # Two lists in a row would read back as one: the second uses the other marker.
        alternate = (
            previous is not None and previous["type"] == kind and previous.get("_marker") in ("-", ".")
        )
        marker = ("." if not alternate else ")") if numbered else ("-" if not alternate else "*")
        block["_marker"] = marker
        return _write_items(block["items"], numbered, block.get("start", 1), marker)
    if kind == "quote":
        return _quote(write_runs(block["text"]))
    if kind == "callout":
        text = write_runs(block["text"])
        return _quote(f"[!{block['tone'].upper()}]" + (f"\n{text}" if text else ""))
    if kind == "code":
        return _fence(block["code"], block.get("language", ""))
    if kind == "markdown":
        return _markdown_block(block["markdown"])
    if kind == "latex":
        return f"$$\n{block['latex']}\n$$"
    if kind == "image":
        if "width" in block:
            caption = html.escape(block.get("caption", ""))
            return f'<img src="{html.escape(block["url"])}" alt="{caption}" width="{block["width"]}">'
        return f"![{write_runs([{'text': block.get('caption', '')}])}]({link_destination(block['url'])})"
    if kind == "video":
        title = f' title="{html.escape(block["caption"])}"' if "caption" in block else ""
        return f'<video src="{html.escape(block["url"])}"{title} controls></video>'
    if kind == "horizontal_rule":
        return "***"  # "---" first in a document would open front matter
    if kind == "table_of_contents":
        return TOC
    grid = {k: v for k, v in block.items() if k != "_marker"}
    if images is not None:
        return _panel_images(grid, images)
    return _fence(json.dumps(grid, indent=2, ensure_ascii=False), PANELS_FENCE)


def spec_to_markdown(spec: dict[str, Any], *, panel_images: Mapping[str, str] | None = None) -> str:
    """Markdown for a (valid) spec; `markdown_to_spec` reads it back to the same normalised spec.

    With ``panel_images`` (panel id -> the picture's relative path) each panel grid is written as its
    panels' pictures instead, for an export meant to be read where the live panels cannot draw."""
    parts: list[str] = []
    front = [f"{k}: {json.dumps(spec[k], ensure_ascii=False)}" for k in _FRONT_MATTER_KEYS if k in spec]
    if front:
        parts.append("---\n" + "\n".join(front) + "\n---")
    previous: dict[str, Any] | None = None
    for block in spec["blocks"]:
        block = dict(block)
        parts.append(_write_block(block, previous, panel_images))
        previous = block
    return "\n\n".join(parts) + "\n"


# ---- markdown -> spec ------------------------------------------------------------------------------


class _Media(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def _media_block(source: str) -> dict[str, Any] | None:
    parser = _Media()
    parser.feed(source)
    parser.close()
    if len(parser.found) != 1:
        return None
    tag, attrs = parser.found[0]
    url = attrs.get("src")
    if not url or tag not in ("img", "video"):
        return None
    if tag == "video":
        block: dict[str, Any] = {"type": "video", "url": url}
        if attrs.get("title") is not None:
            block["caption"] = attrs["title"]
        return block
    block = {"type": "image", "url": url}
    if attrs.get("alt"):
        block["caption"] = attrs["alt"]
    width = attrs.get("width") or ""
    if width.isdigit() and 1 <= int(width) <= 10000:
        block["width"] = int(width)
    return block


def _plain_text(tokens: list[Token]) -> str:
    breaks = {"softbreak": " ", "hardbreak": "\n"}
    return "".join(breaks.get(t.type, t.content) for t in tokens)


def _paragraph(inline: Token) -> dict[str, Any]:
    children = inline.children or []
    if inline.content == TOC and all(t.type == "text" for t in children):
        return {"type": "table_of_contents"}
    if len(children) == 1 and children[0].type == "image":
        image = children[0]
        block: dict[str, Any] = {"type": "image", "url": str(image.attrGet("src") or "")}
        caption = _plain_text(image.children or [])
        if caption:
            block["caption"] = caption
        return block
    if children and all(t.type == "html_inline" for t in children):
        media = _media_block("".join(t.content for t in children))
        if media:
            return media
    return {"type": "paragraph", "text": read_runs(children)}


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.tokens = _MD.parse(text)
        self.blocks: list[dict[str, Any]] = []
        self.front: dict[str, Any] = {}

    def raw(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end])

    def close_of(self, i: int) -> int:
        """Index of the token closing the one opened at i."""
        depth = 0
        for j in range(i, len(self.tokens)):
            depth += self.tokens[j].nesting
            if depth == 0:
                return j
        return len(self.tokens) - 1

    def read(self) -> None:
        i = 0
        while i < len(self.tokens):
            i = self.read_block(i)

    def read_block(self, i: int) -> int:
        token = self.tokens[i]
        kind = token.type
        if kind == "front_matter":
            self.front = _front_matter(token.content)
        elif kind == "heading_open":
            level = min(int(token.tag[1]), 3)
            self.blocks.append({"type": "heading", "level": level, "text": read_runs(self.inline(i + 1))})
        elif kind == "paragraph_open":
            self.blocks.append(_paragraph(self.tokens[i + 1]))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            return self.read_list(i)
        elif kind == "blockquote_open":
            return self.read_quote(i)
        elif kind == "fence":
            self.read_fence(token)
        elif kind == "code_block":
            self.blocks.append({"type": "code", "code": token.content.removesuffix("\n")})
        elif kind == "math_block":
            self.blocks.append({"type": "latex", "latex": _strip_one(token.content)})
        elif kind == "hr":
            self.blocks.append({"type": "horizontal_rule"})
        elif kind == "html_block":
            return self.read_html(i)
        elif token.nesting == 1:
            return self.keep_raw(i)
        return self.close_of(i) + 1 if token.nesting == 1 else i + 1

    def inline(self, i: int) -> list[Token]:
        return self.tokens[i].children or []

    def keep_raw(self, i: int) -> int:
        end = self.close_of(i)
        lines = self.tokens[i].map or [0, 0]
        self.blocks.append({"type": "markdown", "markdown": self.raw(lines[0], lines[1])})
        return end + 1

    def read_fence(self, token: Token) -> None:
        info = token.info.strip()
        body = token.content.removesuffix("\n")
        if info == PANELS_FENCE:
            try:
                grid = json.loads(body)
            except ValueError:
                grid = None
            if isinstance(grid, dict):
                self.blocks.append({**grid, "type": "panel_grid"})
                return
        if info == MARKDOWN_FENCE:
            self.blocks.append({"type": "markdown", "markdown": body})
            return
        block: dict[str, Any] = {"type": "code", "code": body}
        if info:
            block["language"] = info.split()[0]
        self.blocks.append(block)

    def read_html(self, i: int) -> int:
        token = self.tokens[i]
        content = token.content.strip()
        if content == MARKDOWN_OPEN:
            for j in range(i + 1, len(self.tokens)):
                other = self.tokens[j]
                if (
                    other.level == 0
                    and other.type == "html_block"
                    and other.content.strip() == MARKDOWN_CLOSE
                ):
                    start = (token.map or [0, 0])[1]
                    end = (other.map or [0, 0])[0]
                    self.blocks.append({"type": "markdown", "markdown": self.raw(start, end)})
                    return j + 1
        if content == EMPTY_PARAGRAPH:
            self.blocks.append({"type": "paragraph", "text": []})
            return i + 1
        media = _media_block(content)
        if media:
            self.blocks.append(media)
        else:
            self.blocks.append({"type": "markdown", "markdown": token.content.removesuffix("\n")})
        return i + 1

    def read_quote(self, i: int) -> int:
        end = self.close_of(i)
        inner = self.tokens[i + 1 : end]
        if not inner:
            self.blocks.append({"type": "quote", "text": []})
            return end + 1
        if len(inner) != 3 or inner[0].type != "paragraph_open":
            return self.keep_raw(i)
        children = inner[1].children or []
        first = children[0] if children else None
        tone = _alert_tone(first)
        if tone is None:
            self.blocks.append({"type": "quote", "text": read_runs(children)})
        else:
            rest = children[1:]
            if rest and rest[0].type in ("softbreak", "hardbreak"):
                rest = rest[1:]
            self.blocks.append({"type": "callout", "tone": tone, "text": read_runs(rest)})
        return end + 1

    def read_list(self, i: int) -> int:
        end = self.close_of(i)
        items = self.list_items(i, end)
        if items is None:
            return self.keep_raw(i)
        token = self.tokens[i]
        block: dict[str, Any] = {
            "type": "numbered_list" if token.type == "ordered_list_open" else "bulleted_list"
        }
        start = token.attrGet("start")
        if block["type"] == "numbered_list" and start is not None and int(start) != 1:
            block["start"] = int(start)
        block["items"] = items
        self.blocks.append(block)
        return end + 1

    def list_items(self, i: int, end: int) -> list[dict[str, Any]] | None:
        items: list[dict[str, Any]] = []
        j = i + 1
        while j < end:
            item_end = self.close_of(j)
            item = self.list_item(j + 1, item_end)
            if item is None:
                return None
            items.append(item)
            j = item_end + 1
        return items

    def list_item(self, j: int, end: int) -> dict[str, Any] | None:
        item: dict[str, Any] = {"text": []}
        if j < end and self.tokens[j].type == "paragraph_open":
            children = list(self.inline(j + 1))
            item.update(_task(children))
            j += 3
        while j < end:
            if self.tokens[j].type not in ("bullet_list_open", "ordered_list_open"):
                return None
            close = self.close_of(j)
            children_items = self.list_items(j, close)
            if children_items is None:
                return None
            item.setdefault("children", []).extend(children_items)
            j = close + 1
        return item


def _task(children: list[Token]) -> dict[str, Any]:
    first = children[0] if children else None
    if first is not None and first.type == "text":
        for box, checked in (("[ ]", False), ("[x]", True), ("[X]", True)):
            text = first.content
            if text == box or text.startswith(box + " "):
                rest = _text_like(first, text[len(box) + 1 :])
                return {
                    "checked": checked,
                    "text": read_runs(([rest] if rest.content else []) + children[1:]),
                }
    return {"text": read_runs(children)}


def _text_like(token: Token, content: str) -> Token:
    copy = Token(token.type, token.tag, token.nesting)
    copy.content = content
    return copy


def _alert_tone(first: Token | None) -> str | None:
    if first is None or first.type != "text":
        return None
    for tone in TONES:
        if first.content.strip().upper() == f"[!{tone.upper()}]":
            return tone
    return None


def _strip_one(text: str) -> str:
    text = text.removeprefix("\n")
    return text.removesuffix("\n")


def _front_matter(content: str) -> dict[str, Any]:
    front: dict[str, Any] = {}
    for line in content.split("\n"):
        key, sep, value = line.partition(":")
        if not sep or key.strip() not in _FRONT_MATTER_KEYS:
            continue
        try:
            front[key.strip()] = json.loads(value)
        except ValueError:
            front[key.strip()] = value.strip()
    return front


def _number(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    taken = {b["id"] for b in blocks if "id" in b}
    for b in blocks:
        taken |= {x["id"] for kind in ("run_sets", "panels") for x in b.get(kind, []) if "id" in x}
    out, n = [], 0
    for block in blocks:
        if "id" not in block:
            n += 1
            while f"md-{n}" in taken:
                n += 1
            block = {"id": f"md-{n}", **block}
        out.append(block)
    return out


def markdown_to_spec(text: str, title: str | None = None) -> dict[str, Any]:
    """A spec from markdown (validate it with reports.spec.validate_spec before storing)."""
    reader = _Reader(text.replace("\r\n", "\n"))
    reader.read()
    spec: dict[str, Any] = {"version": 1}
    for key in _FRONT_MATTER_KEYS:
        if isinstance(reader.front.get(key), str):
            spec[key] = reader.front[key]
    if title is not None:
        spec["title"] = title
    spec["blocks"] = _number(reader.blocks)
    return spec


def _normalize_items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        item = {**item, "text": normalize_runs(item["text"])}
        if item.get("children"):
            item["children"] = _normalize_items(item["children"])
        else:
            item.pop("children", None)
        out.append(item)
    return out


def normalize_spec(spec: dict[str, Any], *, ids: bool = True) -> dict[str, Any]:
    """The canonical form a markdown round trip preserves (`ids=False` drops text blocks' ids)."""
    blocks = []
    for block in spec["blocks"]:
        block = dict(block)
        if "text" in block:
            block["text"] = normalize_runs(block["text"])
        if "items" in block:
            block["items"] = _normalize_items(block["items"])
        if block.get("start") == 1:
            del block["start"]
        for key in ("language", "caption"):
            if block.get(key) == "":
                del block[key]
        if not ids and block["type"] != "panel_grid":
            block.pop("id", None)
        blocks.append(block)
    return {**spec, "blocks": blocks}
