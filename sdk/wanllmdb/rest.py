"""The metadata API client (docs/api-contract.md) and the one retry policy every background call uses.

Exception
 ├── Transient   network error, 5xx or 429: retried with exponential backoff and full jitter
 └── CommError (wanllmdb.errors)
      └── ApiError    any other non-2xx: the server's {"error": {code, message, field}}, not retried
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from wanllmdb import __version__
from wanllmdb.errors import CommError

__all__ = ["ApiError", "RestClient", "Transient", "call_with_retry", "raise_error_body"]

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


def _raise_for(resp: httpx.Response) -> None:
    if resp.status_code < 300:
        return
    if resp.status_code == 429 or resp.status_code >= 500:
        retry_after = resp.headers.get("retry-after")
        try:
            wait = float(retry_after) if retry_after else None
        except ValueError:
            wait = None
        raise Transient(f"HTTP {resp.status_code} from {resp.request.url.path}", retry_after=wait)
    raise_error_body(resp)


def raise_error_body(resp: httpx.Response) -> None:
    """Raise the server's {"error": {...}} body of a non-2xx answer as ApiError."""
    if resp.status_code < 300:
        return
    try:
        err = resp.json()["error"]
        raise ApiError(
            resp.status_code, str(err.get("code", "")), str(err.get("message", "")), err.get("field")
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ApiError(resp.status_code, "http", resp.text[:200] or resp.reason_phrase) from None


class RestClient:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout_s: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"User-Agent": f"wanllmdb-sdk/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout_s, transport=transport
        )
        # Presigned PUTs carry their own signature and must not leak the API key to the blob store.
        self._blobs = httpx.Client(timeout=max(timeout_s, 60.0), transport=transport)

    def close(self) -> None:
        self._http.close()
        self._blobs.close()

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, *, project_id: str | None = None
    ) -> tuple[int, Any]:
        # Run ids are unique per project: the project tells the server which run of this id is meant.
        params = {"project_id": project_id} if project_id else None
        try:
            resp = self._http.request(method, f"/api{path}", json=body, params=params)
        except httpx.TransportError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        _raise_for(resp)
        return resp.status_code, (resp.json() if resp.content else None)

    def health(self) -> dict[str, Any]:
        return dict(self._call("GET", "/health")[1])

    def me(self) -> dict[str, Any]:
        return dict(self._call("GET", "/auth/me")[1])

    def ensure_project(self, name: str, entity: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name}
        if entity:
            body["entity"] = entity
        return dict(self._call("POST", "/projects", body)[1])

    def create_run(self, project_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(self._call("POST", f"/projects/{quote(project_id, safe='')}/runs", body)[1])

    def get_run(self, run_id: str, *, project_id: str | None = None) -> dict[str, Any]:
        return dict(self._call("GET", f"/runs/{run_id}", project_id=project_id)[1])

    def patch_run(
        self, run_id: str, body: dict[str, Any], *, project_id: str | None = None
    ) -> dict[str, Any]:
        return dict(self._call("PATCH", f"/runs/{run_id}", body, project_id=project_id)[1] or {})

    def patch_config(
        self, run_id: str, config: dict[str, Any], *, allow_val_change: bool, project_id: str | None = None
    ) -> None:
        body = {"config": config, "allow_val_change": allow_val_change}
        self._call("PATCH", f"/runs/{run_id}/config", body, project_id=project_id)

    def patch_summary(self, run_id: str, summary: dict[str, Any], *, project_id: str | None = None) -> None:
        self._call("PATCH", f"/runs/{run_id}/summary", {"summary": summary}, project_id=project_id)

    def heartbeat(self, run_id: str, *, project_id: str | None = None) -> dict[str, Any]:
        return dict(self._call("POST", f"/runs/{run_id}/heartbeat", project_id=project_id)[1] or {})

    def grant_uploads(
        self, run_id: str, items: list[dict[str, Any]], *, project_id: str | None = None
    ) -> list[dict[str, Any]]:
        answer = self._call("POST", f"/runs/{run_id}/uploads", {"items": items}, project_id=project_id)
        return [dict(g) for g in answer[1]["grants"]]

    def put_blob(self, grant: dict[str, Any], path: Path, *, size: int) -> None:
        """Stream one file to a presigned URL. Content-Length is explicit: S3 refuses chunked PUTs."""
        headers = {**(grant.get("headers") or {}), "Content-Length": str(size)}
        try:
            with path.open("rb") as body:
                resp = self._blobs.request(
                    grant.get("method", "PUT"), grant["url"], content=body, headers=headers
                )
        except httpx.TransportError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        _raise_for(resp)


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
