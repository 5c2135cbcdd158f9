"""The public API's HTTP client: JSON and Parquet requests.

The server's error body is raised as ``wanllmdb.ApiError``; an unreachable server as ``wanllmdb.CommError``
(both exported from ``wanllmdb``), never as an httpx exception.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from wanllmdb import __version__
from wanllmdb.errors import CommError
from wanllmdb.rest import raise_error_body

__all__ = ["ApiHttp"]


class ApiHttp:
    def __init__(self, base_url: str, api_key: str | None, *, timeout_s: float = 60.0) -> None:
        headers = {"User-Agent": f"wanllmdb-api/{__version__}"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self._client = httpx.Client(base_url=f"{self.base_url}/api", headers=headers, timeout=timeout_s)

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise CommError(f"{self.base_url} is unreachable ({type(exc).__name__}: {exc})") from exc

    def get(self, route: str, /, **params: Any) -> Any:
        resp = self._request("GET", route, params={k: v for k, v in params.items() if v is not None})
        raise_error_body(resp)
        return resp.json()

    def post(self, path: str, body: dict[str, Any], *, params: dict[str, Any] | None = None) -> Any:
        resp = self._request("POST", path, json=body, params=params)
        raise_error_body(resp)
        return resp.json()

    def delete(self, path: str, /, **params: Any) -> Any:
        resp = self._request("DELETE", path, params={k: v for k, v in params.items() if v is not None})
        raise_error_body(resp)
        return resp.json()

    def get_parquet(self, route: str, /, **params: Any) -> tuple[pa.Table, str | None]:
        """A Parquet body as an Arrow table, and the `X-Next-Cursor` header (None on the last page)."""
        resp = self._request("GET", route, params={k: v for k, v in params.items() if v is not None})
        raise_error_body(resp)
        cursor = resp.headers.get("X-Next-Cursor") or None
        parquet = pq.ParquetFile(io.BytesIO(resp.content))
        table = parquet.read()
        # The server's notes (e.g. which columns hold media descriptors) are file key-value metadata,
        # which pyarrow keeps apart from the schema's; carry them on the table.
        notes = {k: v for k, v in (parquet.metadata.metadata or {}).items() if not k.startswith(b"ARROW:")}
        if notes:
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **notes})
        return table, cursor

    def download(self, url: str) -> bytes:
        # Presigned URLs carry their own signature: never send the API key along.
        try:
            resp = httpx.get(url, timeout=self._client.timeout)
        except httpx.TransportError as exc:
            raise CommError(f"download failed ({type(exc).__name__}: {exc})") from exc
        raise_error_body(resp)
        return resp.content
