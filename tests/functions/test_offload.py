"""One thread hand-off per request, or none beside a local store: under 50 concurrent clients each
hand-off waited for the GIL behind every other request thread, and a heartbeat paid four of them."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import anyio.to_thread
import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import Match

from wanllmdb_functions.app.offload import OneHopRoute, store_bound, store_bound_unless, store_call
from wanllmdb_functions.app.routing import ServiceRouter, literal_heads
from wanllmdb_functions.app.storage import Storage, build_storage
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.ports import ItemStore
from wanllmdb_functions.services import SERVICE_ROUTERS


def _run(coroutine: Any) -> Any:
    """As asyncio.run, but leaves the thread's loop policy alone: asyncio.run ends by unsetting the
    current loop, and the Lambda handlers' tests that may follow in this worker drive Mangum, which
    asks for it."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


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

    body, loop_thread = _run(ask())
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

    _run(ask())
    assert len(hops) == 2


async def _threads_of(app: FastAPI, path: str) -> tuple[dict[str, Any], str]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get(path)
        response.raise_for_status()
        return response.json(), threading.current_thread().name


async def dependency_value() -> str:
    return "from a dependency"


def _store_bound_app(local_files: bool) -> FastAPI:
    router = APIRouter(route_class=OneHopRoute)

    @router.get("/sized/{n}", response_model=Answer)
    @store_bound_unless(lambda arguments: arguments["n"] > 100)
    def sized(n: int) -> dict[str, str]:
        return {"thread": threading.current_thread().name}

    @router.get("/answer/{n}", response_model=Answer)
    @store_bound
    def answer(
        n: int, dep: Annotated[str, Depends(dependency_value)], q: Annotated[str, Query()] = "x"
    ) -> dict[str, str]:
        return {"thread": f"{threading.current_thread().name}|{n}|{dep}|{q}", "secret": "not in the model"}

    app = FastAPI()
    app.include_router(router)
    app.state.wl = SimpleNamespace(storage=SimpleNamespace(local_files=local_files))
    return app


def test_a_store_bound_endpoint_runs_on_the_loop_beside_local_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    hops = _counting_hops(monkeypatch)
    body, loop_thread = _run(_threads_of(_store_bound_app(local_files=True), "/answer/7?q=y"))
    thread, n, dep, q = body["thread"].split("|")
    assert thread == loop_thread and hops == []
    # Its parameters, dependencies and response model work as on any route.
    assert (n, dep, q) == ("7", "from a dependency", "y") and "secret" not in body


def test_a_store_bound_endpoint_takes_one_hop_beside_remote_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    hops = _counting_hops(monkeypatch)
    body, loop_thread = _run(_threads_of(_store_bound_app(local_files=False), "/answer/7"))
    assert body["thread"].split("|")[0] != loop_thread
    assert len(hops) == 1


def test_a_call_its_endpoint_calls_heavy_takes_its_hop_even_beside_local_stores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A listing of 100,000 runs on the loop would hold every other request up for a quarter second."""
    hops = _counting_hops(monkeypatch)
    app = _store_bound_app(local_files=True)
    small, loop_thread = _run(_threads_of(app, "/sized/5"))
    assert small["thread"] == loop_thread and hops == []
    large, loop_thread = _run(_threads_of(app, "/sized/500"))
    assert large["thread"] != loop_thread and len(hops) == 1


def test_a_store_bound_endpoint_keeps_its_public_signature() -> None:
    """The request the route adds for itself is not a parameter clients see."""
    schema = _store_bound_app(local_files=True).openapi()
    params = {p["name"] for p in schema["paths"]["/answer/{n}"]["get"]["parameters"]}
    assert params == {"n", "q"}


def test_only_sqlite_beside_a_lake_folder_counts_as_local_files(tmp_path: Path) -> None:
    local = build_storage(Settings(data_dir=tmp_path / "data"))
    assert local.local_files
    assert not Storage(local.items, local.blobs, "local").local_files  # the default is the safe one


class _Store:
    def __init__(self, fast: bool) -> None:
        self.fast_calls = fast

    def read(self) -> str:
        return threading.current_thread().name


def test_a_dependency_reads_a_fast_store_on_the_loop_and_any_other_store_in_the_pool() -> None:
    fast, remote = _Store(True), _Store(False)

    async def threads() -> tuple[str, str, str]:
        on_fast = await store_call(fast, fast.read)  # type: ignore[arg-type]
        on_remote = await store_call(remote, remote.read)  # type: ignore[arg-type]
        return threading.current_thread().name, on_fast, on_remote

    loop_thread, on_fast, on_remote = _run(threads())
    assert on_fast == loop_thread
    assert on_remote != loop_thread


def test_every_service_route_takes_one_hop() -> None:
    """A router created as a plain APIRouter would quietly hop twice per request."""
    assert all(isinstance(router, ServiceRouter) for router in SERVICE_ROUTERS)
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

    assert SqliteItemStore.fast_calls
    assert not PostgresItemStore.fast_calls and not DynamoItemStore.fast_calls
    assert not ItemStore.fast_calls


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", "/api" + path)


def test_a_service_router_turns_away_only_paths_none_of_its_routes_can_match() -> None:
    for router in SERVICE_ROUTERS:
        heads = literal_heads(router.routes)
        assert heads is not None, "a service route starts with a path parameter: the router is never skipped"
        for route in router.routes:
            path = _concrete(route.path)  # type: ignore[attr-defined]
            scope = {"type": "http", "path": path, "method": "GET"}
            assert any(head in path for head in heads), path
            # It then matches as FastAPI alone would (not included in an app here: no match at all).
            assert router.matches(scope) == APIRouter.matches(router, scope)
    runs = next(r for r in SERVICE_ROUTERS if "/runs/{run_id}/heartbeat" in {x.path for x in r.routes})  # type: ignore[attr-defined]
    assert literal_heads(runs.routes) == ("/projects", "/runs")
    assert runs.matches({"type": "http", "path": "/api/reports/r1", "method": "GET"})[0] is Match.NONE


def test_a_router_with_a_leading_path_parameter_is_never_skipped() -> None:
    router = ServiceRouter()

    @router.get("/{anything}")
    async def anything(anything: str) -> str:
        return anything

    assert literal_heads(router.routes) is None


def test_the_app_answers_each_route_as_before_with_routers_skipped(tmp_path: Path) -> None:
    """Skipping routers changes no answer: every route of the real app is still reached (405 for a
    method it does not take proves the path matched; 404 would mean a router was wrongly skipped)."""
    from fastapi.testclient import TestClient

    from wanllmdb_functions.local_server import build_local_app

    # No dashboard: its catch-all GET route would answer 405 for any path a skipped router left over.
    settings = Settings(data_dir=tmp_path / "data", web_dist=tmp_path / "no-web")
    app = build_local_app(settings, owns_process=False)
    with TestClient(app) as client:
        for router in SERVICE_ROUTERS:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    continue
                answer = client.request("TRACE", _concrete(route.path))
                assert answer.status_code == 405, (route.path, answer.status_code)
