"""The embedded server's object endpoint: the target of local presigned URLs.

Every request must carry a signature made by this server's UrlSigner for exactly this method,
key, expiry and length bound; no bearer token is involved, as with S3 presigned URLs.

These URLs share the dashboard's origin, so a GET never answers as a page: every object comes back
as a sandboxed, unsniffable attachment of a passive type (`core.security_headers.download_headers`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Annotated

from fastapi import Depends, Query, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from ..adapters.local_blobs import LocalBlobStore
from ..adapters.url_signing import SignedGrant
from ..app.deps import AppStateDep, StorageDep
from ..app.routing import ServiceRouter
from ..core.errors import InvalidInput, NotFound, TooLarge
from ..core.security_headers import download_headers

# Object bodies are bounded per URL by the signed max length, up to S3's single-PUT limit.
router = ServiceRouter(tags=["blobs"], include_in_schema=False, max_body_size=5 << 30)

_SPOOL_IN_MEMORY = 8 << 20
_READ = 1 << 20


def _local_store(storage: StorageDep) -> LocalBlobStore:
    if not isinstance(storage.blobs, LocalBlobStore):
        raise NotFound("the blob endpoint exists only in embedded mode; use the S3 URL you were given")
    return storage.blobs


@dataclass(frozen=True)
class SignedQuery:
    """The signature fields every presigned URL carries, checked the same way for each method."""

    method: Annotated[str, Query(alias="X-Wl-Method")]
    expires: Annotated[int, Query(alias="X-Wl-Expires")]
    max_length: Annotated[int, Query(alias="X-Wl-Max-Length", ge=0)]
    signature: Annotated[str, Query(alias="X-Wl-Signature")]
    sha256: Annotated[str, Query(alias="X-Wl-Sha256")] = ""

    def verify(self, store: LocalBlobStore, method: str, resource: str) -> None:
        if self.method != method:
            raise InvalidInput(f"this URL was not signed for {method}", field="X-Wl-Method")
        grant = SignedGrant(method, resource, self.expires, self.max_length, self.sha256.lower())
        store.signer.verify(grant, self.signature)


SignedQueryDep = Annotated[SignedQuery, Depends()]


async def _spool_body(request: Request, max_length: int) -> IO[bytes]:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_length:
        raise TooLarge(f"body of {declared} bytes is over the granted {max_length}", field="Content-Length")
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)  # noqa: SIM115 - caller closes it
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_length:
            spool.close()
            raise TooLarge(f"body is over the granted {max_length} bytes", field="Content-Length")
        spool.write(chunk)
    spool.seek(0)
    return spool


def _chunks(fh: IO[bytes]) -> Iterator[bytes]:
    yield from iter(lambda: fh.read(_READ), b"")


@router.put("/blobs/{key:path}")
async def put_blob(
    key: str,
    request: Request,
    state: AppStateDep,
    signed: SignedQueryDep,
    upload_id: Annotated[str | None, Query(alias="uploadId")] = None,
    part_number: Annotated[int | None, Query(alias="partNumber")] = None,
) -> Response:
    store = _local_store(state.storage)
    multipart = upload_id is not None and part_number is not None
    signed.verify(store, "PUT", f"{key}#{upload_id}#{part_number}" if multipart else key)
    max_length = signed.max_length
    body = await _spool_body(request, max_length)
    try:
        if multipart:
            assert upload_id is not None and part_number is not None
            etag = await run_in_threadpool(
                store.write_part, key, upload_id, part_number, _chunks(body), max_bytes=max_length
            )
            return Response(status_code=200, headers={"ETag": f'"{etag}"'})
        await run_in_threadpool(
            store.write_stream, key, _chunks(body), max_bytes=max_length, sha256_hex=signed.sha256 or None
        )
    finally:
        body.close()
    state.object_created.publish(key)
    return Response(status_code=200)


@router.get("/blobs/{key:path}")
def get_blob(
    key: str,
    storage: StorageDep,
    signed: SignedQueryDep,
) -> FileResponse:
    store = _local_store(storage)
    signed.verify(store, "GET", key)
    path = store.open_path(key)
    # The uploader chose the name and the type: a saved .html or .svg must not run as this origin.
    headers = download_headers(key)
    return FileResponse(path, media_type=headers.pop("Content-Type"), headers=headers)
