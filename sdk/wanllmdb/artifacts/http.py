"""HTTP for artifacts: the JSON routes (with the API key) and presigned PUTs and GETs (without it).

One urllib3 pool with up to 64 connections per host, so 64 transfers can be in flight. Bodies stream
from the file (a part is a window of it, read with pread), and downloads stream to a file: a 1 GiB
blob never sits in memory. Network errors, 5xx and 429 are retried with backoff (rest.call_with_retry).
"""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import quote, urlencode, urlsplit

from wanllmdb import __version__
from wanllmdb.rest import Response, Transient, _raise_for, call_with_retry

__all__ = ["MAX_IN_FLIGHT", "ArtifactHttp", "quote_segment"]

MAX_IN_FLIGHT = 64
_BLOCK = 1 << 20


def quote_segment(value: str) -> str:
    return quote(value, safe="")


class _FileWindow(io.RawIOBase):
    """`length` bytes of a file from `offset`, read with pread: parts of one file upload at once."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        self._fd, self._pos, self._end = fd, offset, offset + length

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        left = self._end - self._pos
        n = left if size is None or size < 0 else min(size, left)
        if n <= 0:
            return b""
        data = os.pread(self._fd, n, self._pos)
        self._pos += len(data)
        return data


class ArtifactHttp:
    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        timeout_s: float = 60.0,
        retry_for_s: float = 300.0,
        max_backoff_s: float = 30.0,
    ) -> None:
        import urllib3

        self._urllib3 = urllib3
        self.base_url = base_url.rstrip("/")
        self._headers = {"User-Agent": f"wanllmdb-sdk/{__version__}"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._timeout = urllib3.Timeout(connect=min(timeout_s, 10.0), read=timeout_s)
        self.retry_for_s = retry_for_s
        self.max_backoff_s = max_backoff_s
        # retries=False: call_with_retry is the one retry policy.
        self._pool = urllib3.PoolManager(
            num_pools=8, maxsize=MAX_IN_FLIGHT, block=False, retries=False, blocksize=_BLOCK
        )

    def close(self) -> None:
        self._pool.clear()

    def _retry(self, fn: Callable[[], Any]) -> Any:
        return call_with_retry(
            fn, deadline=time.monotonic() + self.retry_for_s, max_backoff_s=self.max_backoff_s
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | IO[bytes] | io.RawIOBase | None = None,
    ) -> Response:
        try:
            resp = self._pool.request(
                method, url, body=body, headers=headers, timeout=self._timeout, redirect=False
            )
        except self._urllib3.exceptions.HTTPError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        out = Response(resp.status, resp.data, resp.headers, resp.reason or "")
        _raise_for(out, urlsplit(url).path)
        return out

    def answers(self, timeout_s: float = 3.0) -> bool:
        """Whether the server answers at all, asked once: a health check, never retried."""
        try:
            resp = self._pool.request(
                "GET", f"{self.base_url}/api/health", headers=self._headers, timeout=timeout_s, retries=False
            )
        except self._urllib3.exceptions.HTTPError:
            return False
        return resp.status < 500

    # -- the JSON routes -----------------------------------------------------------------------------
    def api(
        self, method: str, path: str, body: dict[str, Any] | None = None, params: dict[str, Any] | None = None
    ) -> Any:
        url = f"{self.base_url}/api{path}"
        query = {k: ("true" if v is True else v) for k, v in (params or {}).items() if v is not None}
        if query:
            url += "?" + urlencode(query)
        headers = dict(self._headers)
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        resp = self._retry(lambda: self._send(method, url, headers=headers, body=data))
        return resp.json() if resp.content else None

    # -- presigned transfers (their URL carries the signature: never the API key) --------------------
    def put_file(
        self,
        url: str,
        headers: dict[str, str],
        path: str | os.PathLike[str],
        *,
        offset: int = 0,
        length: int | None = None,
    ) -> str:
        """PUT a file, or a window of it, with an explicit Content-Length (S3 refuses chunked PUTs);
        returns the ETag. Retried from the start of the window."""

        def once() -> str:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size - offset if length is None else length
                body = _FileWindow(fh.fileno(), offset, size)
                resp = self._send("PUT", url, headers={**headers, "Content-Length": str(size)}, body=body)
            return str(resp.headers.get("ETag", "")).strip('"')

        return str(self._retry(once))

    def put_bytes(self, url: str, headers: dict[str, str], data: bytes) -> None:
        self._retry(
            lambda: self._send("PUT", url, headers={**headers, "Content-Length": str(len(data))}, body=data)
        )

    def get_bytes(self, url: str) -> bytes:
        return bytes(self._retry(lambda: self._send("GET", url, headers={})).content)

    def get_range(self, url: str, start: int, length: int) -> bytes:
        """`length` bytes of the object from `start` (one ranged GET, not retried here: the caller
        retries and checks what came). A store that ignores Range sends it all: sliced here."""
        if length == 0:
            return b""
        resp = self._send("GET", url, headers={"Range": f"bytes={start}-{start + length - 1}"})
        data = bytes(resp.content)
        return data if resp.status_code == 206 else data[start : start + length]

    def stream_to(self, url: str, sink: IO[bytes], on_block: Callable[[bytes], None] | None = None) -> None:
        """GET a presigned URL into `sink` block by block; raises Transient on a cut-off body, which
        the caller retries from scratch (a partial body is never kept)."""
        try:
            resp = self._pool.request(
                "GET", url, headers={}, timeout=self._timeout, redirect=False, preload_content=False
            )
        except self._urllib3.exceptions.HTTPError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        try:
            if resp.status >= 300:
                _raise_for(
                    Response(resp.status, resp.read(), resp.headers, resp.reason or ""), urlsplit(url).path
                )
            for block in resp.stream(_BLOCK):
                sink.write(block)
                if on_block is not None:
                    on_block(block)
        except self._urllib3.exceptions.HTTPError as exc:
            raise Transient(f"{type(exc).__name__}: {exc}") from exc
        finally:
            resp.release_conn()
