"""Where a request's blocking work runs: on the event loop when it only calls a local store, else in
one hand-off to a worker thread, never four.

Each hand-off to the thread pool and back costs a thread wake-up on both sides and a GIL hand-over,
and under 50 concurrent clients the GIL hand-overs queue behind every other request thread: with
authentication, a path dependency, the endpoint and the response validation each hopping, a heartbeat
paid four. So:

- `OneHopRoute` runs a plain `def` endpoint in the pool once and validates its response back on the
  event loop (FastAPI validates a sync endpoint's response in a second hop of its own);
- an endpoint marked `@store_bound` (its blocking work is calls on the item and blob stores and
  nothing else) runs on the event loop itself, without any hand-off, when both stores are files on
  this machine (`Storage.local_files`: SQLite in WAL mode and the lake folder). A worker thread buys
  nothing there: the GIL lets one thread run Python at a time, and the hand-offs were half of such a
  request's cost under load. Against PostgreSQL, DynamoDB or a cloud bucket it takes its one hop;
- `store_call` does the same for a dependency's store calls (who is calling, which project a path
  names) and for the audit line written after a response.

Endpoints that read the metric lake, encode files or call other services stay in the pool: on the
loop they would hold up every other request while Polars or the network works.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from ..ports import ItemStore

if TYPE_CHECKING:
    from .state import AppState

__all__ = ["OneHopRoute", "store_bound", "store_bound_unless", "store_call"]

P = ParamSpec("P")
T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
# Given an endpoint's arguments, whether this call is too big to run on the event loop.
Heavy = Callable[[dict[str, Any]], bool]

_STORE_BOUND = "__wanllmdb_store_bound__"
# The request, added to a store-bound endpoint's signature so the route can see the app's store;
# a name no endpoint parameter uses.
_REQUEST = "wanllmdb_offload_request_"


async def store_call(items: ItemStore, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`call(*args, **kwargs)`, whose blocking work is calls on `items` alone."""
    if items.fast_calls:
        return call(*args, **kwargs)
    return await run_in_threadpool(call, *args, **kwargs)


def store_bound(endpoint: F) -> F:
    """Marks a plain `def` endpoint whose blocking work is calls on the item and blob stores, each
    bounded (no listing of a whole bucket, no lake query), and nothing else."""
    setattr(endpoint, _STORE_BOUND, _never)
    return endpoint


def store_bound_unless(heavy: Heavy) -> Callable[[F], F]:
    """As `store_bound`, for an endpoint whose work grows with what it reads (a listing of every run
    of a project): `heavy(arguments)` tells a call too big to hold up every other request while it
    runs, and that call takes its one hop to the pool, where the GIL still lets others in between."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _STORE_BOUND, heavy)
        return endpoint

    return mark


def _never(_: dict[str, Any]) -> bool:
    return False


def _in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(endpoint)  # FastAPI reads the signature and annotations through __wrapped__
    async def hop(**values: Any) -> Any:
        return await run_in_threadpool(endpoint, **values)

    return hop


def _beside_the_store(endpoint: Callable[..., Any], heavy: Heavy) -> Callable[..., Any]:
    @functools.wraps(endpoint)
    async def call(**values: Any) -> Any:
        request: Request = values.pop(_REQUEST)
        state: AppState = request.app.state.wl
        if state.storage.local_files and not heavy(values):
            return endpoint(**values)
        return await run_in_threadpool(endpoint, **values)

    try:
        signature = inspect.signature(endpoint, eval_str=True)
    except NameError:  # an annotation imported for type checkers only: FastAPI resolves the rest
        signature = inspect.signature(endpoint)
    asks_request = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    call.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), asks_request]
    )
    return call


class OneHopRoute(APIRoute):
    """An API route whose plain `def` endpoint runs in the thread pool in one hop (or on the loop, when
    it is `@store_bound` and the store is local), with its response validated on the event loop.
    Generator endpoints (streamed responses) keep FastAPI's own path."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        plain = not (
            inspect.iscoroutinefunction(endpoint)
            or inspect.isgeneratorfunction(endpoint)
            or inspect.isasyncgenfunction(endpoint)
        )
        heavy = getattr(endpoint, _STORE_BOUND, None)
        if plain and heavy is not None:
            endpoint = _beside_the_store(endpoint, heavy)
        elif plain:
            endpoint = _in_one_hop(endpoint)
        super().__init__(path, endpoint, **kwargs)
