"""The report spec's validation: schema faults and the rules beside it, each named by its JSON path."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.reports.spec import (
    MAX_DEPTH,
    MAX_SPEC_BYTES,
    REPORT_SCHEMA_PATH,
    SpecInvalid,
    validate_spec,
)


def grid(block_id: str = "g1", *, panels: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "id": block_id,
        "type": "panel_grid",
        "run_sets": [{"id": f"{block_id}-rs", "project": "team/proj", "filters": {}}],
        "panels": panels
        if panels is not None
        else [{"id": f"{block_id}-p1", "type": "line", "layout": {"x": 0, "y": 0, "w": 12, "h": 8}}],
    }


def full_spec() -> dict[str, Any]:
    text = [{"text": "Hello "}, {"text": "world", "marks": ["bold"], "link": "https://example.com"}]
    return {
        "version": 1,
        "title": "Findings",
        "blocks": [
            {"id": "h", "type": "heading", "level": 1, "text": text},
            {
                "id": "p",
                "type": "paragraph",
                "text": [{"text": "x^2", "math": True}, {"text": "bob", "mention": "bob"}],
            },
            {"id": "ul", "type": "bulleted_list", "items": [{"text": text, "children": [{"text": text}]}]},
            {"id": "ol", "type": "numbered_list", "start": 3, "items": [{"text": text, "checked": True}]},
            {"id": "q", "type": "quote", "text": text},
            {"id": "c", "type": "callout", "tone": "warning", "text": text},
            {"id": "code", "type": "code", "language": "python", "code": "print(1)\n"},
            {"id": "md", "type": "markdown", "markdown": "| a |\n|---|\n| 1 |"},
            {"id": "tex", "type": "latex", "latex": "e^{i\\pi}+1=0"},
            {"id": "img", "type": "image", "url": "/api/blobs/x.png", "caption": "loss"},
            {"id": "vid", "type": "video", "url": "https://example.com/v.mp4"},
            {"id": "hr", "type": "horizontal_rule"},
            {"id": "toc", "type": "table_of_contents"},
            grid(),
        ],
    }


def fault(spec: Any) -> SpecInvalid:
    with pytest.raises(SpecInvalid) as info:
        validate_spec(spec)
    return info.value


def test_a_spec_with_every_block_type_is_valid_and_returned_unchanged():
    spec = full_spec()
    before = copy.deepcopy(spec)
    assert validate_spec(spec) == before


def test_spec_invalid_is_the_repos_invalid_input_answered_with_422():
    err = fault({"version": 1})
    assert isinstance(err, InvalidInput)
    assert err.status == 422 and err.code == "invalid"
    assert err.body()["error"]["field"] == "$.blocks"


def test_a_bad_heading_level_names_its_path_and_the_allowed_levels():
    spec = full_spec()
    spec["blocks"][0]["level"] = 4
    err = fault(spec)
    assert err.field == "$.blocks[0].level"
    assert "$.blocks[0].level is 4" in err.message and "1, 2, 3" in err.message


def test_a_missing_field_names_the_missing_path():
    spec = full_spec()
    del spec["blocks"][5]["tone"]
    err = fault(spec)
    assert err.field == "$.blocks[5].tone"
    assert "add it" in err.message and "callout" in err.message


def test_an_unknown_field_is_named_with_what_is_allowed():
    spec = full_spec()
    spec["blocks"][1]["colour"] = "red"
    err = fault(spec)
    assert err.field == "$.blocks[1].colour"
    assert "remove it" in err.message and "text" in err.message


def test_an_unknown_block_type_lists_the_known_ones():
    spec = full_spec()
    spec["blocks"][2] = {"id": "z", "type": "carousel"}
    err = fault(spec)
    assert err.field == "$.blocks[2].type"
    assert "panel_grid" in err.message


def test_a_fault_deep_in_a_nested_list_item_is_named_precisely():
    spec = full_spec()
    spec["blocks"][2]["items"][0]["children"][0]["text"][1]["marks"] = ["blink"]
    assert fault(spec).field == "$.blocks[2].items[0].children[0].text[1].marks[0]"


def test_a_panel_fault_is_named_inside_its_grid():
    spec = full_spec()
    spec["blocks"][13]["panels"][0]["layout"]["w"] = 0
    err = fault(spec)
    assert err.field == "$.blocks[13].panels[0].layout.w"


def test_a_wrong_version_says_which_it_must_be():
    spec = full_spec()
    spec["version"] = 2
    err = fault(spec)
    assert err.field == "$.version" and "must be 1" in err.message


def test_a_bad_block_id_names_the_pattern():
    spec = full_spec()
    spec["blocks"][0]["id"] = "has space"
    assert fault(spec).field == "$.blocks[0].id"


def test_a_non_object_is_refused_at_the_root():
    assert fault([1, 2]).field == "$"


def test_root_prefixes_every_path():
    with pytest.raises(SpecInvalid) as info:
        validate_spec({"version": 1, "blocks": [{"id": "a", "type": "heading"}]}, root="spec")
    assert info.value.field == "spec.blocks[0].level"


@pytest.mark.parametrize(
    "where",
    [
        lambda s: s["blocks"].append({"id": "h", "type": "horizontal_rule"}),
        lambda s: s["blocks"][13]["panels"].append(
            {"id": "p", "type": "bar", "layout": {"x": 0, "y": 8, "w": 6, "h": 4}}
        ),
        lambda s: s["blocks"][13]["run_sets"].append({"id": "g1-p1", "project": "p"}),
        lambda s: s["blocks"].append(
            grid("g2", panels=[{"id": "g1-p1", "type": "bar", "layout": {"x": 0, "y": 0, "w": 6, "h": 4}}])
        ),
    ],
    ids=["block-block", "panel-block", "runset-panel", "panel-across-grids"],
)
def test_ids_are_unique_across_blocks_run_sets_and_panels(where):
    spec = full_spec()
    where(spec)
    err = fault(spec)
    assert "already used at" in err.message and "new id" in err.message
    assert err.field is not None and err.field.endswith(".id")


def test_a_panel_past_the_24_column_grid_is_refused():
    spec = full_spec()
    spec["blocks"][13]["panels"][0]["layout"] = {"x": 20, "y": 0, "w": 6, "h": 4}
    err = fault(spec)
    assert err.field == "$.blocks[13].panels[0].layout"
    assert "column 26" in err.message and "x + w at most 24" in err.message


def test_a_panel_reaching_the_last_column_is_fine():
    spec = full_spec()
    spec["blocks"][13]["panels"][0]["layout"] = {"x": 12, "y": 0, "w": 12, "h": 4}
    validate_spec(spec)


def test_a_spec_over_the_size_cap_is_refused_before_schema_checks():
    spec = full_spec()
    spec["blocks"] += [
        {"id": f"c{i}", "type": "code", "code": "x" * 900_000} for i in range(MAX_SPEC_BYTES // 900_000 + 1)
    ]
    err = fault(spec)
    assert err.field == "$" and "byte limit" in err.message


def test_a_hostilely_deep_document_is_refused_without_recursion():
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(100_000):
        node["x"] = {}
        node = node["x"]
    spec = full_spec()
    spec["blocks"][13]["panels"][0]["config"] = deep
    err = fault(spec)
    assert err.field == "$" and str(MAX_DEPTH) in err.message


def test_the_same_bad_spec_always_names_the_same_fault():
    spec = full_spec()
    spec["blocks"][0]["level"] = 9
    spec["blocks"][4]["text"] = "not a list"
    assert {fault(spec).field for _ in range(5)} == {fault(copy.deepcopy(spec)).field}


def test_the_schema_is_found_beside_the_package():
    assert REPORT_SCHEMA_PATH.is_file() and REPORT_SCHEMA_PATH.name == "report.schema.json"
