"""The metadata API client (docs/api-contract.md) and the one retry policy every background call uses.

HTTP goes through a small ``Transport`` port. The default one is urllib3: a pool of keep-alive
connections with timeouts, ~4 MB of a training process where httpx took ~10 MB. urllib3 is imported
when the first client is made (online runs, sync), never by ``import wanllmdb``. Tests pass another
transport in.

Exception
 ├── Transient   network error, 5xx or 429: retried with exponential backoff and full jitter
 └── CommError (wanllmdb.errors)
      └── ApiError    any other non-2xx: the server's {"error": {code, message, field}}, not retried
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Protocol, TypeVar
from urllib.parse import quote, urlencode, urlsplit

from wanllmdb import __version__
from wanllmdb.errors import CommError

__all__ = [
    "ApiError",
    "Response",
    "RestClient",
    "Transient",
    "Transport",
    "Urllib3Transport",
    "call_with_retry",
    "raise_error_body",
]

T = TypeVar("T")


class Transient(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ApiError(CommError):
    """A non-2xx answer that is not worth retrying; wanllmdb.ApiError, a wandb CommError."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Response:
    """An answer, read in full. Field names follow httpx's, so ``raise_error_body`` serves both."""

    status_code: int
    content: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # the transport's, case-insensitive
    reason_phrase: str = ""

    def json(self) -> Any:
        return json.loads(self.content)


class Transport(Protocol):
    """One HTTP request, answered in full; a network failure raises ``Transient``."""

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | IO[bytes] | None,
        timeout_s: float,
    ) -> Response: ...

    def close(self) -> None: ...


class Urllib3Transport:
    """urllib3's pool: connections are kept alive and reused per host, one at a time per thread."""

    def __init__(self, *, maxsize: int = 8) -> None:
        import urllib3

        self._urllib3 = urllib3
        # retries=False: call_with_retry is the one retry policy (backoff, jitter, deadline, stop).
        self._pool = urllib3.PoolManager(num_pools=4, maxsize=maxsize, retries=False)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | IO[bytes] | None,
        timeout_s: float,
    ) -> Response:
        try:
            resp = self._pool.request(
                method,
                url,
                body=body,
                headers=headers,
                timeout=self._urllib3.Timeout(connect=min(timeout_s, 10.0), read=timeout_s),
                redirect=False,
            )
        except self._urllib3.exceptions.HTTPError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        return Response(resp.status, resp.data, resp.headers, resp.reason or "")

    def close(self) -> None:
        self._pool.clear()


class _ErrorBody(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def content(self) -> bytes: ...
    @property
    def reason_phrase(self) -> str: ...


def _raise_for(resp: Response, path: str) -> None:
    if resp.status_code < 300:
        return
    if resp.status_code == 429 or resp.status_code >= 500:
        retry_after = resp.headers.get("retry-after")
        try:
            wait = float(retry_after) if retry_after else None
        except ValueError:
            wait = None
        raise Transient(f"HTTP {resp.status_code} from {path}", retry_after=wait)
    raise_error_body(resp)


def raise_error_body(resp: _ErrorBody) -> None:
    """Raise the server's {"error": {...}} body of a non-2xx answer (ours or httpx's) as ApiError."""
    if resp.status_code < 300:
        return
    try:
        err = json.loads(resp.content)["error"]
        raise ApiError(
            resp.status_code, str(err.get("code", "")), str(err.get("message", "")), err.get("field")
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        text = resp.content[:200].decode("utf-8", "replace")
        raise ApiError(resp.status_code, "http", text or resp.reason_phrase) from None


class RestClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout_s: float = 10.0,
        transport: Transport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"User-Agent": f"wanllmdb-sdk/{__version__}"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout_s = timeout_s
        self._transport = transport if transport is not None else Urllib3Transport()

    def close(self) -> None:
        self._transport.close()

    def call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, project_id: str | None = None
    ) -> tuple[int, Any]:
        """One JSON call to ``/api{path}``: (status, decoded body). The named methods below, and the
        SDK's API packages (``apis.reports``, ``agents``), are built on it."""
        # Run ids are unique per project: the project tells the server which run of this id is meant.
        url = f"{self.base_url}/api{path}"
        if project_id:
            url += "?" + urlencode({"project_id": project_id})
        headers = dict(self._headers)
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        resp = self._transport.request(method, url, headers=headers, body=data, timeout_s=self._timeout_s)
        _raise_for(resp, f"/api{path}")
        return resp.status_code, (resp.json() if resp.content else None)

    def health(self) -> dict[str, Any]:
        return dict(self.call("GET", "/health")[1])

    def me(self) -> dict[str, Any]:
        return dict(self.call("GET", "/auth/me")[1])

    def ensure_project(self, name: str, entity: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if entity:
            body["entity"] = entity
        return dict(self.call("POST", "/projects", body)[1])

    def create_run(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.call("POST", f"/projects/{quote(project_id, safe='')}/runs", body)[1])

    def get_run(self, run_id: str, *, project_id: str | None = None) -> dict[str, Any]:
        return dict(self.call("GET", f"/runs/{run_id}", project_id=project_id)[1])

    def patch_run(
        self, run_id: str, body: dict[str, Any], *, project_id: str | None = None
    ) -> dict[str, Any]:
        return dict(self.call("PATCH", f"/runs/{run_id}", body, project_id=project_id)[1] or {})

    def patch_config(
        self, run_id: str, config: dict[str, Any], *, allow_val_change: bool, project_id: str | None = None
    ) -> None:
        body = {"config": config, "allow_val_change": allow_val_change}
        self.call("PATCH", f"/runs/{run_id}/config", body, project_id=project_id)

    def send_alert(self, run_id: str, alert: dict[str, Any], *, project_id: str | None = None) -> None:
        self.call("POST", f"/runs/{run_id}/alerts", alert, project_id=project_id)

    def patch_summary(self, run_id: str, summary: dict[str, Any], *, project_id: str | None = None) -> None:
        self.call("PATCH", f"/runs/{run_id}/summary", {"summary": summary}, project_id=project_id)

    def heartbeat(self, run_id: str, *, project_id: str | None = None) -> dict[str, Any]:
        return dict(self.call("POST", f"/runs/{run_id}/heartbeat", project_id=project_id)[1] or {})

    def grant_uploads(
        self, run_id: str, items: list[dict[str, Any]], *, project_id: str | None = None
    ) -> list[dict[str, Any]]:
        answer = self.call("POST", f"/runs/{run_id}/uploads", {"items": items}, project_id=project_id)
        return [dict(g) for g in answer[1]["grants"]]

    def put_blob(self, grant: dict[str, Any], source: Path | BinaryIO, *, size: int) -> None:
        """Stream one file (a path, or an open file sent from its start) to a presigned URL.
        Content-Length is explicit: S3 refuses chunked PUTs. Presigned PUTs carry their own signature
        and must not leak the API key to the blob store."""
        headers = {**(grant.get("headers") or {}), "Content-Length": str(size)}
        with contextlib.ExitStack() as stack:
            body: BinaryIO
            if isinstance(source, Path):
                body = stack.enter_context(source.open("rb"))
            else:
                body = source
                body.seek(0)
            resp = self._transport.request(
                grant.get("method", "PUT"),
                grant["url"],
                headers=headers,
                body=body,
                timeout_s=max(self._timeout_s, 60.0),
            )
        _raise_for(resp, urlsplit(grant["url"]).path)


def call_with_retry(
    fn: Callable[[], T],
    *,
    stop: threading.Event | None = None,
    deadline: float | None = None,
    max_backoff_s: float = 30.0,
    on_retry: Callable[[Transient, float], None] | None = None,
) -> T:
    """Run ``fn`` until it succeeds or raises ApiError; a Transient is retried until ``deadline``/``stop``.

    Full jitter spreads 16 runs that lost the server at once, so they do not return in lockstep.
    """
    tries = 0
    while True:
        try:
            return fn()
        except Transient as exc:
            tries += 1
            wait = random.uniform(0, min(max_backoff_s, 0.25 * 2 ** min(tries, 16)))
            if exc.retry_after is not None:
                wait = max(wait, min(exc.retry_after, max_backoff_s))
            if deadline is not None and time.monotonic() + wait > deadline:
                raise
            if on_retry is not None:
                on_retry(exc, wait)
            if stop is not None:
                if stop.wait(wait):
                    raise
            else:
                time.sleep(wait)
