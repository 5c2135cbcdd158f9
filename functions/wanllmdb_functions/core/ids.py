"""Identifier types, declared once: every route, request body and query parameter imports these.

Ids become object-key segments and Hive partition values in the lake, so they take exactly what
`lake.keys` accepts there: 1..128 of [A-Za-z0-9_.-], except "." and "..". Every id stored under
an older, narrower pattern ([a-z0-9]{1,64} for projects, [a-z0-9_-]{1,64} for runs) matches it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

__all__ = [
    "ENTITY_NAME_PATTERN",
    "ID_PATTERN",
    "MAX_ID_LENGTH",
    "MAX_PROJECT_REF_LENGTH",
    "PATTERN_WORDS",
    "PROJECT_NAME_PATTERN",
    "PROJECT_REF_PATTERN",
    "ProjectId",
    "RunId",
    "SweepId",
]

MAX_ID_LENGTH = 128
# [A-Za-z0-9_.-]+ that is not "." or "..", written without look-ahead, which pydantic's Rust regex
# engine does not support: a first character other than '.', or '.' then a non-dot, or '..' then
# anything. The length bound is the StringConstraints' max_length.
ID_PATTERN = r"^(?:[A-Za-z0-9_-]|\.[A-Za-z0-9_-]|\.\.[A-Za-z0-9_.-])[A-Za-z0-9_.-]*$"

_Id = StringConstraints(min_length=1, max_length=MAX_ID_LENGTH, pattern=ID_PATTERN)
ProjectId = Annotated[str, _Id]
RunId = Annotated[str, _Id]
SweepId = Annotated[str, _Id]  # sweeps and their agents (server-made; wandb's 8-character ids match too)

# Users, organizations and teams appear in URLs and lake paths: lowercase and a safe set.
ENTITY_NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,127}$"
PROJECT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
# Where a route takes a project, it takes its id or `entity:name` (`entity/name` too, where no
# router decodes the slash first). Neither entity names, project names nor ids contain ':'.
PROJECT_REF_PATTERN = rf"^(?:{ID_PATTERN[1:-1]}|{ENTITY_NAME_PATTERN[1:-1]}[:/]{PROJECT_NAME_PATTERN[1:-1]})$"
MAX_PROJECT_REF_LENGTH = 2 * MAX_ID_LENGTH + 1

_ID_WORDS = "1-128 of letters, digits, '_', '-' and '.', and not '.' or '..'"
# What each pattern means, in words, as (what it names, how to write one): a client shown a raw regex
# has to decode it to fix its input. app/http_errors.py turns a pattern mismatch into this sentence.
PATTERN_WORDS: dict[str, tuple[str, str]] = {
    ID_PATTERN: ("id", f"use {_ID_WORDS}"),
    ENTITY_NAME_PATTERN: (
        "user, organization or team name",
        "use lowercase letters, digits, '_', '.' and '-' (starting with a letter or digit), "
        "at most 128 characters",
    ),
    PROJECT_NAME_PATTERN: (
        "project name",
        "use letters, digits, '_', '.' and '-' (starting with a letter or digit), at most 128 characters",
    ),
    PROJECT_REF_PATTERN: ("project", f"give a project id ({_ID_WORDS}) or entity:name, e.g. alice:mnist"),
}
