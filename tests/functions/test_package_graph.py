"""One fact, one home: checks on the source tree that the layer contract (pyproject.toml
[tool.importlinter], run by `make lint`) cannot express."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import wanllmdb_functions
from wanllmdb_functions.lake.keys import lake_layout, top_level_prefixes

PACKAGE = Path(wanllmdb_functions.__file__).parent


def _string_constants(path: Path) -> list[tuple[int, str]]:
    """String literals of a module, docstrings left out (they may describe a key's shape)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_only_the_lake_package_spells_a_lake_key() -> None:
    # A lake key is a top-level folder followed by a Hive partition, e.g. "metrics/project=".
    folders = "|".join(re.escape(p.rstrip("/")) for p in top_level_prefixes())
    key_text = re.compile(rf"(^|[^A-Za-z0-9_])({folders})/(project|run|stream)=")
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {text!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.parent.name != "lake"
        for line, text in _string_constants(path)
        if key_text.search(text)
    ]
    assert offenders == [], "format lake keys in wanllmdb_functions/lake/keys.py:\n" + "\n".join(offenders)


def test_every_layout_template_lives_under_a_known_top_level_folder() -> None:
    assert set(top_level_prefixes()) == {t.split("/", 1)[0] + "/" for t in lake_layout().values()}
    # Run-scoped templates put {project} before {run}, so a run's objects sit under one prefix.
    for name, template in lake_layout().items():
        if "{run}" in template:
            assert template.index("{project}") < template.index("{run}"), name
