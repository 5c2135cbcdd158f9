"""The sanitiser against an XSS corpus: nothing that can run script survives into a stored report.

The oracle is independent of the sanitiser: each sanitised markdown is rendered to HTML by a permissive
markdown-it (raw HTML on, every link accepted), and the HTML is walked for anything a browser would run.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from markdown_it import MarkdownIt

from wanllmdb_functions.reports.sanitize import (
    BLOCKED_URL,
    is_safe_url,
    markdown_is_safe,
    sanitize_markdown,
    sanitize_spec,
)
from wanllmdb_functions.reports.spec import validate_spec

DANGEROUS_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style", "link",
    "meta", "base", "form", "input", "button", "textarea", "select", "template", "noscript", "video",
    "audio", "source", "body", "html", "xmp", "plaintext", "isindex", "marquee",
}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset"}
# Browsers drop these anywhere in a URL before reading its scheme.
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")


def url_is_inert(value: str) -> bool:
    seen = _INVISIBLE.sub("", value).lower().replace("\\", "/")
    if seen.startswith(("http://", "https://", "mailto:", "#")):
        return True
    return seen.startswith("/api/") and not seen.startswith("//")


class Executable(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "http-equiv"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRS and not url_is_inert(value or ""):
                self.found.append(f"{tag}[{name}={value!r}]")

    handle_startendtag = handle_starttag


def executable_in(markdown: str) -> list[str]:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda _url: True
    check = Executable()
    check.feed(md.render(markdown))
    check.close()
    return check.found


CORPUS = [
    "<script>alert(1)</script>",
    "hello <script>alert(1)</script> world",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>x</script>img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "text <img src=/api/ok.png onerror=alert(1)> text",
    '<IMG SRC="javascript:alert(1)">',
    '<img src="jav&#x09;ascript:alert(1)">',
    '<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<object data=javascript:alert(1)></object>",
    "<embed src=javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="//evil.example">x</a>',
    '<a href="/\\evil.example">x</a>',
    "<form action=javascript:alert(1)><input type=submit></form>",
    '<button formaction="javascript:alert(1)">x</button>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<body onload=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml-stylesheet href='javascript:alert(1)'?>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](javascript&#58;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](%6A%61vascript:alert(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "> <svg onload=alert(1)>\n> quoted",
    "- item\n\n  <img src=x onerror=alert(1)>",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "~~<a href=javascript:alert(1)>x</a>~~",
]


@pytest.mark.parametrize("payload", CORPUS)
def test_nothing_executable_survives_in_a_markdown_block(payload: str):
    assert executable_in(payload) or not markdown_is_safe(payload), "the corpus entry must be hostile"
    clean = sanitize_markdown(payload)
    assert executable_in(clean) == []
    assert markdown_is_safe(clean)
    assert sanitize_markdown(clean) == clean  # idempotent: a second write changes nothing


@pytest.mark.parametrize(
    "markdown",
    [
        "# Title\n\nSome **bold** and <b>raw bold</b>, <sub>2</sub>, <kbd>Ctrl</kbd>.",
        "<details>\n<summary>More</summary>\n\nHidden *markdown*.\n\n</details>",
        '<a href="https://example.com" title="t">link</a> and [md](https://example.com)',
        "![loss](/api/blobs/p/r/loss.png) and [mail](mailto:a@example.com) and [up](#results)",
        "| a | b |\n|---|---|\n| 1 | 2 |",
        "Code: `<script>` and\n\n```html\n<script>alert(1)</script>\n```",
        "a < b && c > d, 5 <3",
        # Look hostile, are inert: CommonMark reads the first as text (it is escaped when rendered), a
        # comment runs nothing, and a fence holds text.
        "<svg/onload=alert(1)>",
        "<!--<script>alert(1)</script>-->",
        "````\n```\n<script>alert(1)</script>",
    ],
)
def test_safe_markdown_is_kept_byte_for_byte(markdown: str):
    assert sanitize_markdown(markdown) == markdown
    assert executable_in(markdown) == []


def test_a_bad_link_in_markdown_is_blocked_and_the_text_kept():
    assert sanitize_markdown("see [docs](javascript:alert(1)) now") == f"see [docs]({BLOCKED_URL}) now"


def test_an_unfixable_block_is_kept_as_text_in_a_fence_longer_than_its_backticks():
    clean = sanitize_markdown("> <svg onload=alert(1)>\n> ```` q")
    assert clean.startswith("`````text\n") and clean.endswith("\n`````")
    assert executable_in(clean) == []


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.com/a?b#c", True),
        ("http://example.com", True),
        ("mailto:a@example.com", True),
        ("/api/blobs/x.png", True),
        ("#results", True),
        ("https:/example.com", False),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("/other/path", False),
        ("relative.png", False),
        ("javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" https://example.com", False),
        ("data:image/png;base64,AAAA", False),
        ("ftp://example.com", False),
        ("", False),
    ],
)
def test_the_url_rule(url: str, safe: bool):
    assert is_safe_url(url) is safe


def spec_with(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "title": "t\x00itle", "blocks": list(blocks)}


def test_text_runs_lose_bad_links_and_mentions_and_keep_their_text_as_plain_text():
    runs = [
        {"text": "<script>alert(1)</script>", "marks": ["bold"]},
        {"text": "click", "link": "javascript:alert(1)"},
        {"text": "ok", "link": "https://example.com"},
        {"text": "@x", "mention": "<img src=x>"},
        {"text": "@bob", "mention": "bob"},
    ]
    item = {
        "text": [{"text": "y", "link": "data:text/html,x"}],
        "children": [{"text": [{"text": "z", "link": "vbscript:x"}]}],
    }
    spec = spec_with(
        {"id": "p", "type": "paragraph", "text": runs},
        {"id": "l", "type": "bulleted_list", "items": [item]},
    )
    out = validate_spec(sanitize_spec(validate_spec(spec)))
    assert out["title"] == "title"
    para = out["blocks"][0]["text"]
    # Text is text: the renderer escapes it, so "<script>" shows as those characters and never runs.
    assert para[0] == {"text": "<script>alert(1)</script>", "marks": ["bold"]}
    assert para[1] == {"text": "click"}
    assert para[2]["link"] == "https://example.com"
    assert para[3] == {"text": "@x"} and para[4]["mention"] == "bob"
    items = out["blocks"][1]["items"]
    assert "link" not in items[0]["text"][0] and "link" not in items[0]["children"][0]["text"][0]
    assert spec["blocks"][0]["text"][1]["link"] == "javascript:alert(1)"  # the input is left alone


def test_image_and_video_blocks_with_bad_urls_keep_their_place_and_caption():
    spec = spec_with(
        {"id": "i", "type": "image", "url": "javascript:alert(1)", "caption": "loss"},
        {"id": "v", "type": "video", "url": "data:video/mp4;base64,AAAA"},
        {"id": "ok", "type": "image", "url": "/api/blobs/a.png"},
    )
    out = validate_spec(sanitize_spec(spec))
    assert [b["id"] for b in out["blocks"]] == ["i", "v", "ok"]
    assert out["blocks"][0] == {"id": "i", "type": "image", "url": BLOCKED_URL, "caption": "loss"}
    assert out["blocks"][1]["url"] == BLOCKED_URL
    assert out["blocks"][2]["url"] == "/api/blobs/a.png"


def test_markdown_blocks_and_markdown_panels_are_sanitised():
    panel = {
        "id": "mp",
        "type": "markdown",
        "layout": {"x": 0, "y": 0, "w": 6, "h": 4},
        "config": {"markdown": "<img src=x onerror=alert(1)>"},
    }
    spec = spec_with(
        {"id": "m", "type": "markdown", "markdown": "<script>alert(1)</script>hi"},
        {"id": "g", "type": "panel_grid", "run_sets": [{"id": "rs", "project": "p"}], "panels": [panel]},
    )
    out = validate_spec(sanitize_spec(spec))
    assert executable_in(out["blocks"][0]["markdown"]) == []
    assert executable_in(out["blocks"][1]["panels"][0]["config"]["markdown"]) == []
