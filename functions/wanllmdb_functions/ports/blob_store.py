"""BlobStore: the object-storage port behind the metric lake, files and media.

Keys are relative, '/'-separated paths. A key with a '..' segment, a leading '/', a backslash,
or a NUL byte is refused with InvalidInput by every adapter (see `validate_key`).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..core.errors import InvalidInput

__all__ = ["BlobInfo", "BlobStore", "ObjectLocation", "PresignedRequest", "validate_key"]

MAX_KEY_LENGTH = 1024


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    etag: str
    last_modified: datetime
    content_type: str | None = None


@dataclass(frozen=True)
class PresignedRequest:
    """What a client needs to perform one upload or download without credentials."""

    url: str
    method: str
    headers: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ObjectLocation:
    """Where a reader such as Polars finds objects: a URI prefix plus storage options."""

    uri: str
    storage_options: dict[str, str] | None = None


def validate_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(f"key must be 1..{MAX_KEY_LENGTH} characters", field="key")
    if "\x00" in key or "\\" in key:
        raise InvalidInput("key must not contain NUL bytes or backslashes", field="key")
    if key.startswith("/"):
        raise InvalidInput("key must be relative, not start with '/'", field="key")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidInput("key must not contain empty, '.' or '..' segments", field="key")
    return key


class BlobStore(Protocol):
    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        """Write atomically: readers see the old object or the whole new one, never a part."""

    def get(self, key: str) -> bytes:
        """Raises NotFound when the key does not exist."""
        ...

    def head(self, key: str) -> BlobInfo | None: ...

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        """Objects whose key starts with `prefix`, in key order."""
        ...

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is a no-op."""

    def copy(self, src: str, dst: str) -> None:
        """Copy the object at `src` to `dst`, replacing what is there; NotFound when `src` is missing."""

    def presign_put(
        self,
        key: str,
        *,
        expires_s: int,
        content_length: int,
        content_type: str,
        sha256_hex: str | None = None,
    ) -> PresignedRequest:
        """A URL that accepts exactly one PUT of `content_length` bytes to `key` for `expires_s`."""
        ...

    def presign_get(self, key: str, *, expires_s: int) -> PresignedRequest:
        """A URL that answers GET with the object as a download, never as a page: Content-Disposition
        attachment and a passive Content-Type (`core.security_headers`), whatever was uploaded."""
        ...

    def create_multipart(self, key: str, *, content_type: str) -> str:
        """Start a multipart upload; returns its upload id."""
        ...

    def presign_part(
        self, key: str, upload_id: str, part_number: int, *, expires_s: int, content_length: int
    ) -> PresignedRequest:
        """A URL that accepts one PUT of part `part_number` (1..10000); its response's ETag header
        is what `complete_multipart` takes."""
        ...

    def complete_multipart(self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]) -> None:
        """Assemble the parts, given as (part_number, etag), into `key` atomically."""

    def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop the upload and its parts; idempotent, like `delete`."""

    def location(self, prefix: str = "") -> ObjectLocation:
        """Where Polars/DuckDB can scan objects under `prefix` directly."""
        ...
