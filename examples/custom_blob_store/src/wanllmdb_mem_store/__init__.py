"""An in-memory BlobStore registered for mem:// through the `wanllmdb.blob_stores` entry-point group.

A sample, not a production store: data lives in one process and is gone when it stops. It shows what a
plug-in implements (the BlobStore port, functions/wanllmdb_functions/ports/blob_store.py) and how it is
found (pyproject.toml's entry point). Stores with the same name in one process share their objects.
"""

from __future__ import annotations

import builtins
import hashlib
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from wanllmdb_functions.core.errors import InvalidInput, NotFound
from wanllmdb_functions.core.settings import Settings, SettingsError
from wanllmdb_functions.ports.blob_store import BlobInfo, ObjectLocation, PresignedRequest, validate_key

__all__ = ["MemBlobStore", "from_url"]

_SPACES: dict[str, dict[str, tuple[bytes, BlobInfo]]] = {}
_LOCK = threading.Lock()


def from_url(url: str, settings: Settings) -> MemBlobStore:
    """The factory the entry point names: WANLLMDB_BLOB_URL=mem://<name>."""
    name = urlsplit(url).netloc
    if not name:
        raise SettingsError(f"WANLLMDB_BLOB_URL={url!r}: a mem:// store needs a name, e.g. mem://scratch")
    return MemBlobStore(name)


class MemBlobStore:
    def __init__(self, name: str) -> None:
        self.name = name
        with _LOCK:
            self._objects = _SPACES.setdefault(name, {})
        self._uploads: dict[str, dict[int, bytes]] = {}

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        info = BlobInfo(
            validate_key(key), len(data), hashlib.md5(data).hexdigest(), datetime.now(tz=UTC), content_type
        )
        with _LOCK:
            self._objects[key] = (bytes(data), info)

    def get(self, key: str) -> bytes:
        found = self._objects.get(validate_key(key))
        if found is None:
            raise NotFound(f"no object at {key!r}", field="key")
        return found[0]

    def head(self, key: str) -> BlobInfo | None:
        found = self._objects.get(validate_key(key))
        return None if found is None else found[1]

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        if ".." in prefix.split("/") or "\x00" in prefix:
            raise InvalidInput("prefix must not contain '..' or NUL", field="prefix")
        with _LOCK:
            infos = [info for key, (_, info) in self._objects.items() if key.startswith(prefix)]
        yield from sorted(infos, key=lambda info: info.key)

    def delete(self, key: str) -> None:
        with _LOCK:
            self._objects.pop(validate_key(key), None)

    def copy(self, src: str, dst: str) -> None:
        validate_key(dst)
        data = self.get(src) if self.head(src) else None
        if data is None:
            raise NotFound(f"no object at {src!r}", field="src")
        self.put(dst, data, content_type=self._objects[src][1].content_type or "application/octet-stream")

    def _url(self, key: str, expires_s: int) -> tuple[str, datetime]:
        # No HTTP server behind mem://: the URL names the object for in-process callers only.
        return f"mem://{self.name}/{validate_key(key)}", datetime.now(tz=UTC) + timedelta(seconds=expires_s)

    def presign_put(
        self,
        key: str,
        *,
        expires_s: int,
        content_length: int,
        content_type: str,
        sha256_hex: str | None = None,
    ) -> PresignedRequest:
        url, expires_at = self._url(key, expires_s)
        headers = {"Content-Type": content_type, "Content-Length": str(content_length)}
        return PresignedRequest(url=url, method="PUT", headers=headers, expires_at=expires_at)

    def presign_get(self, key: str, *, expires_s: int) -> PresignedRequest:
        url, expires_at = self._url(key, expires_s)
        return PresignedRequest(url=url, method="GET", expires_at=expires_at)

    def create_multipart(self, key: str, *, content_type: str) -> str:
        validate_key(key)
        upload_id = uuid.uuid4().hex
        self._uploads[upload_id] = {}
        return upload_id

    def write_part(self, upload_id: str, part_number: int, data: bytes) -> str:
        """The in-process counterpart of a presigned part PUT; returns the part's ETag."""
        self._uploads[upload_id][part_number] = data
        return hashlib.md5(data).hexdigest()

    def presign_part(
        self, key: str, upload_id: str, part_number: int, *, expires_s: int, content_length: int
    ) -> PresignedRequest:
        if not 1 <= part_number <= 10_000:
            raise InvalidInput("part number must be 1..10000", field="partNumber")
        url, expires_at = self._url(key, expires_s)
        return PresignedRequest(url=f"{url}?uploadId={upload_id}&partNumber={part_number}", method="PUT",
                                expires_at=expires_at)  # fmt: skip

    def complete_multipart(self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]) -> None:
        if not parts:
            raise InvalidInput("a multipart upload needs at least one part", field="parts")
        staged = self._uploads.get(upload_id)
        if staged is None:
            raise NotFound(f"no multipart upload {upload_id!r} for {key!r}", field="uploadId")
        chunks = []
        for number, etag in sorted(parts):
            data = staged.get(number)
            if data is None or hashlib.md5(data).hexdigest() != etag.strip('"'):
                raise InvalidInput("a listed part was not uploaded or its ETag differs", field="parts")
            chunks.append(data)
        self.put(key, b"".join(chunks))
        self._uploads.pop(upload_id, None)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        self._uploads.pop(upload_id, None)

    def location(self, prefix: str = "") -> ObjectLocation:
        return ObjectLocation(uri=f"mem://{self.name}/{prefix}")
