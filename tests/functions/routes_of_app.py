"""The (method, path template) pairs an app really mounts, including routes hidden from OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI


def _walk(routes: list[Any]) -> Iterator[tuple[str, str]]:
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # an included router (FastAPI >= 0.160)
            for context in route.effective_route_contexts():
                for method in getattr(context.original_route, "methods", None) or ():
                    yield method, context.path_format
        elif hasattr(route, "routes") and hasattr(route, "path") and route.routes:
            yield from ((m, route.path + p) for m, p in _walk(route.routes))
        else:
            for method in getattr(route, "methods", None) or ():
                yield method, route.path


def mounted_api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every API route: HEAD duplicates of GET are left out, as are non-API routes (the web app)."""
    return {(m, p) for m, p in _walk(list(app.routes)) if p.startswith("/api/") and m != "HEAD"}
