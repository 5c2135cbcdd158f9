"""Where a run's objects live in the lake: keys come from `schemas/lake_schema.json` `layout`, never copies.

Besides the lake layout, a run's config versions that are too large for an item live under
`configs/project=<p>/run=<r>/` so that deleting a run removes them with the rest.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

__all__ = [
    "chunk_key",
    "config_blob_key",
    "lake_layout",
    "path_key",
    "run_prefixes",
]


def _find_schema() -> Path:
    # In the repo the package sits at functions/wanllmdb_functions, so schemas/ is three levels up; in a
    # Lambda bundle (infra_cdk/bundle.py) it sits at /var/task/wanllmdb_functions beside /var/task/schemas.
    here = Path(__file__).resolve()
    candidates = [root / "schemas" / "lake_schema.json" for root in (here.parents[3], here.parents[2])]
    return next((c for c in candidates if c.is_file()), candidates[0])


SCHEMA_PATH = _find_schema()
CONFIG_TEMPLATE = "configs/project={project}/run={run}/v{version:06d}.json"


@functools.cache
def lake_layout() -> dict[str, str]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return {k: v for k, v in schema["layout"].items() if isinstance(v, str)}


def _prefix(template: str, project: str, run: str) -> str:
    # Everything up to the first placeholder after {run}, cut back to a whole path segment.
    head = template.replace("{project}", project).replace("{run}", run)
    cut = head.find("{")
    return head if cut < 0 else head[: head.rfind("/", 0, cut) + 1]


def run_prefixes(project: str, run: str) -> list[str]:
    """Every blob prefix that holds objects of this run, lake and config versions alike."""
    templates = [*lake_layout().values(), CONFIG_TEMPLATE]
    return sorted({_prefix(t, project, run) for t in templates})


def chunk_key(kind: str, *, project: str, run: str, attempt: int, seq: int) -> str:
    """Deterministic per chunk: a retried upload overwrites the same object and never duplicates."""
    layout = lake_layout()
    if kind == "logs":
        return layout["log_chunk"].format(project=project, run=run, attempt=attempt, seq=seq)
    return layout["metric_chunk"].format(project=project, run=run, stream=kind, attempt=attempt, seq=seq)


def path_key(kind: str, *, project: str, run: str, path: str) -> str:
    return lake_layout()[kind].format(project=project, run=run, path=path)


def config_blob_key(*, project: str, run: str, version: int) -> str:
    return CONFIG_TEMPLATE.format(project=project, run=run, version=version)
