"""The data-plane half of the Azure BlobStore, through obstore (Rust object_store), and the multipart
upload markers the Azure and GCS adapters share.

obstore takes explicit credentials, so the adapter never falls back to an ambient credential chain
(instance metadata at 169.254.169.254). Signing stays in azure_sas.py and gcs_signing.py: obstore's
`sign` cannot bind a Content-Length, a response override, or a part/block id. GCS data calls do not
come through here (gcs_blobs.py says why).
"""

from __future__ import annotations

import builtins
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import obstore
from obstore.exceptions import NotFoundError

from ..core.errors import InvalidInput, NotFound
from ..ports.blob_store import BlobInfo, validate_key

__all__ = ["ObstoreData", "upload_marker_key"]

MARKERS = ".multipart"


def upload_marker_key(upload_id: str) -> str:
    """Where a multipart upload records its key and content type until it completes or is aborted."""
    if not upload_id or not upload_id.isalnum():
        raise InvalidInput("upload id must be alphanumeric", field="uploadId")
    return f"{MARKERS}/{upload_id}"


class ObstoreData:
    """put/get/head/list/delete/copy over one obstore store; `_store` is set by the adapter."""

    _store: Any

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        obstore.put(self._store, validate_key(key), data, attributes={"Content-Type": content_type})

    def get(self, key: str) -> bytes:
        try:
            return bytes(obstore.get(self._store, validate_key(key)).bytes())
        except (NotFoundError, FileNotFoundError):
            raise NotFound(f"no object at {key!r}", field="key") from None

    def head(self, key: str) -> BlobInfo | None:
        try:
            meta = obstore.head(self._store, validate_key(key))
        except (NotFoundError, FileNotFoundError):
            return None
        return BlobInfo(key, meta["size"], (meta["e_tag"] or "").strip('"'), meta["last_modified"])

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        if ".." in prefix.split("/") or "\x00" in prefix:
            raise InvalidInput("prefix must not contain '..' or NUL", field="prefix")
        # object_store lists whole path segments: "runs" would not match "runsx/z". List the enclosing
        # folder and keep what starts with the prefix, as S3's plain string prefix does.
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        found: builtins.list[BlobInfo] = []
        for batch in obstore.list(self._store, folder or None):
            for meta in batch:
                path = str(meta["path"])
                if path.startswith(prefix) and not path.startswith(MARKERS + "/"):
                    found.append(
                        BlobInfo(path, meta["size"], (meta["e_tag"] or "").strip('"'), meta["last_modified"])
                    )
        yield from sorted(found, key=lambda info: info.key)

    def delete(self, key: str) -> None:
        with contextlib.suppress(NotFoundError, FileNotFoundError):
            obstore.delete(self._store, validate_key(key))

    def copy(self, src: str, dst: str) -> None:
        validate_key(dst)
        try:
            obstore.copy(self._store, validate_key(src), dst)
        except (NotFoundError, FileNotFoundError):
            raise NotFound(f"no object at {src!r}", field="src") from None

    def _write_marker(self, upload_id: str, key: str, content_type: str) -> None:
        body = json.dumps({"key": key, "content_type": content_type}).encode()
        obstore.put(self._store, upload_marker_key(upload_id), body)

    def _read_marker(self, upload_id: str, key: str) -> dict[str, str]:
        try:
            raw = obstore.get(self._store, upload_marker_key(upload_id)).bytes()
        except (NotFoundError, FileNotFoundError):
            raise NotFound(f"no multipart upload {upload_id!r} for {key!r}", field="uploadId") from None
        marker: dict[str, str] = json.loads(bytes(raw))
        if marker.get("key") != key:
            raise NotFound(f"no multipart upload {upload_id!r} for {key!r}", field="uploadId")
        return marker
