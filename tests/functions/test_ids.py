"""Project and run ids: one pattern, the lake's, in every route and body of the OpenAPI document."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tools import openapi_snapshot
from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.core.ids import (
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_PROJECT_REF_LENGTH,
    PROJECT_REF_PATTERN,
)
from wanllmdb_functions.lake.keys import run_prefix

# The patterns ids were checked against before core/ids.py: every id stored under them stays readable.
OLD_PATTERNS = [r"^[a-z0-9]{1,64}$", r"^[a-z0-9_-]{1,64}$", r"^[A-Za-z0-9_-]+$"]
ID_NAMES = {"project_id", "run_id"}


def _id_schemas(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every parameter named like an id, and of RunCreate.id."""
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                compared = path.endswith("/config/diff") and param["name"] in ("a", "b")
                if param["name"] in ID_NAMES or compared:
                    schema = param["schema"]
                    for option in schema.get("anyOf", [schema]):
                        if option.get("type") == "string":
                            yield f"{method} {path} {param['in']} {param['name']}", option
    yield "RunCreate.id", spec["components"]["schemas"]["RunCreate"]["properties"]["id"]


def test_every_project_and_run_id_in_the_openapi_schema_uses_the_one_pattern() -> None:
    spec = json.loads(openapi_snapshot.SNAPSHOT_PATH.read_text())
    found = dict(_id_schemas(spec))
    assert len(found) > 20
    # A `{project_id}` path segment also takes `entity:name` (projects/deps.py), built on the id pattern.
    refs = {where: schema for where, schema in found.items() if where.endswith("path project_id")}
    assert refs
    for where, schema in found.items():
        expected = (
            (PROJECT_REF_PATTERN, MAX_PROJECT_REF_LENGTH) if where in refs else (ID_PATTERN, MAX_ID_LENGTH)
        )
        assert (schema["pattern"], schema["maxLength"]) == expected, where
    assert not any(old in json.dumps(spec) for old in map(json.dumps, OLD_PATTERNS))


def test_the_id_pattern_accepts_exactly_what_the_lake_keys_accept() -> None:
    pattern = re.compile(ID_PATTERN)
    for length in range(1, 5):
        for chars in itertools.product("a.Z_-/#", repeat=length):
            value = "".join(chars)
            try:
                run_prefix(value, "r")
                lake_ok = True
            except InvalidInput:
                lake_ok = False
            assert bool(pattern.match(value)) is lake_ok, value


@pytest.mark.parametrize("old", OLD_PATTERNS)
def test_ids_stored_under_an_older_pattern_still_match(old: str) -> None:
    alphabet = "".join(c for c in "abz09_-AZ" if re.fullmatch(old.replace("{1,64}", "+"), c))
    samples = [alphabet, alphabet[::-1], alphabet[0] * 64, *alphabet]
    for value in samples:
        assert re.match(old, value)
        assert re.match(ID_PATTERN, value), value


def test_a_project_reference_takes_every_id_and_entity_colon_name() -> None:
    ref, ident = re.compile(PROJECT_REF_PATTERN), re.compile(ID_PATTERN)
    for length in range(1, 4):
        for chars in itertools.product("a.Z_-", repeat=length):
            value = "".join(chars)
            if ident.match(value):
                assert ref.match(value), value
    assert ref.match("alice:mnist") and ref.match("lab/MNIST.v2")
    assert not ref.match("Alice:mnist") and not ref.match("alice:") and not ref.match("a:b:c")


def test_a_bad_id_or_project_reference_is_refused_in_words_not_as_a_regex(tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from wanllmdb_functions.core.settings import Settings
    from wanllmdb_functions.local_server import build_local_app

    app = build_local_app(Settings(data_dir=tmp_path, web_dist=tmp_path), owns_process=False)
    with TestClient(app) as client:
        key = (tmp_path / "admin-api-key").read_text().strip()
        headers = {"Authorization": f"Bearer {key}"}
        for path, field in (("/api/projects/a:b:c", "project_id"), ("/api/runs/has space", "run_id")):
            answer = client.get(path, headers=headers)
            error = answer.json()["error"]
            assert answer.status_code == 422, (path, answer.text)
            assert error["field"] == field and "^" not in error["message"], error
            assert "letters, digits" in error["message"]
