"""The embedded server: every service router, the blob endpoint and the dashboard in one process."""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

from .app.state import API_PREFIX, AppState
from .apps import create_app
from .blobs.routes import router as blob_router
from .core.errors import NotFound
from .core.security_headers import DashboardHeaders
from .core.settings import Settings, SettingsError
from .identity.signup import signup_warning
from .services import PERIODIC_TASKS, SERVICE_ROUTERS, STARTUP_HOOKS

__all__ = ["PortInUse", "bind_socket", "build_local_app", "default_web_dist", "serve"]

log = logging.getLogger("wanllmdb.server")


class PortInUse(SettingsError):
    """The port the server should listen on is taken by another process."""


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed, so a busy port is one clear message.

    uvicorn is handed this socket, so no other process can take the port between check and start.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn does: a port left in TIME_WAIT by the previous start is free, one in use is not.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"port {port} on {host} is already in use (another wanllmdb server?); "
                f"stop that process or choose another port: wanllmdb server --port {port + 1} "
                f"(or WANLLMDB_PORT={port + 1})"
            ) from None
        raise SettingsError(
            f"cannot listen on {host}:{port} (WANLLMDB_HOST / --host, WANLLMDB_PORT / --port): "
            f"{exc.strerror or exc}"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def default_web_dist() -> Path:
    # functions/wanllmdb_functions/local_server.py -> repository root -> web/dist
    return Path(__file__).resolve().parents[2] / "web" / "dist"


def _run_periodic(state: AppState, stop: threading.Event) -> None:
    interval = state.settings.reaper_interval_s
    while not stop.wait(interval):
        for task in PERIODIC_TASKS:
            try:
                task(state)
            except Exception:  # a failing housekeeping task must not stop the others or the server
                log.exception("periodic task %s failed", getattr(task, "__name__", task))


def _settle_heap() -> None:
    """Keep the cyclic garbage collector from pausing every request at once.

    A collection stops the whole process, and under 50 clients one came every half second, 40-190 ms
    long and growing with the heap. What exists once the server has started (modules, routes,
    schemas: some 200,000 objects) lives as long as the server, so it is frozen out of the
    collector's sight; and the youngest generation is collected after 50,000 new container objects
    rather than 700, so that each request's short-lived cycles (exceptions, scopes, coroutines) are
    gathered in a few larger sweeps instead of many small ones that promote them to the costly older
    generations. With both, 50 closed-loop clients run about 10% more requests and see a full
    collection a few times a minute, at about 20 ms (docs/performance.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)


def _mount_web(app: FastAPI, web_dist: Path) -> None:
    index = web_dist / "index.html"
    if not index.is_file():
        log.warning(
            "web/dist not built: the dashboard is unavailable (run `make run` or `npm run build` in web/)"
        )
        return
    app.mount("/assets", StaticFiles(directory=web_dist / "assets", check_dir=False), name="assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> FileResponse:
        if path.startswith(API_PREFIX.strip("/") + "/") or path == API_PREFIX.strip("/"):
            raise NotFound(f"no API route /{path}")
        candidate = (web_dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(web_dist.resolve()):
            return FileResponse(candidate)
        # Client-side routes (deep links) all load the single-page app.
        return FileResponse(index)


def build_local_app(settings: Settings, *, owns_process: bool = True) -> FastAPI:
    """`owns_process`: the app is its process's server, which runs the periodic tasks and tunes the
    process's garbage collector once started; tests that build apps inside their own process say no."""
    state = AppState(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for hook in STARTUP_HOOKS:
            for line in hook(state):
                print(line, flush=True)
        stop = threading.Event()
        if owns_process:
            _settle_heap()
            threading.Thread(
                target=_run_periodic, args=(state, stop), name="wanllmdb-periodic", daemon=True
            ).start()
        yield
        stop.set()

    app = create_app([*SERVICE_ROUTERS, blob_router], state=state, title="wanLLMDB")
    app.router.lifespan_context = lifespan
    # The dashboard and the API share this origin: one strict CSP covers both (CloudFront sends the same).
    app.add_middleware(DashboardHeaders)
    _mount_web(app, settings.web_dist or default_web_dist())
    return app


def serve(settings: Settings) -> None:
    import uvicorn

    # The port first: a busy one is said plainly, before the banner and before any store opens.
    sock = bind_socket(settings.host, settings.port)
    # Open the stores before serving, so a bad data dir fails at start, not at first request.
    app = build_local_app(settings)
    try:
        app.state.wl.storage  # noqa: B018
    except OSError as exc:
        sock.close()
        raise SettingsError(
            f"WANLLMDB_DATA_DIR / --data-dir {settings.data_dir}: {exc.strerror or exc}; "
            "choose a writable folder"
        ) from None
    print(
        f"wanLLMDB server: {settings.base_url}  (backend={settings.backend}, "
        f"data dir={settings.data_dir.expanduser()})",
        flush=True,
    )
    if (warning := signup_warning(settings)) is not None:
        log.warning("WARNING: %s", warning)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=5
    )
    uvicorn.Server(config).run(sockets=[sock])
