"""history()'s default frame: pandas when importable, else Polars, else Arrow; never an error (issue 13)."""

from __future__ import annotations

import sys
import types

import polars as pl
import pyarrow as pa
import pytest

import wanllmdb
from wanllmdb.api import _frames

TABLE = pa.table({"_step": [0, 1], "loss": [1.0, 0.5]})


def test_without_pandas_the_default_is_polars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError, installed or not
    frame = _frames.to_frame(TABLE, "auto")
    assert isinstance(frame, pl.DataFrame) and frame["loss"].to_list() == [1.0, 0.5]


def test_with_pandas_importable_the_default_is_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", types.ModuleType("pandas"))
    monkeypatch.setattr(_frames, "_to_pandas", lambda table: ("a pandas frame", table.num_rows))
    assert _frames.to_frame(TABLE, "auto") == ("a pandas frame", 2)


def test_with_neither_library_the_default_is_the_arrow_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    assert _frames.to_frame(TABLE, "auto") is TABLE


def test_asking_for_pandas_by_name_still_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(wanllmdb.UsageError, match="pip install pandas"):
        _frames.to_frame(TABLE, "pandas")
