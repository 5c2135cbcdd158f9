from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from wanllmdb.schema import load_lake_schema, log_schema, metric_schema

REPO = Path(__file__).resolve().parents[2]


def test_shipped_schema_copy_equals_the_source_of_truth() -> None:
    source = json.loads((REPO / "schemas" / "lake_schema.json").read_text())
    assert load_lake_schema() == source


def test_metric_schema_matches_every_column_of_the_lake_schema() -> None:
    spec = load_lake_schema()["metric_columns"]
    schema = metric_schema()
    assert [f.name for f in schema] == [c["name"] for c in spec]
    assert schema.field("key").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("ts").type == pa.timestamp("ms", tz="UTC")
    assert [f.nullable for f in schema] == [c["nullable"] for c in spec]


def test_log_schema_matches_the_log_columns() -> None:
    assert [f.name for f in log_schema()] == [c["name"] for c in load_lake_schema()["log_columns"]]
