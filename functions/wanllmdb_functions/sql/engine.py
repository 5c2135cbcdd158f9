"""Runs checked SQL over registered frames with Polars SQL: a `metrics` table and a `runs` table.

The caller never names a file: the service registers exactly the tables it built from the
projects the caller may read, and runs only SQL that `sql_guard.check_query` generated from a
checked parse tree (Polars SQL can read files through table functions; that tree has none).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ..core.errors import InvalidInput, TooLarge
from .guard import CheckedQuery

__all__ = ["MAX_SQL_ROWS", "SqlResult", "run_sql"]

MAX_SQL_ROWS = 10_000


@dataclass
class SqlResult:
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    warnings: list[str] = field(default_factory=list)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:500]


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


def run_sql(
    query: CheckedQuery, *, tables: dict[str, pl.LazyFrame], limit: int, timeout_s: float
) -> SqlResult:
    if not 1 <= limit <= MAX_SQL_ROWS:
        raise InvalidInput(f"limit must be 1..{MAX_SQL_ROWS}", field="limit")
    missing = query.tables - tables.keys()
    if missing:
        raise AssertionError(f"tables not registered: {sorted(missing)}")
    # Only the frames the query reads: nothing else is resolvable by name.
    context = pl.SQLContext(frames={name: tables[name] for name in query.tables}, eager=False)
    try:
        plan = context.execute(query.sql).limit(limit + 1)
        frame = _collect(plan, timeout_s)
    except pl.exceptions.ComputeError:
        raise  # possibly a corrupt object: the caller retries reading object by object
    except TooLarge:
        raise
    except (Exception, pl.exceptions.PanicException) as exc:
        # Anything else the engine raises is about the query (unknown column, bad types, an
        # unsupported function): the caller's to fix, never a server error.
        raise InvalidInput(f"SQL error: {_first_line(exc)}", field="query") from None
    truncated = frame.height > limit
    frame = frame.head(limit)
    rows = [list(row) for row in frame.rows()]
    return SqlResult(list(frame.columns), rows, truncated)
