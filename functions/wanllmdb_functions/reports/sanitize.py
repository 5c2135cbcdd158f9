"""Makes a report spec safe to render for any viewer; `sanitize_spec` runs on every write.

What can execute in a report, and what this does about it:
- Text runs, titles, captions, code and LaTeX are plain text: renderers escape them, never parse them as
  HTML. Only control characters are dropped here (they hide text and confuse diffs).
- URLs (a run's link, an image's or video's url): allowed are http(s) with a host, mailto, same-site
  paths under /api/ (media), and #fragments (heading anchors). Anything else (javascript:, data:,
  vbscript:, //host, obfuscated spellings) is dropped: a run keeps its text without the link; an image or
  video block keeps its place (and the comments anchored to it) with `BLOCKED_URL` as its url.
- Markdown (markdown blocks, markdown panels) may hold raw HTML. It is parsed with markdown-it (the
  CommonMark parser the editor's renderer follows), and every raw HTML fragment is checked against an
  allowlist of tags and attributes, and every link and image against the URL rule. An offending fragment
  is replaced, where its source text is found, by nh3's (Ammonia's) clean version of it, and an offending
  URL by `BLOCKED_URL`; the result is parsed and checked again. What still fails after a few rounds is
  kept as text only: the whole block becomes a fenced code block, which nothing renders as HTML.
The browser renders with DOMPurify as well; this is the server's half, so a stored spec is safe as is.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "BLOCKED_URL",
    "is_safe_url",
    "markdown_is_safe",
    "sanitize_markdown",
    "sanitize_spec",
]

BLOCKED_URL = "#blocked-url"
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
        "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre",
        "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip
_GLOBAL_ATTRIBUTES = frozenset({"title", "align"})
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "ol": frozenset({"start"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan"}),
    "details": frozenset({"open"}),
}
_URL_ATTRIBUTES = frozenset({"href", "src"})
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_MENTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
_ROUNDS = 4


def is_safe_url(url: str) -> bool:
    """http(s) with a host, mailto, a same-site /api/ path, or a #fragment: nothing that can run script."""
    # Browsers drop tabs and newlines inside URLs and treat "\" as "/", so such a URL is never safe to
    # judge by its spelling; refuse it rather than guess how a browser would read it.
    if not url or any(unicodedata.category(ch)[0] in "CZ" for ch in url) or "\\" in url:
        return False
    if url.startswith("#"):
        return True
    if url.startswith("/api/"):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in _SAFE_SCHEMES:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def _attribute_filter(_element: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES and not is_safe_url(value):
        return None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_attribute_filter,
    strip_comments=True,
    link_rel="noopener noreferrer",
)


class _FragmentCheck(HTMLParser):
    """Walks one raw HTML fragment and notes whether anything in it is outside the allowlist."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.safe = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(tag, frozenset())
        if tag not in ALLOWED_TAGS:
            self.safe = False
        for name, value in attrs:
            if name not in allowed or (name in _URL_ATTRIBUTES and not is_safe_url(value or "")):
                self.safe = False

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.safe = False

    def handle_decl(self, decl: str) -> None:
        self.safe = False

    def handle_pi(self, data: str) -> None:
        self.safe = False

    def unknown_decl(self, data: str) -> None:
        self.safe = False


def _html_is_safe(fragment: str) -> bool:
    check = _FragmentCheck()
    check.feed(fragment)
    check.close()
    return check.safe


class _EveryLink(MarkdownIt):
    # See every link as written: our rule (is_safe_url) decides, not the parser's default blocklist.
    def validateLink(self, url: str) -> bool:
        return True


def _parser() -> MarkdownIt:
    md = _EveryLink("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.use(dollarmath_plugin).use(tasklists_plugin)


_MD = _parser()


def _walk(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _offences(text: str) -> tuple[list[str], list[str]]:
    """Raw HTML fragments and URLs in `text` that break the rules, as the parser sees them."""
    html: list[str] = []
    urls: list[str] = []
    for token in _walk(_MD.parse(text)):
        if token.type in ("html_block", "html_inline") and not _html_is_safe(token.content):
            html.append(token.content)
        for attr in ("href", "src"):
            value = token.attrGet(attr)
            if isinstance(value, str) and not is_safe_url(value):
                urls.append(value)
    return html, urls


def markdown_is_safe(text: str) -> bool:
    html, urls = _offences(text)
    return not html and not urls


def sanitize_markdown(text: str) -> str:
    """Markdown with no executable HTML or URL left; unchanged when it had none."""
    for _ in range(_ROUNDS):
        html, urls = _offences(text)
        if not html and not urls:
            return text
        found = False
        for fragment in html:
            if fragment and fragment in text:
                text, found = text.replace(fragment, _CLEANER.clean(fragment)), True
        for url in urls:
            if url and url in text:
                text, found = text.replace(url, BLOCKED_URL), True
        if not found:
            break
    return text if markdown_is_safe(text) else _as_code(text)


def _as_code(text: str) -> str:
    # A fence longer than any backtick run inside, so the text cannot close it early.
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _plain(text: str) -> str:
    # Control characters except tab and newline: they hide text from readers and from diffs.
    return "".join(ch for ch in text if ch in "\t\n" or unicodedata.category(ch) != "Cc")


def _sanitize_runs(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        run["text"] = _plain(run["text"])
        if "link" in run and not is_safe_url(run["link"]):
            del run["link"]
        if "mention" in run and not _MENTION.match(run["mention"]):
            del run["mention"]


def _sanitize_items(items: list[dict[str, Any]]) -> None:
    for item in items:
        _sanitize_runs(item["text"])
        _sanitize_items(item.get("children", []))


def _sanitize_block(block: dict[str, Any]) -> None:
    kind = block["type"]
    if "text" in block:
        _sanitize_runs(block["text"])
    if kind in ("bulleted_list", "numbered_list"):
        _sanitize_items(block["items"])
    elif kind == "markdown":
        block["markdown"] = sanitize_markdown(block["markdown"])
    elif kind in ("image", "video"):
        if not is_safe_url(block["url"]):
            block["url"] = BLOCKED_URL
        if "caption" in block:
            block["caption"] = _plain(block["caption"])
    elif kind == "panel_grid":
        for panel in block["panels"]:
            config = panel.get("config")
            if (
                panel["type"] == "markdown"
                and isinstance(config, dict)
                and isinstance(config.get("markdown"), str)
            ):
                config["markdown"] = sanitize_markdown(config["markdown"])


def sanitize_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of a valid spec (reports.spec.validate_spec) that is safe to render; still valid."""
    out = copy.deepcopy(spec)
    for key in ("title", "description"):
        if isinstance(out.get(key), str):
            out[key] = _plain(out[key])
    for block in out["blocks"]:
        _sanitize_block(block)
    return out
