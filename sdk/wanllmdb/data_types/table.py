"""``Table``: wandb's table, stored as one Parquet file with typed columns (schemas/media_descriptors.json
``table-file``), so it has no row cap but storage and the server can page, sort and filter it with Polars.

A table is either row-backed (built from ``data``/``rows``/``add_data``: cells are checked per column as
they come in) or frame-backed (built from a pandas or Polars DataFrame: kept as an Arrow table, never
turned into Python rows unless asked for, so 1M x 10 logs in seconds). Media cells (Image, Audio, ...)
are stored as their own objects by the media worker; the Parquet cell holds the descriptor as JSON.

Column kinds (the ``wanllmdb.table`` entry of the Parquet metadata): number, int, bool, str, list,
media:<_type> (descriptor JSON), mixed (allow_mixed_types: each cell as JSON text), none (all empty),
and from DataFrames also time and struct (Arrow's own types).
"""

from __future__ import annotations

import hashlib
import io
import json
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

from wanllmdb.data_types.base import Media, Prepared, describe, is_tensor, tensor_to_numpy
from wanllmdb.errors import InvalidValue

__all__ = ["TABLE_METADATA", "Table"]

# The Parquet key-value metadata entry describing the columns, read back by the server and Api().
TABLE_METADATA = "wanllmdb.table"
Store = Callable[[Media], dict[str, Any]]
_NUMBER_KINDS = ("int", "number")
_KIND_NAMES = ("number", "int", "bool", "str", "list")


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool | complex)


def _kind_of(value: Any) -> str:
    """The column kind a cell belongs to."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, Media):
        return f"media:{value._type}"
    if isinstance(value, list | tuple) or hasattr(value, "tolist") or is_tensor(value):
        return "list"
    raise InvalidValue(
        "a table cell holds numbers, strings, booleans, lists or media (Image, Audio, ...), "
        f"got {describe(value)}"
    )


def _kind_of_dtype(dtype: Any) -> str:
    """A kind from what wandb takes as ``dtype``: a Python type, a media class, or a kind name."""
    if isinstance(dtype, str) and (dtype in _KIND_NAMES or dtype.startswith("media:")):
        return dtype
    if dtype is bool:
        return "bool"
    if dtype is int:
        return "int"
    if dtype is float:
        return "number"
    if dtype is str:
        return "str"
    if dtype in (list, tuple):
        return "list"
    if isinstance(dtype, type) and issubclass(dtype, Media):
        return f"media:{dtype._type}"
    raise InvalidValue(
        f"Table dtype: got {dtype!r}; accepted: int, float, str, bool, list, a media class such as "
        "wanllmdb.Image, or None to infer from the data"
    )


def _compatible(kind: str, cell: str) -> bool:
    return kind == cell or (kind in _NUMBER_KINDS and cell in _NUMBER_KINDS)


def _joined(kind: str, cell: str) -> str:
    return "number" if kind != cell and kind in _NUMBER_KINDS and cell in _NUMBER_KINDS else kind


class Table(Media):
    """``wandb.Table(columns=None, data=None, rows=None, dataframe=None, dtype=None, optional=True,
    allow_mixed_types=False)``."""

    _type: ClassVar[str] = "table-file"
    _dir: ClassVar[str | None] = "table"
    # wandb caps tables (10k rows shown, 200k logged); code that reads these still works, nothing is cut.
    MAX_ROWS: ClassVar[int] = 2**63 - 1
    MAX_ARTIFACT_ROWS: ClassVar[int] = 2**63 - 1

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        data: Sequence[Sequence[Any]] | None = None,
        rows: Sequence[Sequence[Any]] | None = None,
        dataframe: Any = None,
        dtype: Any = None,
        optional: bool | Sequence[bool] = True,
        allow_mixed_types: bool = False,
    ) -> None:
        self._frame: Any = None  # a pyarrow.Table when frame-backed
        self._polars: Any = None  # the Polars frame it came from, written by Polars' own (faster) writer
        self._rows: list[list[Any]] = []
        self.allow_mixed_types = allow_mixed_types
        if data is None and rows is not None:
            data = rows
        if dataframe is None and data is not None and _is_frame(data):
            dataframe, data = data, None
        if dataframe is not None:
            if columns is not None or data is not None:
                raise InvalidValue("Table: pass either dataframe= or columns=/data=, not both")
            self._frame = _arrow_of(dataframe)
            if (type(dataframe).__module__ or "").startswith("polars"):
                self._polars = dataframe  # immutable: the snapshot costs nothing
            self.columns = list(self._frame.column_names)
            self._kinds = [_arrow_kind(f.type) for f in self._frame.schema]
            self._optional = [True] * len(self.columns)
            return
        if data is not None and not isinstance(data, Sequence | Iterator) and not hasattr(data, "tolist"):
            raise InvalidValue(f"Table: data must be a list of rows (lists), got {describe(data)}")
        given: Any = data
        data_rows = [list(r) for r in (given.tolist() if hasattr(given, "tolist") else given or [])]
        if columns is None:
            width = len(data_rows[0]) if data_rows else 0
            columns = [f"Column_{i + 1}" for i in range(width)]
        self.columns = [str(c) for c in columns]
        if len(set(self.columns)) != len(self.columns):
            raise InvalidValue(f"Table: column names must be unique, got {self.columns}")
        n = len(self.columns)
        dtypes = list(dtype) if isinstance(dtype, list | tuple) else [dtype] * n
        optionals = list(optional) if isinstance(optional, list | tuple) else [optional] * n
        if len(dtypes) != n or len(optionals) != n:
            raise InvalidValue(f"Table: dtype and optional must give one entry per column ({n})")
        self._kinds = [_kind_of_dtype(d) if d is not None else "none" for d in dtypes]
        self._optional = [bool(o) for o in optionals]
        for row in data_rows:
            self.add_data(*row)

    # -- building --------------------------------------------------------------------------------------
    def add_data(self, *data: Any) -> None:
        """Append one row; every cell is checked against its column's kind."""
        self._as_rows()
        if len(data) != len(self.columns):
            raise InvalidValue(
                f"Table.add_data: got {len(data)} values for {len(self.columns)} columns {self.columns}"
            )
        row_index = len(self._rows)
        self._rows.append([self._checked(j, value, row_index) for j, value in enumerate(data)])

    def add_row(self, *row: Any) -> None:
        self.add_data(*row)

    def _checked(self, j: int, value: Any, row_index: int) -> Any:
        if is_tensor(value):
            value = tensor_to_numpy(value)
        if value is None:
            if not self._optional[j]:
                raise InvalidValue(
                    f"Table: column {self.columns[j]!r}, row {row_index}: got None but the column is not "
                    "optional; pass optional=True or give a value"
                )
            return None
        try:
            cell = _kind_of(value)
        except InvalidValue as exc:
            raise InvalidValue(f"Table: column {self.columns[j]!r}, row {row_index}: {exc}") from None
        kind = self._kinds[j]
        if kind == "none":
            self._kinds[j] = cell
        elif kind != "mixed" and not _compatible(kind, cell):
            if not self.allow_mixed_types:
                raise InvalidValue(
                    f"Table: column {self.columns[j]!r}, row {row_index}: got {cell.removeprefix('media:')} "
                    f"({describe(value)}) but the column holds {kind.removeprefix('media:')}; pass "
                    "allow_mixed_types=True to keep mixed values (stored as JSON text)"
                )
            self._kinds[j] = "mixed"
        else:
            self._kinds[j] = _joined(kind, cell)
        if hasattr(value, "tolist") and not isinstance(value, Media):
            return value.tolist()  # a numpy scalar or array: a copy, as it is now
        if isinstance(value, tuple):
            return list(value)
        return value

    def add_column(self, name: str, data: Sequence[Any], optional: bool = False) -> None:
        """Append a column holding ``data`` (one value per row)."""
        self._as_rows()
        if name in self.columns:
            raise InvalidValue(f"Table.add_column: column {name!r} exists already")
        values = list(data.tolist() if hasattr(data, "tolist") else data)
        if self.columns and len(values) != len(self._rows):
            raise InvalidValue(
                f"Table.add_column: {name!r} has {len(values)} values but the table has "
                f"{len(self._rows)} rows"
            )
        self.columns.append(str(name))
        self._kinds.append("none")
        self._optional.append(optional)
        if not self._rows:
            self._rows = [[] for _ in values]
        j = len(self.columns) - 1
        for i, value in enumerate(values):
            self._rows[i].append(self._checked(j, value, i))

    def add_computed_columns(self, fn: Callable[[int, dict[str, Any]], dict[str, Any]]) -> None:
        """wandb's: ``fn(ndx, row)`` returns a dict of new column values for each row."""
        new: dict[str, list[Any]] = {}
        for i, row in self.iterrows():
            computed = fn(i, dict(zip(self.columns, row, strict=True)))
            for name, value in computed.items():
                new.setdefault(name, []).append(value)
        for name, values in new.items():
            self.add_column(name, values, optional=True)

    def cast(self, col_name: str, dtype: Any, optional: bool = False) -> None:
        """Fix a column's kind and check the values it holds."""
        self._as_rows()
        j = self._index_of(col_name)
        self._kinds[j] = _kind_of_dtype(dtype)
        self._optional[j] = optional
        for i, row in enumerate(self._rows):
            row[j] = self._checked(j, row[j], i)

    # -- reading ---------------------------------------------------------------------------------------
    @property
    def data(self) -> list[list[Any]]:
        """The rows as lists (a frame-backed table is turned into rows on first access)."""
        self._as_rows()
        return self._rows

    def get_column(self, name: str, convert_to: str | None = None) -> Any:
        j = self._index_of(name)
        values = (
            self._frame.column(j).to_pylist() if self._frame is not None else [row[j] for row in self._rows]
        )
        if convert_to == "numpy":
            import numpy as np

            return np.array(values)
        if convert_to is not None:
            raise InvalidValue(f"Table.get_column: convert_to={convert_to!r}; use None or 'numpy'")
        return values

    def get_index(self) -> list[int]:
        return list(range(len(self)))

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        yield from enumerate(self.data)

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame."""
        return self._arrow_for_export().to_pandas()

    def __len__(self) -> int:
        return self._frame.num_rows if self._frame is not None else len(self._rows)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and self.columns == other.columns and self.data == other.data

    __hash__ = None  # type: ignore[assignment]  # mutable, like wandb's

    def __repr__(self) -> str:
        return f"<Table {len(self)} rows x {len(self.columns)} columns {self.columns}>"

    def _index_of(self, name: str) -> int:
        try:
            return self.columns.index(name)
        except ValueError:
            raise InvalidValue(f"Table: no column {name!r}; the columns are {self.columns}") from None

    def _as_rows(self) -> None:
        if self._frame is not None:
            self._rows = [list(r.values()) for r in self._frame.to_pylist()]
            self._frame = self._polars = None

    # -- storing (the media worker) ----------------------------------------------------------------------
    def prepare(self, key: str, step: int) -> Prepared:
        return self.prepare_with(key, step, _no_store)

    def prepare_with(self, key: str, step: int, store: Store) -> Prepared:
        """The Parquet file: media cells stored first through ``store``, their descriptors as JSON."""
        sink = io.BytesIO()
        if self._polars is not None:
            # The same file, written by Polars (about twice as fast), with the kinds as key-value metadata.
            kinds = {TABLE_METADATA: self._kinds_json()}
            self._polars.write_parquet(sink, compression="zstd", metadata=kinds)
            nrows = self._polars.height
        else:
            import pyarrow.parquet as pq

            arrow = self._arrow(store)
            # Dictionary pages pay off for repeated text (class names); on floats they only cost time (2x).
            text = [n for n, k in zip(self.columns, self._kinds, strict=True) if k in ("str", "mixed")]
            pq.write_table(arrow, sink, compression="zstd", use_dictionary=text)
            nrows = arrow.num_rows
        data = sink.getvalue()
        descriptor = {
            "_type": self._type,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "ncols": len(self.columns),
            "nrows": nrows,
        }
        return Prepared(descriptor=descriptor, data=data, ext="parquet", type_dir=self._dir)

    def _arrow_for_export(self) -> Any:
        return self._arrow(_no_store)

    def _arrow(self, store: Store) -> Any:
        import pyarrow as pa

        if self._frame is not None:
            arrow = self._frame
        else:
            arrays = [_column_array(pa, [row[j] for row in self._rows], kind, store)
                      for j, kind in enumerate(self._kinds)]  # fmt: skip
            arrow = pa.Table.from_arrays(arrays, names=self.columns) if arrays else pa.table({})
        meta = {TABLE_METADATA: self._kinds_json()}
        return arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), **meta})

    def _kinds_json(self) -> str:
        columns = [{"name": name, "kind": kind} for name, kind in zip(self.columns, self._kinds, strict=True)]
        return json.dumps({"version": 1, "columns": columns})


def _no_store(media: Media) -> dict[str, Any]:
    raise InvalidValue("this table holds media cells: log it with run.log() so that they are stored")


def _column_array(pa: Any, values: list[Any], kind: str, store: Store) -> Any:
    if kind.startswith("media:"):
        return pa.array([None if v is None else json.dumps(store(v), separators=(",", ":")) for v in values],
                        pa.string())  # fmt: skip
    if kind == "mixed":
        return pa.array([None if v is None else json.dumps(v, default=str) for v in values], pa.string())
    if kind == "list":
        try:
            return pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # ragged element types: each list as JSON text
            return pa.array([None if v is None else json.dumps(v, default=str) for v in values], pa.string())
    arrow_type = {"int": pa.int64(), "number": pa.float64(), "bool": pa.bool_(), "str": pa.string()}.get(kind)
    return pa.array(values, arrow_type if arrow_type is not None else pa.null())


def _is_frame(value: Any) -> bool:
    module = type(value).__module__ or ""
    return module.startswith(("pandas", "polars")) and hasattr(value, "columns")


def _arrow_of(frame: Any) -> Any:
    """A pandas or Polars frame as an Arrow table, copied now (the caller may change its frame later)."""
    import pyarrow as pa

    module = type(frame).__module__ or ""
    if module.startswith("polars"):
        return frame.to_arrow()  # Polars frames are immutable: no copy needed
    if module.startswith("pandas"):
        try:
            return pa.Table.from_pandas(frame.copy(deep=True), preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InvalidValue(
                f"Table(dataframe=...): a column could not be typed ({exc}); build the table from rows "
                "with allow_mixed_types=True, or make each column one type"
            ) from None
    raise InvalidValue(f"Table: dataframe must be a pandas or Polars DataFrame, got {describe(frame)}")


def _arrow_kind(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "number"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "str"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return "list"
    if pa.types.is_null(arrow_type):
        return "none"
    return "time" if pa.types.is_temporal(arrow_type) else "struct"
