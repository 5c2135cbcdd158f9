"""The public API's HTTP client: JSON and Parquet requests; the server's error body raised as ApiError."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from wanllmdb import __version__
from wanllmdb.rest import ApiError

__all__ = ["ApiHttp"]


def _raise(resp: httpx.Response) -> None:
    if resp.status_code < 300:
        return
    try:
        err = resp.json()["error"]
        raise ApiError(
            resp.status_code, str(err.get("code", "")), str(err.get("message", "")), err.get("field")
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ApiError(resp.status_code, "http", resp.text[:200] or resp.reason_phrase) from None


class ApiHttp:
    def __init__(self, base_url: str, api_key: str | None, *, timeout_s: float = 60.0) -> None:
        headers = {"User-Agent": f"wanllmdb-api/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=f"{self.base_url}/api", headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, **params: Any) -> Any:
        resp = self._client.get(path, params={k: v for k, v in params.items() if v is not None})
        _raise(resp)
        return resp.json()

    def post(self, path: str, body: dict[str, Any]) -> Any:
        resp = self._client.post(path, json=body)
        _raise(resp)
        return resp.json()

    def get_parquet(self, path: str, **params: Any) -> tuple[pa.Table, str | None]:
        """A Parquet body as an Arrow table, and the `X-Next-Cursor` header (None on the last page)."""
        resp = self._client.get(path, params={k: v for k, v in params.items() if v is not None})
        _raise(resp)
        cursor = resp.headers.get("X-Next-Cursor") or None
        return pq.read_table(io.BytesIO(resp.content)), cursor

    def download(self, url: str) -> bytes:
        # Presigned URLs carry their own signature: never send the API key along.
        resp = httpx.get(url, timeout=self._client.timeout)
        _raise(resp)
        return resp.content
