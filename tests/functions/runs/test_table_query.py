"""The runs table's filter, order and cursor language over index rows (pure functions)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.runs.filters import compile_filters, page_after, parse_order, sort_rows
from wanllmdb_functions.runs.index_rows import LEAF_BUDGET_BYTES, build_index_row, config_leaves
from wanllmdb_functions.runs.tree import deep_merge, diff_leaves, flatten


def row(
    run_id: str, config: dict[str, Any], summary: dict[str, Any] | None = None, **cols: Any
) -> dict[str, Any]:
    run = {
        "id": run_id,
        "project_id": "p",
        "summary": summary or {},
        "state": "running",
        "created_at": f"2026-01-01T00:00:0{len(run_id) % 10}.000000Z",
        **cols,
    }
    leaves, partial = config_leaves(config)
    return build_index_row(run, leaves, c_partial=partial)


ROWS = [
    row("a", {"lr": 0.1, "opt": {"name": "adam"}}, {"loss": 0.5}, tags=["base"], group="g1"),
    row("b", {"lr": 0.01, "opt": {"name": "sgd"}}, {"loss": 0.2}, tags=["base", "wide"], group="g2"),
    row("c", {"lr": 0.001}, {"loss": float("nan")}, tags=[]),
    row("d", {"lr": "auto"}, {}, state="finished"),
]


def ids(filters: dict[str, Any] | None = None, order: str = "run_id") -> list[str]:
    pred = compile_filters(json.dumps(filters) if filters else None)
    return sorted(r["run_id"] for r in ROWS if pred(r))


def test_comparisons_on_config_and_summary_leaves() -> None:
    assert ids({"config.lr": {"$lt": 0.05}}) == ["b", "c"]
    assert ids({"summary.loss": {"$gte": 0.2, "$lte": 0.5}}) == ["a", "b"]
    assert ids({"summary_metrics.loss": {"$gt": 0.3}}) == ["a"]
    assert ids({"config.opt.name": "sgd"}) == ["b"]


def test_strings_and_numbers_are_never_ordered_against_each_other() -> None:
    assert ids({"config.lr": {"$gt": 0}}) == ["a", "b", "c"]
    assert ids({"config.lr": {"$gt": "a"}}) == ["d"]


def test_nan_matches_no_comparison() -> None:
    assert ids({"summary.loss": {"$lt": 1e9}}) == ["a", "b"]


def test_tags_use_array_membership_and_logic_operators() -> None:
    assert ids({"tags": "wide"}) == ["b"]
    assert ids({"tags": {"$in": ["base"]}}) == ["a", "b"]
    assert ids({"tags": {"$nin": ["base"]}}) == ["c", "d"]
    assert ids({"$or": [{"group": "g1"}, {"state": "finished"}]}) == ["a", "d"]
    assert ids({"$and": [{"tags": "base"}, {"config.lr": {"$ne": 0.1}}]}) == ["b"]
    assert ids({"summary.loss": {"$exists": False}}) == ["d"]
    assert ids({"group": {"$exists": True}}) == ["a", "b"]


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        json.dumps({"config.lr": {"$regex": "x"}}),
        json.dumps({"owner": "me"}),
        json.dumps({"$nor": []}),
        json.dumps({"tags": {"$in": "base"}}),
        json.dumps({"config.lr": {"$gt": {"a": 1}}}),
        json.dumps({"config.lr": {"$exists": 1}}),
        json.dumps({"$or": []}),
        "[" * 5000 + "]" * 5000,
        json.dumps(
            {
                "$and": [
                    {
                        "$and": [
                            {
                                "$and": [
                                    {
                                        "$and": [
                                            {
                                                "$and": [
                                                    {
                                                        "$and": [
                                                            {
                                                                "$and": [
                                                                    {
                                                                        "$and": [
                                                                            {"$and": [{"state": "running"}]}
                                                                        ]
                                                                    }
                                                                ]
                                                            }
                                                        ]
                                                    }
                                                ]
                                            }
                                        ]
                                    }
                                ]
                            }
                        ]
                    }
                ]
            }
        ),
    ],
)
def test_bad_filters_name_the_filters_field(text: str) -> None:
    with pytest.raises(InvalidInput) as err:
        compile_filters(text)
    assert err.value.field == "filters"


def test_order_puts_missing_values_last_both_ways() -> None:
    asc = [r["run_id"] for _, r in sort_rows(ROWS, parse_order("summary.loss"))]
    desc = [r["run_id"] for _, r in sort_rows(ROWS, parse_order("-summary.loss"))]
    # NaN (c) and no value (d) sort last in both directions, ties by run id.
    assert asc == ["b", "a", "c", "d"]
    assert desc == ["a", "b", "c", "d"]


def test_unknown_order_field_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        parse_order("-loss")
    assert err.value.field == "order"


def test_cursor_pages_cover_every_row_once() -> None:
    rows = [row(f"r{i:03d}", {"lr": i % 7}, {"loss": (i * 37) % 11}) for i in range(53)]
    order = parse_order("-summary.loss")
    keyed = sort_rows(rows, order)
    seen: list[str] = []
    cursor = None
    while True:
        page, cursor = page_after(keyed, order, cursor, 10)
        seen += [r["run_id"] for r in page]
        if cursor is None:
            break
    assert seen == [r["run_id"] for _, r in keyed]
    assert len(set(seen)) == 53


def test_cursor_of_another_order_is_refused() -> None:
    order = parse_order("config.lr")
    keyed = sort_rows(ROWS, order)
    _, cursor = page_after(keyed, order, None, 1)
    with pytest.raises(InvalidInput) as err:
        page_after(keyed, parse_order("-config.lr"), cursor, 1)
    assert err.value.field == "cursor"


def test_index_row_stays_within_its_budget() -> None:
    config = {f"p{i:05d}": i * 1.5 for i in range(5000)} | {"long": "x" * 1000}
    r = row("big", config, {"loss": 1.0})
    assert r["cp"] is True
    assert "long" not in r["c"]
    assert r["s"] == {"loss": 1.0}
    assert len(json.dumps(r, separators=(",", ":"))) < LEAF_BUDGET_BYTES + 1000


def test_deep_merge_flatten_and_diff() -> None:
    merged = deep_merge({"opt": {"lr": 1, "b": 2}, "x": 1}, {"opt": {"lr": 3}})
    assert merged == {"opt": {"lr": 3, "b": 2}, "x": 1}
    assert flatten(merged) == {"opt.lr": 3, "opt.b": 2, "x": 1}
    diff = diff_leaves({"a": 1, "n": math.nan, "o": {"x": 1}}, {"a": 2, "n": math.nan, "p": [1]})
    assert diff == {"changed": {"a": [1, 2]}, "only_a": {"o.x": 1}, "only_b": {"p": [1]}}
