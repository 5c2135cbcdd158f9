"""Where a request's blocking work runs: one hand-off to a worker thread per request, not four.

Each hand-off to the thread pool and back costs a thread wake-up on both sides and a GIL hand-over,
and under 50 concurrent clients the GIL hand-overs queue behind every other request thread: with
authentication, a path dependency, the endpoint and the response validation each hopping, a heartbeat
paid four of them. So:

- `OneHopRoute` runs a plain `def` endpoint in the pool once and validates its response back on the
  event loop (FastAPI validates a sync endpoint's response in a second hop of its own);
- `store_read` runs the item-store reads of a dependency (who is calling, which project a path
  names) on the event loop when the store says its reads answer in microseconds without waiting on
  a writer (`ItemStore.fast_reads`: SQLite in WAL mode), and in the pool otherwise (PostgreSQL and
  DynamoDB reads cross the network).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from ..ports import ItemStore

__all__ = ["OneHopRoute", "store_read"]

P = ParamSpec("P")
T = TypeVar("T")


async def store_read(items: ItemStore, read: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`read(*args, **kwargs)`, which only reads `items` (an hourly bookkeeping write aside)."""
    if items.fast_reads:
        return read(*args, **kwargs)
    return await run_in_threadpool(read, *args, **kwargs)


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the signature and annotations through __wrapped__
    async def hop(**values: Any) -> Any:
        return await run_in_threadpool(endpoint, **values)

    return hop


class OneHopRoute(APIRoute):
    """An API route whose plain `def` endpoint runs in the thread pool in one hop, with its response
    validated on the event loop. Generator endpoints (streamed responses) keep FastAPI's own path."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        plain = not (
            inspect.iscoroutinefunction(endpoint)
            or inspect.isgeneratorfunction(endpoint)
            or inspect.isasyncgenfunction(endpoint)
        )
        super().__init__(path, _in_one_hop(endpoint) if plain else endpoint, **kwargs)
