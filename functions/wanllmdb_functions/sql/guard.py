"""Decides, from a parse tree, whether a SQL text may run over the lake, and rewrites it to what runs.

Safety never depends on reading the text: sqlglot parses it into a tree, the tree is checked
(one SELECT, every table a registered one or a CTE of the query, no table functions, no file or
statement nodes), and the engine runs SQL *generated from that checked tree*, so what the engine
parses is what was checked, whatever comments, quotes or case the caller wrote.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from ..core.errors import InvalidInput

__all__ = ["MAX_SQL_CHARS", "CheckedQuery", "check_query"]

MAX_SQL_CHARS = 20_000
_MAX_NODES = 20_000
# The dialect sqlglot reads and writes: closest to the Polars SQL that executes the query.
_DIALECT = "duckdb"

# Statements and clauses that change state, reach outside the query, or run another statement.
_REFUSED_NODES: tuple[type[exp.Expr], ...] = (
    exp.DDL,
    exp.DML,
    exp.Command,
    exp.Into,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Describe,
    exp.Show,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Attach,
    exp.Detach,
    exp.Install,
    exp.LoadData,
    exp.Cache,
    exp.Uncache,
    exp.Refresh,
    exp.Analyze,
    exp.Export,
    exp.Summarize,
    exp.Declare,
    exp.Grant,
    exp.Revoke,
    exp.Execute,
    exp.Kill,
    exp.Lateral,
    exp.TableFromRows,
)
_FILE_FUNCTIONS: tuple[type[exp.Expr], ...] = (exp.ReadCSV, exp.ReadParquet)
# Engine functions that read files, URLs, settings or the environment, by their parsed name; a name
# sqlglot does not know parses as `Anonymous`, so the check holds for engines' own additions too.
_FILE_FUNCTION_PREFIXES = ("read_", "scan_", "sniff_")
_FILE_FUNCTION_NAMES = frozenset(
    {
        "glob",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "iceberg_scan",
        "delta_scan",
        "sqlite_scan",
        "postgres_scan",
        "mysql_scan",
        "query",
        "query_table",
        "getenv",
        "current_setting",
        "load_extension",
        "duckdb_settings",
        "duckdb_extensions",
    }
)
# sqlglot logs the text of statements it parses as a bare Command; refused queries need no log line.
logging.getLogger("sqlglot").setLevel(logging.ERROR)

_SOURCES: tuple[type[exp.Expr], ...] = (exp.Table, exp.Subquery, exp.Values)


@dataclass(frozen=True)
class CheckedQuery:
    """SQL generated from a checked tree, and the registered tables it reads."""

    sql: str
    tables: frozenset[str]


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, field="query")


def _parse(text: str) -> exp.Expr:
    if not text.strip():
        raise _refuse("query is empty: write one SELECT statement")
    if len(text) > MAX_SQL_CHARS:
        raise _refuse(f"query is over {MAX_SQL_CHARS} characters")
    try:
        statements = [s for s in sqlglot.parse(text, read=_DIALECT) if s is not None]
    except RecursionError:
        raise _refuse("SQL is nested too deeply to parse: flatten it or use a CTE") from None
    except (SqlglotError, ValueError) as exc:
        raise _refuse(f"SQL could not be parsed: {str(exc).splitlines()[0][:300]}") from None
    if len(statements) != 1:
        raise _refuse(f"only one statement is allowed: write exactly one SELECT (found {len(statements)})")
    return statements[0]


def _function_name(node: exp.Func) -> str:
    name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
    return name.lower()


def _reads_outside(node: exp.Func) -> bool:
    name = _function_name(node)
    return (
        isinstance(node, _FILE_FUNCTIONS)
        or name.startswith(_FILE_FUNCTION_PREFIXES)
        or name in _FILE_FUNCTION_NAMES
    )


def _cte_names(tree: exp.Expr) -> set[str]:
    return {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}


def _registered(table: exp.Table, registered: dict[str, str], ctes: set[str]) -> str | None:
    """The registered name `table` reads (None for a CTE of the query), or InvalidInput."""
    if not isinstance(table.this, exp.Identifier):
        raise _refuse(
            "table functions read outside the lake and are not allowed: query the registered tables "
            f"{', '.join(sorted(registered))}"
        )
    if table.args.get("db") or table.args.get("catalog"):
        raise _refuse(f"'{table.sql(_DIALECT)}': name a table without a schema or catalog")
    identifier = table.this
    # A CTE is the query's own subquery, itself checked here; whichever the engine picks, it reads
    # nothing that is not registered.
    if identifier.this.lower() in ctes:
        return None
    name = identifier.this if identifier.quoted else identifier.this.lower()
    canonical = registered.get(name)
    if canonical is None:
        raise _refuse(f"unknown table '{identifier.this}': the tables are {', '.join(sorted(registered))}")
    # Rewritten to the registered spelling, so the engine resolves exactly this frame.
    table.set("this", exp.to_identifier(canonical))
    return canonical


def check_query(text: str, registered: Collection[str]) -> CheckedQuery:
    """The SQL to execute and the tables it reads, or InvalidInput naming what is refused and why."""
    tree = _parse(text)
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise _refuse(f"only a read-only SELECT is allowed, not {tree.key.upper()}")
    names = {name: name for name in registered}
    ctes = _cte_names(tree)
    used: set[str] = set()
    for count, node in enumerate(tree.walk()):
        if count > _MAX_NODES:
            raise _refuse("query is too complex: split it or aggregate in fewer expressions")
        if isinstance(node, _REFUSED_NODES):
            raise _refuse(f"'{node.key.upper()}' is not allowed: the SQL endpoint only reads")
        if isinstance(node, exp.Func) and _reads_outside(node):
            raise _refuse(
                f"'{_function_name(node)}' reads outside the lake: query the registered tables "
                f"{', '.join(sorted(names))}"
            )
        if isinstance(node, exp.From | exp.Join) and not isinstance(node.this, _SOURCES):
            raise _refuse(f"'{node.this.sql(_DIALECT)[:80]}' cannot be a source: read a table or a subquery")
        if isinstance(node, exp.Table) and (name := _registered(node, names, ctes)) is not None:
            used.add(name)
    # Comments are dropped: the engine must see nothing that was not checked, not even in a comment.
    return CheckedQuery(tree.sql(dialect=_DIALECT, comments=False), frozenset(used))
