"""The reader's schema copy, the Glue table and compacted files all follow schemas/lake_schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from tests.lake_chunks import METRIC_SCHEMA as ARROW_SCHEMA
from tests.lake_chunks import put_chunk
from tools.glue_table import GLUE_TABLE_PATH, LAKE_SCHEMA_PATH, render
from wanllmdb_functions.compaction.compactor import compact_stream
from wanllmdb_functions.lake.keys import lod_key, parse_compacted
from wanllmdb_functions.lake.lod import LEVELS, LOD_SCHEMA
from wanllmdb_functions.lake.schema import METRIC_SCHEMA
from wanllmdb_functions.ports import BlobStore

LAKE = json.loads(LAKE_SCHEMA_PATH.read_text())


def test_reader_schema_matches_lake_schema() -> None:
    assert list(METRIC_SCHEMA) == [c["name"] for c in LAKE["metric_columns"]]
    # Polars reads the schema's Arrow types as these.
    assert pl.from_arrow(ARROW_SCHEMA.empty_table()).schema == pl.Schema(METRIC_SCHEMA)


def test_glue_table_file_is_generated_from_lake_schema() -> None:
    assert GLUE_TABLE_PATH.read_text() == render()
    table = json.loads(GLUE_TABLE_PATH.read_text())
    columns = table["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == [
        (c["name"], c["glue"]) for c in LAKE["metric_columns"]
    ]
    assert [p["Name"] for p in table["PartitionKeys"]] == LAKE["layout"]["partitions"]


def test_compacted_file_keeps_the_lake_columns_and_types(blobs: BlobStore, tmp_path: Path) -> None:
    put_chunk(blobs, "p", "r", seq=0, steps=[0, 1], values={"a": [1.0, 2.0]})
    key = compact_stream(blobs, "p", "r", "history").key
    assert key
    path = tmp_path / "c.parquet"
    path.write_bytes(blobs.get(key))
    schema = pq.read_schema(path)
    assert schema.names == ARROW_SCHEMA.names
    for name in ("step", "ts", "value", "attempt"):
        assert schema.field(name).type == ARROW_SCHEMA.field(name).type
    # Polars writes Arrow's large_string / uint32 dictionary indices: the same Parquet UTF8 column.
    assert pa.types.is_string(schema.field("ref").type) or pa.types.is_large_string(schema.field("ref").type)
    assert pa.types.is_dictionary(schema.field("key").type)


def test_pyramid_schema_matches_lake_schema_and_the_written_file(blobs: BlobStore, tmp_path: Path) -> None:
    assert list(LOD_SCHEMA) == [c["name"] for c in LAKE["lod_columns"]]
    assert list(LEVELS) == LAKE["lod_levels"]
    put_chunk(blobs, "p", "r", seq=0, steps=[0, 1], values={"a": [1.0, 2.0]})
    key = compact_stream(blobs, "p", "r", "history").key
    coverage = parse_compacted(key or "")
    assert coverage is not None
    path = tmp_path / "lod.parquet"
    path.write_bytes(blobs.get(lod_key("p", "r", "history", coverage)))
    schema = pq.read_schema(path)
    assert schema.names == [c["name"] for c in LAKE["lod_columns"]]
    arrow = {"int64": pa.int64(), "float64": pa.float64()}
    for column in LAKE["lod_columns"]:
        field = schema.field(column["name"])
        if column["arrow"] in arrow:
            assert field.type == arrow[column["arrow"]], column["name"]
        else:
            assert pa.types.is_dictionary(field.type), column["name"]
