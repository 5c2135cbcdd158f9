"""Inline text (runs of {text, marks?, link?, mention?, math?}) to markdown and back.

Writing: marks use markdown delimiters (`**`, `*`, `~~`, backticks) where CommonMark's flanking rules
read them back unchanged (one mark, word characters at both edges, no delimiter just before), and
HTML tags (`<strong>`, `<em>`, `<s>`, `<u>`, `<code>`) otherwise; underline is always `<u>`. Text is
escaped so it parses back as the same text: punctuation with a backslash, whitespace and characters
that a parser would drop or join as numeric character references. A line break is a backslash hard
break. Mentions are `@username`, math `$...$`.

Reading: markdown-it's inline tokens are walked with a stack of open marks; a core rule (before
text_join, so escaped `\\@` stays text) turns `@username` in text tokens into mentions.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from typing import Any

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = [
    "MARK_ORDER",
    "link_destination",
    "mention_rule",
    "normalize_runs",
    "parse_tag",
    "read_runs",
    "write_runs",
]

MARK_ORDER = ("bold", "italic", "strike", "underline", "code")
_DELIMITERS = {"bold": "**", "italic": "*", "strike": "~~"}
_TAGS = {"bold": "strong", "italic": "em", "strike": "s", "underline": "u", "code": "code"}
_TAG_MARKS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic", "s": "strike", "del": "strike"}
_TAG_MARKS |= {"strike": "strike", "u": "underline", "code": "code"}
_TOKEN_MARKS = {"strong": "bold", "em": "italic", "s": "strike"}
# Escaped with a backslash wherever they appear: each can start inline or block syntax.
_ESCAPE = set("\\`*_[]<>$@~&|#!")
_LINE_START = set("-+=")
_USERNAME = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _key(run: dict[str, Any]) -> tuple[Any, ...]:
    return (tuple(run.get("marks", ())), run.get("link"), run.get("mention"), run.get("math", False))


def normalize_runs(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The canonical form both directions agree on: marks in MARK_ORDER, no empty runs, a mention's text
    is `@username` with no marks or link, math has no marks or link, adjacent equal runs merged."""
    out: list[dict[str, Any]] = []
    for run in runs:
        run = dict(run)
        if run.get("math"):
            run = {"text": run["text"], "math": True}
        elif run.get("mention"):
            run = {"text": "@" + run["mention"], "mention": run["mention"]}
        else:
            run.pop("math", None)
            marks = [m for m in MARK_ORDER if m in run.get("marks", ())]
            run.pop("marks", None)
            if marks:
                run["marks"] = marks
        if not run["text"]:
            continue
        plain = not run.get("math") and not run.get("mention")
        if out and plain and _key(out[-1]) == _key(run) and not out[-1].get("mention"):
            out[-1] = {**out[-1], "text": out[-1]["text"] + run["text"]}
        else:
            out.append(run)
    return out


# ---- writing ---------------------------------------------------------------------------------------


def _escape(text: str, *, at_start: bool, at_end: bool, hard_breaks: bool = True) -> str:
    """`text` as markdown that reads back as exactly `text`; `at_start`/`at_end`: whether it begins or
    ends the paragraph (where a parser trims whitespace)."""
    out: list[str] = []
    line_start, digits = at_start, 0  # digits: how many digits this line has begun with, so far
    for i, ch in enumerate(text):
        last = i + 1 == len(text)
        nxt = "" if last else text[i + 1]
        if ch == "\n":
            # A hard break may not end a paragraph (a trailing backslash is literal): a reference does.
            out.append("&#10;" if (last and at_end) or not hard_breaks else "\\\n")
            line_start, digits = True, 0
            continue
        if ch in " \t" and (line_start or nxt == "\n" or (last and at_end)):
            out.append(f"&#{ord(ch)};")  # the parser would trim it
        elif ch in _ESCAPE or (line_start and ch in _LINE_START) or (ch in ".)" and digits):
            out.append("\\" + ch)  # "1." at a line's start would open an ordered list
        elif ch == "\r" or (ord(ch) < 32 and ch != "\t") or ch == "\u00a0":
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
        digits = digits + 1 if ch.isdigit() and (line_start or digits) else 0
        line_start = False
    return "".join(out)


def _code_span(text: str) -> str:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _word_edges(text: str) -> bool:
    return text[:1].isalnum() and text[-1:].isalnum()


def _write_run(run: dict[str, Any], prev: str, *, at_start: bool, at_end: bool, hard_breaks: bool) -> str:
    text = run["text"]
    if run.get("math"):
        return f"${text}$"
    if run.get("mention"):
        return "@" + run["mention"]
    marks = run.get("marks", [])
    code = "code" in marks
    code_as_span = code and "\n" not in text and text.strip(" ") != ""
    body = (
        _code_span(text)
        if code_as_span
        else _escape(text, at_start=at_start, at_end=at_end, hard_breaks=hard_breaks)
    )
    wrap = [m for m in marks if m != "code" or not code_as_span]
    if len(wrap) == 1 and wrap[0] in _DELIMITERS and _word_edges(body) and prev not in "*~":
        return f"{_DELIMITERS[wrap[0]]}{body}{_DELIMITERS[wrap[0]]}"
    opens = "".join(f"<{_TAGS[m]}>" for m in wrap)
    closes = "".join(f"</{_TAGS[m]}>" for m in reversed(wrap))
    return f"{opens}{body}{closes}"


def link_destination(url: str) -> str:
    if any(ch in url for ch in " \t()<>") or not url:
        escaped = "".join("\\" + ch if ch in "\\<>&" else ch for ch in url)
        return f"<{escaped}>"
    return "".join("\\" + ch if ch in "\\&" else ch for ch in url)


def write_runs(runs: list[dict[str, Any]], *, hard_breaks: bool = True) -> str:
    """Inline markdown for runs (normalised first); `hard_breaks=False` writes line breaks as references
    (a heading is one line)."""
    runs = normalize_runs(runs)
    out: list[str] = []
    i = 0
    while i < len(runs):
        link = runs[i].get("link")
        if link is None:
            at_start = not out or out[-1].endswith("\n")
            edges = {"at_start": at_start, "at_end": i + 1 == len(runs), "hard_breaks": hard_breaks}
            out.append(_write_run(runs[i], out[-1][-1:] if out else "", **edges))
            i += 1
            continue
        inner: list[str] = []
        while i < len(runs) and runs[i].get("link") == link:
            # Inside [...] nothing is trimmed, but a line may still start there.
            previous = inner[-1] if inner else (out[-1] if out else "\n")
            edges = {"at_start": previous.endswith("\n"), "at_end": False, "hard_breaks": hard_breaks}
            inner.append(_write_run(runs[i], inner[-1][-1:] if inner else "", **edges))
            i += 1
        out.append(f"[{''.join(inner)}]({link_destination(link)})")
    for k, piece in enumerate(out):
        if piece.startswith("@"):
            _fence_mention(out, k)
    text = "".join(out)
    # dollarmath's escape check wraps around to the last character for a "$" at position 0, so text
    # that ends in an (escaped) backslash ends in a reference instead.
    return text[:-2] + "&#92;" if text.endswith("\\\\") else text


def _fence_mention(out: list[str], k: int) -> None:
    # A mention must not touch username characters, or it would read back longer or not at all. Only
    # escaped plain text can end or begin with one: its neighbouring character is written as a reference
    # (or, for "." and "-", backslash-escaped), which reads back as the same plain text.
    # ("_" is always backslash-escaped in text, so it never touches a mention.)
    if k > 0 and out[k - 1] and out[k - 1][-1].isalnum() and out[k - 1][0] != "@":
        out[k - 1] = out[k - 1][:-1] + f"&#{ord(out[k - 1][-1])};"
    if k + 1 < len(out) and out[k + 1]:
        first = out[k + 1][0]
        if first.isalnum():
            out[k + 1] = f"&#{ord(first)};" + out[k + 1][1:]
        elif first in ".-":
            out[k + 1] = "\\" + out[k + 1]


# ---- reading ---------------------------------------------------------------------------------------


def mention_rule(state: StateCore) -> None:
    """Core rule: `@username` in text tokens (never in escaped text) becomes a `mention` token."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for token in block.children:
            children.extend(_split_mentions(token) if token.type == "text" else [token])
        block.children = children


def _split_mentions(token: Token) -> list[Token]:
    out: list[Token] = []
    text, start, i = token.content, 0, 0
    while i < len(text):
        after_mention = bool(out) and i == start
        prev_ok = i == 0 or after_mention or not (text[i - 1].isalnum() or text[i - 1] == "_")
        if text[i] == "@" and prev_ok and i + 1 < len(text) and text[i + 1].isalnum():
            j = i + 1
            while j < len(text) and text[j] in _USERNAME:
                j += 1
            while text[j - 1] in ".-":
                j -= 1
            if start < i:
                out.append(_text_token(text[start:i]))
            mention = Token("mention", "", 0)
            mention.meta = {"username": text[i + 1 : j]}
            out.append(mention)
            start = i = j
            continue
        i += 1
    if not out:
        return [token]
    if start < len(text):
        out.append(_text_token(text[start:]))
    return out


def _text_token(text: str) -> Token:
    token = Token("text", "", 0)
    token.content = text
    return token


class _Tag(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tag: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = (tag, True)

    def handle_endtag(self, tag: str) -> None:
        self.tag = (tag, False)


def parse_tag(html: str) -> tuple[str, bool] | None:
    """(`tag`, is_open) of one inline HTML tag, or None."""
    parser = _Tag()
    parser.feed(html)
    parser.close()
    return parser.tag


def read_runs(tokens: list[Token]) -> list[dict[str, Any]]:
    """Runs from one inline token's children (normalised)."""
    runs: list[dict[str, Any]] = []
    marks: Counter[str] = Counter()
    link: list[str] = []

    def add(text: str, *extra_marks: str, **fields: Any) -> None:
        active = [m for m in MARK_ORDER if marks[m] > 0 or m in extra_marks]
        run: dict[str, Any] = {"text": text, **fields}
        if active:
            run["marks"] = active
        if link and "link" not in fields:
            run["link"] = link[-1]
        runs.append(run)

    for token in tokens:
        kind = token.type
        if kind in ("text", "text_special"):
            add(token.content)
        elif kind == "softbreak":
            add(" ")
        elif kind == "hardbreak":
            add("\n")
        elif kind == "code_inline":
            add(token.content, "code")
        elif kind == "math_inline":
            runs.append({"text": token.content, "math": True})
        elif kind == "mention":
            runs.append({"text": "@" + token.meta["username"], "mention": token.meta["username"]})
        elif kind.endswith(("_open", "_close")) and kind.rsplit("_", 1)[0] in _TOKEN_MARKS:
            mark = _TOKEN_MARKS[kind.rsplit("_", 1)[0]]
            marks[mark] = max(0, marks[mark] + (1 if kind.endswith("_open") else -1))
        elif kind == "link_open":
            link.append(str(token.attrGet("href") or ""))
        elif kind == "link_close":
            link.pop() if link else None
        elif kind == "image":
            add("".join(c.content for c in token.children or []), link=str(token.attrGet("src") or ""))
        elif kind == "html_inline":
            tag = parse_tag(token.content)
            if tag and tag[0] in _TAG_MARKS:
                mark = _TAG_MARKS[tag[0]]
                marks[mark] = max(0, marks[mark] + (1 if tag[1] else -1))
            elif tag and tag[0] == "br":
                add("\n")
            else:
                add(token.content)  # other inline HTML is kept as the text it was
        else:
            add(token.content)
    return normalize_runs(runs)
