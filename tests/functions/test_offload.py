"""One thread hand-off per request: under 50 concurrent clients each hand-off waited for the GIL
behind every other request thread, and a heartbeat paid four of them."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import anyio.to_thread
import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from wanllmdb_functions.app.offload import OneHopRoute, store_read
from wanllmdb_functions.ports import ItemStore
from wanllmdb_functions.services import SERVICE_ROUTERS


class Answer(BaseModel):
    thread: str


def _counting_hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    hops: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return hops


def test_a_sync_endpoint_runs_off_the_loop_in_one_hop_and_its_response_is_still_validated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/answer", response_model=Answer)
    def answer() -> dict[str, str]:
        return {"thread": threading.current_thread().name, "secret": "not in the model"}

    app = FastAPI()
    app.include_router(router)
    hops = _counting_hops(monkeypatch)

    async def ask() -> tuple[dict[str, str], str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/answer")).json(), threading.current_thread().name

    body, loop_thread = asyncio.run(ask())
    assert body["thread"] != loop_thread  # ran in the pool, not on the loop
    assert "secret" not in body  # the response model still shaped the answer
    assert len(hops) == 1 and "answer" in hops[0]


def test_fastapi_alone_hops_twice_for_the_same_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    """What OneHopRoute saves: the endpoint's hop, then one more to validate its response."""
    router = APIRouter()

    @router.get("/answer", response_model=Answer)
    def answer() -> dict[str, str]:
        return {"thread": threading.current_thread().name}

    app = FastAPI()
    app.include_router(router)
    hops = _counting_hops(monkeypatch)

    async def ask() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            (await client.get("/answer")).raise_for_status()

    asyncio.run(ask())
    assert len(hops) == 2


class _Store:
    def __init__(self, fast: bool) -> None:
        self.fast_reads = fast

    def read(self) -> str:
        return threading.current_thread().name


def test_a_dependency_reads_a_fast_store_on_the_loop_and_any_other_store_in_the_pool() -> None:
    fast, remote = _Store(True), _Store(False)

    async def threads() -> tuple[str, str, str]:
        on_fast = await store_read(fast, fast.read)  # type: ignore[arg-type]
        on_remote = await store_read(remote, remote.read)  # type: ignore[arg-type]
        return threading.current_thread().name, on_fast, on_remote

    loop_thread, on_fast, on_remote = asyncio.run(threads())
    assert on_fast == loop_thread
    assert on_remote != loop_thread


def test_every_service_route_takes_one_hop() -> None:
    """A router created without `route_class=OneHopRoute` would quietly hop twice per request."""
    plain = [
        f"{sorted(route.methods)} {route.path}"
        for router in SERVICE_ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and not isinstance(route, OneHopRoute)
    ]
    assert plain == []


def test_only_the_sqlite_store_reads_on_the_loop() -> None:
    from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
    from wanllmdb_functions.adapters.postgres_items import PostgresItemStore
    from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore

    assert SqliteItemStore.fast_reads
    assert not PostgresItemStore.fast_reads and not DynamoItemStore.fast_reads
    assert not ItemStore.fast_reads
