"""Read-only SQL over the lake with Polars SQL: a `metrics` table and a `runs` table.

The caller never names a file: the service registers exactly the tables it built from the
projects the caller may read. Polars SQL can also read files by itself (`read_parquet(...)`),
so a query must be one SELECT and must not call any table function.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..core.errors import InvalidInput, TooLarge

__all__ = ["MAX_SQL_ROWS", "SqlResult", "check_read_only", "run_sql"]

MAX_SQL_ROWS = 10_000
MAX_SQL_CHARS = 20_000

_STRINGS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_WRITES = re.compile(
    r"\b(insert|update|delete|merge|create|drop|alter|truncate|copy|attach|detach|grant|revoke|"
    r"install|load|pragma|set|call|export|import|replace|vacuum)\b",
    re.IGNORECASE,
)
_FILE_FUNCTIONS = re.compile(r"\b(read|scan)_[a-z_]+\s*\(", re.IGNORECASE)


def check_read_only(query: str) -> str:
    """The query as given, or InvalidInput naming why it cannot run."""
    if not query.strip():
        raise InvalidInput("query is empty: write one SELECT statement", field="query")
    if len(query) > MAX_SQL_CHARS:
        raise InvalidInput(f"query is over {MAX_SQL_CHARS} characters", field="query")
    bare = _COMMENTS.sub(" ", _STRINGS.sub("''", query)).strip().rstrip(";").strip()
    if ";" in bare:
        raise InvalidInput("only one statement is allowed (found ';' between statements)", field="query")
    first = bare.split(None, 1)[0].lower() if bare else ""
    if first not in ("select", "with"):
        raise InvalidInput("only read-only SELECT (or WITH ... SELECT) queries are allowed", field="query")
    if match := _WRITES.search(bare):
        raise InvalidInput(f"read-only SQL: '{match.group(1).upper()}' is not allowed", field="query")
    if match := _FILE_FUNCTIONS.search(bare):
        name = match.group(0).rstrip("( ")
        raise InvalidInput(
            f"'{name}' reads outside the lake: query the metrics and runs tables instead", field="query"
        )
    return query.strip().rstrip(";")


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    warnings: list[str] = field(default_factory=list)


def _collect(frame: pl.LazyFrame, timeout_s: float) -> pl.DataFrame:
    # Polars cannot be interrupted from Python, but a background query can be cancelled.
    pending = frame.collect(background=True)
    deadline = time.monotonic() + timeout_s
    while True:
        result = pending.fetch()
        if result is not None:
            return result
        if time.monotonic() > deadline:
            pending.cancel()
            raise TooLarge(
                f"query ran over the {timeout_s:g} s limit: filter by run or key, or aggregate",
                field="query",
            )
        time.sleep(0.002)


def run_sql(query: str, *, tables: dict[str, pl.LazyFrame], limit: int, timeout_s: float) -> SqlResult:
    sql = check_read_only(query)
    if not 1 <= limit <= MAX_SQL_ROWS:
        raise InvalidInput(f"limit must be 1..{MAX_SQL_ROWS}", field="limit")
    context = pl.SQLContext(frames=tables, eager=False)
    try:
        plan = context.execute(sql).limit(limit + 1)
        frame = _collect(plan, timeout_s)
    except pl.exceptions.ComputeError:
        raise  # possibly a corrupt object: the caller retries reading object by object
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        # Any other Polars failure is about the query text (unknown table or column, bad types).
        raise InvalidInput(f"SQL error: {exc}", field="query") from None
    truncated = frame.height > limit
    frame = frame.head(limit)
    rows = [list(row) for row in frame.rows()]
    return SqlResult(list(frame.columns), rows, truncated)
