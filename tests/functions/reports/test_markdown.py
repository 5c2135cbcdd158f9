"""Markdown export and import: text blocks round-trip losslessly, property-tested over generated specs.

Equality is on `normalize_spec(..., ids=False)`: adjacent runs with equal marks merged, marks in one
order, a mention's text is `@username`; text blocks' ids are numbered by position on import, so they are
compared without ids (panel grids keep theirs in their JSON).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wanllmdb_functions.reports.markdown import markdown_to_spec, normalize_spec, spec_to_markdown
from wanllmdb_functions.reports.spec import validate_spec

# Letters, digits, whitespace and every character markdown gives a meaning to.
TEXT = st.text(alphabet="ab xyZ019 \t\n*_`[]()<>#$@~&|!\\-+=.:;'\"{}é", max_size=24)
LINE = st.text(alphabet="ab xyZ019 *_`[]()<>#@~&|!\\-+=.:é", max_size=16)
USERNAME = st.from_regex(r"[a-z0-9][a-z0-9_]{0,6}", fullmatch=True)
URL = st.sampled_from(["https://example.com/a_b?c=1&d=(2)", "/api/blobs/x y.png", "mailto:a@b.c", "#top"])
MARKS = st.lists(st.sampled_from(["bold", "italic", "code", "strike", "underline"]), unique=True, max_size=3)
MATH = st.text(alphabet="abx^_{}+=\\ 12", min_size=1, max_size=10).filter(
    lambda t: t.strip() == t and not t.endswith("\\")
)


@st.composite
def runs(draw: Any, *, text: Any = TEXT) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["plain", "plain", "marked", "link", "mention", "math"]))
        if kind == "mention":
            name = draw(USERNAME)
            out.append({"text": "@" + name, "mention": name})
        elif kind == "math":
            out.append({"text": draw(MATH), "math": True})
        else:
            run: dict[str, Any] = {"text": draw(text)}
            if kind in ("marked", "link") and (marks := draw(MARKS)):
                run["marks"] = marks
            if kind == "link":
                run["link"] = draw(URL)
            out.append(run)
    return out


@st.composite
def items(draw: Any, depth: int = 0) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        item: dict[str, Any] = {"text": draw(runs())}
        if draw(st.booleans()):
            item["checked"] = draw(st.booleans())
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            item["children"] = draw(items(depth + 1))
        out.append(item)
    return out


def block(draw: Any) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["heading", "paragraph", "bulleted_list", "numbered_list", "quote", "callout", "code", "markdown",
             "latex", "image", "video", "horizontal_rule", "table_of_contents", "panel_grid"]
        )
    )  # fmt: skip
    if kind == "heading":
        return {"type": kind, "level": draw(st.integers(1, 3)), "text": draw(runs(text=LINE))}
    if kind in ("paragraph", "quote"):
        return {"type": kind, "text": draw(runs())}
    if kind == "callout":
        tone = draw(st.sampled_from(["note", "tip", "important", "warning", "caution"]))
        return {"type": kind, "tone": tone, "text": draw(runs())}
    if kind == "bulleted_list":
        return {"type": kind, "items": draw(items())}
    if kind == "numbered_list":
        return {"type": kind, "start": draw(st.integers(0, 12)), "items": draw(items())}
    if kind == "code":
        out = {"type": kind, "code": draw(st.text(alphabet="ab `~\n\t#<>$", max_size=30))}
        if draw(st.booleans()):
            out["language"] = draw(st.sampled_from(["python", "c++", "js"]))
        return out
    if kind == "markdown":
        raw = draw(st.sampled_from(["| a |\n|---|\n| 1 |", "* x\n\n  para", "```\nopen fence", "", "a\n\n"]))
        return {"type": kind, "markdown": raw}
    if kind == "latex":
        return {"type": kind, "latex": draw(st.text(alphabet="ab\\^_{}\n +", max_size=20))}
    if kind in ("image", "video"):
        out = {"type": kind, "url": draw(URL)}
        if draw(st.booleans()):
            out["caption"] = draw(LINE)
        if kind == "image" and draw(st.booleans()):
            out["width"] = draw(st.integers(1, 2000))
        return out
    if kind == "panel_grid":
        return {
            "type": kind,
            "run_sets": [{"id": "rs-" + draw(USERNAME), "project": "team/p", "filters": {"q": draw(TEXT)}}],
            "panels": [
                {
                    "id": "p-" + draw(USERNAME),
                    "type": "line",
                    "layout": {"x": 0, "y": 0, "w": 24, "h": 6},
                    "config": {"title": draw(TEXT)},
                }
            ],
        }
    return {"type": kind}


@st.composite
def specs(draw: Any) -> dict[str, Any]:
    blocks = [block(draw) for _ in range(draw(st.integers(0, 6)))]
    grids = 0
    for n, b in enumerate(blocks):
        b["id"] = f"b{n}"
        if b["type"] == "panel_grid":  # ids unique across the spec
            grids += 1
            b["run_sets"][0]["id"] += f"-{grids}"
            b["panels"][0]["id"] += f"-{grids}"
    spec: dict[str, Any] = {"version": 1, "blocks": blocks}
    if draw(st.booleans()):
        spec["title"] = draw(LINE)
    if draw(st.booleans()):
        spec["description"] = draw(TEXT)
    return validate_spec(spec)


def comparable(spec: dict[str, Any]) -> dict[str, Any]:
    return normalize_spec(spec, ids=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_spec_to_markdown_to_spec_is_lossless(spec: dict[str, Any]):
    markdown = spec_to_markdown(spec)
    back = validate_spec(markdown_to_spec(markdown))
    assert comparable(back) == comparable(spec), markdown


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_exported_markdown_is_stable_through_import_and_export(spec: dict[str, Any]):
    markdown = spec_to_markdown(spec)
    assert spec_to_markdown(markdown_to_spec(markdown)) == markdown


def test_every_block_type_reads_as_people_write_it():
    spec = {
        "version": 1,
        "title": "Run 12",
        "blocks": [
            {"id": "h", "type": "heading", "level": 2, "text": [{"text": "Results"}]},
            {"id": "p", "type": "paragraph", "text": [
                {"text": "Loss "}, {"text": "fell", "marks": ["bold"]}, {"text": " by "},
                {"text": "x^2", "math": True}, {"text": ", see "}, {"text": "docs", "link": "https://example.com"},
                {"text": " cc "}, {"text": "@ana", "mention": "ana"}, {"text": " and "},
                {"text": "under", "marks": ["underline"]},
            ]},
            {"id": "t", "type": "bulleted_list", "items": [{"text": [{"text": "done"}], "checked": True}]},
            {"id": "c", "type": "callout", "tone": "warning", "text": [{"text": "Careful"}]},
            {"id": "toc", "type": "table_of_contents"},
        ],
    }  # fmt: skip
    assert spec_to_markdown(spec) == (
        '---\ntitle: "Run 12"\n---\n\n## Results\n\n'
        "Loss **fell** by $x^2$, see [docs](https://example.com) cc @ana and <u>under</u>\n\n"
        "- [x] done\n\n> [!WARNING]\n> Careful\n\n[[toc]]\n"
    )


def test_foreign_markdown_keeps_what_the_spec_cannot_hold_as_markdown_blocks():
    text = "# A\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n#### deep\n\n- a\n\n  second para\n\nemail a@b.com\n"
    spec = validate_spec(markdown_to_spec(text, title="Imported"))
    assert spec["title"] == "Imported"
    kinds = [(b["id"], b["type"]) for b in spec["blocks"]]
    assert kinds == [("md-1", "heading"), ("md-2", "markdown"), ("md-3", "heading"), ("md-4", "markdown"),
                     ("md-5", "paragraph")]  # fmt: skip
    assert spec["blocks"][1]["markdown"] == "| a | b |\n|---|---|\n| 1 | 2 |"
    assert spec["blocks"][2]["level"] == 3
    assert spec["blocks"][4]["text"] == [{"text": "email a@b.com"}]  # an email is not a mention


def test_a_panel_grid_travels_as_json_with_its_ids():
    grid = {"id": "md-1", "type": "panel_grid", "run_sets": [{"id": "rs", "project": "p"}],
            "panels": [{"id": "pl", "type": "bar", "layout": {"x": 0, "y": 0, "w": 6, "h": 4}}]}  # fmt: skip
    spec = {"version": 1, "blocks": [{"id": "x", "type": "horizontal_rule"}, grid]}
    markdown = spec_to_markdown(spec)
    assert "```wanllmdb-panels\n" in markdown
    back = validate_spec(markdown_to_spec(markdown))
    assert back["blocks"][1] == grid
    assert back["blocks"][0]["id"] == "md-2"  # numbering skips an id the grid already uses
