"""BlobStore on the local filesystem (embedded mode).

Writes go to a temp file beside the lake, are fsynced, then renamed into place, so a killed
process never leaves a partial object under a key. Presigned URLs point at the embedded
server's `/api/blobs/` route, which checks them with `UrlSigner`.
"""

from __future__ import annotations

import builtins
import hashlib
import mimetypes
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..core.errors import InvalidInput, NotFound, TooLarge
from ..core.values import now_epoch
from ..ports.blob_store import BlobInfo, ObjectLocation, PresignedRequest, validate_key
from .url_signing import SignedGrant, UrlSigner

__all__ = ["LocalBlobStore"]

_CHUNK = 1 << 20


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalBlobStore:
    def __init__(self, root: Path, *, work_dir: Path, signer: UrlSigner) -> None:
        self.root = root
        self._tmp = work_dir / "tmp"
        self._multipart = work_dir / "multipart"
        self.signer = signer
        for d in (root, self._tmp, self._multipart):
            d.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    # -- atomic writes -------------------------------------------------------------------------
    def write_stream(
        self,
        key: str,
        chunks: Iterable[bytes],
        *,
        max_bytes: int | None = None,
        sha256_hex: str | None = None,
    ) -> int:
        """Stream `chunks` into `key` atomically; enforce a size bound and an optional checksum."""
        target = self._path(key)
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"body is over the granted {max_bytes} bytes", field="Content-Length")
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            if sha256_hex and digest.hexdigest() != sha256_hex.lower():
                raise InvalidInput("body does not match the granted sha256", field="sha256")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, target)
            _fsync_dir(target.parent)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return size

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        self.write_stream(key, [data])

    # -- reads ---------------------------------------------------------------------------------
    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(f"no object at {key!r}", field="key") from None

    def open_path(self, key: str) -> Path:
        """The file behind `key`, for streaming responses in the embedded server."""
        path = self._path(key)
        if not path.is_file():
            raise NotFound(f"no object at {key!r}", field="key")
        return path

    def _info(self, key: str, path: Path) -> BlobInfo:
        st = path.stat()
        return BlobInfo(
            key=key,
            size=st.st_size,
            etag=f"{st.st_size:x}-{st.st_mtime_ns:x}",
            last_modified=datetime.fromtimestamp(st.st_mtime, tz=UTC),
            content_type=mimetypes.guess_type(key)[0] or "application/octet-stream",
        )

    def head(self, key: str) -> BlobInfo | None:
        path = self._path(key)
        return self._info(key, path) if path.is_file() else None

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        # Walk only the deepest directory the prefix names, then filter by the rest of it.
        base_dir = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if ".." in prefix.split("/") or "\x00" in prefix:
            raise InvalidInput("prefix must not contain '..' or NUL", field="prefix")
        if not base_dir.is_dir():
            return
        found: list[str] = []
        for dirpath, _, files in os.walk(base_dir):
            for name in files:
                key = Path(dirpath, name).relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    found.append(key)
        for key in sorted(found):
            path = self.root / key
            try:
                if not path.is_file():
                    continue
                info = self._info(key, path)
            except FileNotFoundError:
                continue  # deleted since the walk (a compaction removing its inputs): gone, as in S3
            yield info

    # -- removal and copy ----------------------------------------------------------------------
    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def copy(self, src: str, dst: str) -> None:
        validate_key(dst)
        try:
            fh = self._path(src).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(f"no object at {src!r}", field="src") from None
        with fh:
            self.write_stream(dst, iter(lambda: fh.read(_CHUNK), b""))

    # -- presigned access ----------------------------------------------------------------------
    def presign_put(
        self,
        key: str,
        *,
        expires_s: int,
        content_length: int,
        content_type: str,
        sha256_hex: str | None = None,
    ) -> PresignedRequest:
        validate_key(key)
        expires = int(now_epoch()) + expires_s
        grant = SignedGrant("PUT", key, expires, content_length, (sha256_hex or "").lower())
        return PresignedRequest(
            url=self.signer.url(key, grant),
            method="PUT",
            headers={"Content-Type": content_type},
            expires_at=datetime.fromtimestamp(expires, tz=UTC),
        )

    def presign_get(self, key: str, *, expires_s: int) -> PresignedRequest:
        validate_key(key)
        expires = int(now_epoch()) + expires_s
        grant = SignedGrant("GET", key, expires, 0)
        return PresignedRequest(
            url=self.signer.url(key, grant), method="GET", expires_at=datetime.fromtimestamp(expires, tz=UTC)
        )

    # -- multipart -----------------------------------------------------------------------------
    def _upload_dir(self, key: str, upload_id: str) -> Path:
        if not upload_id.isalnum():
            raise InvalidInput("upload id is not one this server issued", field="uploadId")
        path = self._multipart / upload_id
        marker = path / "key"
        if not marker.is_file() or marker.read_text() != key:
            raise NotFound(f"no multipart upload {upload_id!r} for {key!r}", field="uploadId")
        return path

    def create_multipart(self, key: str, *, content_type: str) -> str:
        validate_key(key)
        upload_id = secrets.token_hex(16)
        path = self._multipart / upload_id
        path.mkdir()
        (path / "key").write_text(key)
        return upload_id

    def presign_part(
        self, key: str, upload_id: str, part_number: int, *, expires_s: int, content_length: int
    ) -> PresignedRequest:
        self._upload_dir(key, upload_id)
        if not 1 <= part_number <= 10_000:
            raise InvalidInput("part number must be 1..10000", field="partNumber")
        expires = int(now_epoch()) + expires_s
        grant = SignedGrant("PUT", f"{key}#{upload_id}#{part_number}", expires, content_length)
        url = self.signer.url(key, grant, {"uploadId": upload_id, "partNumber": str(part_number)})
        return PresignedRequest(url=url, method="PUT", expires_at=datetime.fromtimestamp(expires, tz=UTC))

    def write_part(
        self, key: str, upload_id: str, part_number: int, chunks: Iterable[bytes], *, max_bytes: int
    ) -> str:
        """Store one part atomically; returns its ETag (md5 hex, as S3 answers)."""
        path = self._upload_dir(key, upload_id)
        digest = hashlib.md5(usedforsecurity=False)
        fd, tmp_name = tempfile.mkstemp(dir=path, prefix="part-tmp-")
        size = 0
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"part is over the granted {max_bytes} bytes", field="Content-Length")
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, path / f"part-{part_number:05d}-{digest.hexdigest()}")
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return digest.hexdigest()

    def complete_multipart(self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]) -> None:
        path = self._upload_dir(key, upload_id)
        if not parts:
            raise InvalidInput("a multipart upload needs at least one part", field="parts")
        files: builtins.list[Path] = []
        for number, etag in sorted(parts):
            part = path / f"part-{number:05d}-{etag.strip(chr(34)).lower()}"
            if not part.is_file():
                raise InvalidInput(f"part {number} with etag {etag} was not uploaded", field="parts")
            files.append(part)

        def chunks() -> Iterator[bytes]:
            for part in files:
                with part.open("rb") as fh:
                    while block := fh.read(_CHUNK):
                        yield block

        self.write_stream(key, chunks())
        shutil.rmtree(path, ignore_errors=True)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            path = self._upload_dir(key, upload_id)
        except NotFound:
            return
        shutil.rmtree(path, ignore_errors=True)

    def location(self, prefix: str = "") -> ObjectLocation:
        return ObjectLocation(uri=str(self.root / prefix) if prefix else str(self.root))
