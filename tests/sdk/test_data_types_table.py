"""``wanllmdb.Table``: wandb's API, typed columns checked as rows come in, and the Parquet file it becomes."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import wanllmdb
from wanllmdb.data_types.base import Media
from wanllmdb.data_types.table import TABLE_METADATA
from wanllmdb.errors import InvalidValue


def stored(table: wanllmdb.Table, store: Any = None) -> pa.Table:
    prepared = table.prepare_with("preds", 3, store or (lambda m: {"_type": m._type, "path": "x"}))
    assert prepared.ext == "parquet" and prepared.type_dir == "table"
    assert prepared.descriptor["_type"] == "table-file" and prepared.descriptor["size"] == len(
        prepared.data or b""
    )
    parquet = pq.ParquetFile(io.BytesIO(prepared.data or b""))
    # The kinds are file key-value metadata, whichever writer (pyarrow or Polars) made the file.
    return parquet.read().replace_schema_metadata(parquet.metadata.metadata)


def kinds(arrow: pa.Table) -> dict[str, str]:
    meta = json.loads(arrow.schema.metadata[TABLE_METADATA.encode()])
    return {c["name"]: c["kind"] for c in meta["columns"]}


def test_rows_become_typed_parquet_columns_with_their_kinds() -> None:
    t = wanllmdb.Table(columns=["id", "score", "label", "ok", "vec"])
    t.add_data(1, 0.5, "cat", True, [1.0, 2.0])
    t.add_data(2, np.float32(0.25), "dog", False, np.array([3.0, 4.0]))
    t.add_data(3, 1, None, None, None)
    arrow = stored(t)
    assert arrow.schema.field("id").type == pa.int64()
    assert arrow.schema.field("score").type == pa.float64()  # ints and floats in one column: numbers
    assert arrow.schema.field("label").type == pa.string() and arrow.schema.field("ok").type == pa.bool_()
    assert arrow.column("vec").to_pylist() == [[1.0, 2.0], [3.0, 4.0], None]
    assert kinds(arrow) == {"id": "int", "score": "number", "label": "str", "ok": "bool", "vec": "list"}
    assert len(t) == 3 and t.get_column("label") == ["cat", "dog", None]


def test_a_mixed_column_is_refused_naming_the_column_and_the_row() -> None:
    t = wanllmdb.Table(columns=["a", "b"], data=[[1, "x"], [2, "y"]])
    with pytest.raises(
        InvalidValue, match=r"column 'b', row 2: got int .* holds str.*allow_mixed_types=True"
    ):
        t.add_data(3, 4)
    assert len(t) == 2  # the refused row is not half-added
    mixed = wanllmdb.Table(columns=["b"], data=[["x"], [4], [None]], allow_mixed_types=True)
    assert stored(mixed).column("b").to_pylist() == ['"x"', "4", None]
    with pytest.raises(InvalidValue, match=r"column 'a', row 0: got None but the column is not optional"):
        wanllmdb.Table(columns=["a"], data=[[None]], optional=False)


def test_dtype_and_cast_fix_a_columns_kind() -> None:
    t = wanllmdb.Table(columns=["a", "b"], dtype=[int, str])
    with pytest.raises(InvalidValue, match="column 'b', row 0"):
        t.add_data(1, 2)
    t.add_data(1, "x")
    t.cast("a", float)
    assert kinds(stored(t))["a"] == "number"
    with pytest.raises(InvalidValue, match=r"column 'b', row 0.*got str"):
        t.cast("b", int)
    with pytest.raises(InvalidValue, match="dtype: got 'weird'"):
        wanllmdb.Table(columns=["a"], dtype="weird")


def test_wandbs_table_methods() -> None:
    t = wanllmdb.Table(columns=["x"], data=[[1], [2], [3]])
    t.add_column("y", [10, 20, 30])
    t.add_computed_columns(lambda ndx, row: {"sum": row["x"] + row["y"], "ndx": ndx})
    assert t.columns == ["x", "y", "sum", "ndx"]
    assert list(t.iterrows())[1] == (1, [2, 20, 22, 1])
    assert t.get_index() == [0, 1, 2] and t.get_column("sum", convert_to="numpy").tolist() == [11, 22, 33]
    with pytest.raises(InvalidValue, match=r"'z' has 2 values but the table has 3 rows"):
        t.add_column("z", [1, 2])
    with pytest.raises(InvalidValue, match=r"got 1 values for 4 columns"):
        t.add_data(1)
    with pytest.raises(InvalidValue, match=r"no column 'nope'"):
        t.get_column("nope")
    assert wanllmdb.Table(data=[[1, 2]]).columns == ["Column_1", "Column_2"]  # wandb's default names
    assert wanllmdb.Table(columns=["a"], rows=[[1]]).data == [[1]]


def test_a_polars_frame_is_kept_as_arrow_and_snapshotted() -> None:
    frame = pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, None, 1.5]})
    t = wanllmdb.Table(dataframe=frame)
    assert t.columns == ["a", "b", "c"] and len(t) == 3
    arrow = stored(t)
    assert kinds(arrow) == {"a": "int", "b": "str", "c": "number"}
    assert arrow.column("c").to_pylist() == [0.5, None, 1.5]
    assert wanllmdb.Table(data=frame).columns == ["a", "b", "c"]  # wandb accepts a frame as data too
    t.add_data(4, "w", 2.0)  # a frame-backed table becomes rows when changed
    assert t.data[-1] == [4, "w", 2.0]


def test_media_cells_are_stored_through_the_worker_and_become_descriptor_json() -> None:
    t = wanllmdb.Table(columns=["img", "caption"])
    t.add_data(wanllmdb.Image(np.zeros((2, 2, 3), dtype=np.uint8)), "a")
    t.add_data(None, "b")
    seen: list[Media] = []

    def store(media: Media) -> dict[str, Any]:
        seen.append(media)
        return {"_type": media._type, "path": f"image/preds_3_{len(seen)}.png"}

    arrow = stored(t, store)
    assert kinds(arrow)["img"] == "media:image-file"
    cells = arrow.column("img").to_pylist()
    assert json.loads(cells[0]) == {"_type": "image-file", "path": "image/preds_3_1.png"} and cells[1] is None
    with pytest.raises(InvalidValue, match=r"log it with run\.log"):
        t.prepare("k", 0)
    with pytest.raises(InvalidValue, match=r"column 'img', row 2: got str"):
        t.add_data("not an image", "c")
