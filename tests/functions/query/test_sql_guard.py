"""The SQL guard decides from a parse tree: every bypass attempt is refused naming `query`, and what
runs is SQL generated from the checked tree, reading registered tables only."""

from __future__ import annotations

import pytest

from tests.functions.query.sql_attacks import ATTACKS
from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.sql.guard import MAX_SQL_CHARS, check_query

TABLES = ("metrics", "runs")


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_bypass_attempt_is_refused_naming_the_query(attack: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_query(attack.format(secret="/etc/passwd"), TABLES)
    assert refused.value.field == "query" and refused.value.message


@pytest.mark.parametrize(
    ("query", "tables"),
    [
        ("SELECT key, max(value) FROM metrics GROUP BY key", {"metrics"}),
        ("select * from METRICS m join Runs r on m.run = r.run", {"metrics", "runs"}),
        (
            "WITH last AS (SELECT run, max(step) AS s FROM metrics GROUP BY run) SELECT * FROM last",
            {"metrics"},
        ),
        ("SELECT \"config.lr\" FROM runs WHERE state = 'finished';", {"runs"}),
        ("SELECT 1 AS one", set()),
        ("SELECT * FROM (SELECT run FROM metrics) AS sub", {"metrics"}),
    ],
)
def test_ordinary_queries_pass_and_name_the_tables_they_read(query: str, tables: set[str]) -> None:
    checked = check_query(query, TABLES)
    assert checked.tables == tables
    # What runs is generated from the tree: it parses again to the same tables.
    assert check_query(checked.sql, TABLES).tables == tables


def test_the_engine_runs_generated_sql_so_comments_never_reach_it() -> None:
    checked = check_query("SELECT step /* ' */ FROM metrics -- read_csv('x')", TABLES)
    assert "read_csv" not in checked.sql and "/*" not in checked.sql


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("SELECT 1 FROM", "could not be parsed"),
        ("SELECT * FROM nope", "unknown table 'nope'"),
        ("SELECT 1 AS a; SELECT 2 AS b", "only one statement"),
        ("x" * (MAX_SQL_CHARS + 1), f"{MAX_SQL_CHARS}"),
        ("SELECT " + "(" * 5000 + "1" + ")" * 5000, "nested too deeply"),
    ],
)
def test_bad_queries_get_a_message_that_says_why(query: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_query(query, TABLES)
    assert says in refused.value.message and refused.value.field == "query"
