"""BlobStore on Google Cloud Storage: the JSON API over httpx, V4 signed URLs, compose for parts.

Not obstore here: object_store reads objects through GCS's XML API and insists on ETag and
Last-Modified headers that gcp-storage-emulator's XML answers lack, so no test could run it. The JSON
API is what the emulator implements fully, and it is a handful of plain HTTP calls.

A multipart upload stages each part as its own object under `.multipart/<upload id>/` (a V4-signed PUT
each), and `complete_multipart` composes them server-side into the key, 32 at a time as GCS allows,
then deletes them: no byte passes through the server. GCS binds a signed PUT to its Content-Type and
Content-Length; it has no SHA-256 request check (only MD5/CRC32C), so `sha256_hex` is not enforced.
"""

from __future__ import annotations

import builtins
import json
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from ..core.errors import InvalidInput, NotFound, UpstreamFailed
from ..core.security_headers import attachment_disposition, download_content_type
from ..ports.blob_store import BlobInfo, ObjectLocation, PresignedRequest, validate_key
from . import log_redaction
from .gcs_signing import GcsSigner
from .obstore_blobs import MARKERS, upload_marker_key

__all__ = ["GcsBlobStore"]

COMPOSE_MAX = 32
GCS_ENDPOINT = "https://storage.googleapis.com"


class GcsBlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        service_account: dict[str, str],
        prefix: str = "",
        endpoint: str | None = None,
    ) -> None:
        self.bucket = bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._account = service_account
        self._endpoint = (endpoint or GCS_ENDPOINT).rstrip("/")
        self._emulated = endpoint is not None
        self._signer = GcsSigner(
            service_account["client_email"], service_account["private_key"], self._endpoint
        )
        log_redaction.install()
        self._http = httpx.Client(timeout=30)
        self._token: tuple[str, float] | None = None

    def _name(self, key: str) -> str:
        return self._prefix + key

    def _auth(self) -> dict[str, str]:
        if self._emulated:
            return {}
        if self._token is None or self._token[1] < time.time() + 60:
            self._token = _service_account_token(self._http, self._account)
        return {"Authorization": f"Bearer {self._token[0]}"}

    def create_bucket(self) -> None:
        """Create the bucket (tests against the emulator; a team's bucket already exists)."""
        resp = self._http.post(
            f"{self._endpoint}/storage/v1/b", params={"project": "test"}, json={"name": self.bucket},
            headers=self._auth(),
        )  # fmt: skip
        resp.raise_for_status()

    def _object_url(self, key: str) -> str:
        return f"{self._endpoint}/storage/v1/b/{self.bucket}/o/{quote(self._name(key), safe='')}"

    def _info(self, key: str, item: dict[str, Any]) -> BlobInfo:
        return BlobInfo(
            key,
            int(item.get("size", 0)),
            str(item.get("etag") or item.get("md5Hash") or item.get("generation", "")),
            datetime.fromisoformat(str(item["updated"]).replace("Z", "+00:00")),
            item.get("contentType"),
        )

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        # GCS replaces an object atomically: a reader sees the old generation or the new one.
        # A multipart (metadata + media) upload: the type travels in the metadata, so a JSON object is
        # stored as bytes, never parsed as the request's own metadata.
        boundary = uuid.uuid4().hex
        meta = json.dumps({"name": self._name(validate_key(key)), "contentType": content_type})
        body = (
            (
                f"--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{meta}\r\n"
                f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        resp = self._http.post(
            f"{self._endpoint}/upload/storage/v1/b/{self.bucket}/o",
            params={"uploadType": "multipart"},
            content=body,
            headers={"Content-Type": f"multipart/related; boundary={boundary}", **self._auth()},
        )
        resp.raise_for_status()

    def get(self, key: str) -> bytes:
        resp = self._http.get(
            self._object_url(validate_key(key)), params={"alt": "media"}, headers=self._auth()
        )
        if resp.status_code == 404:
            raise NotFound(f"no object at {key!r}", field="key")
        resp.raise_for_status()
        return resp.content

    def head(self, key: str) -> BlobInfo | None:
        resp = self._http.get(self._object_url(validate_key(key)), headers=self._auth())
        if resp.status_code == 404:
            return None
        resp.raise_for_status()
        return self._info(key, resp.json())

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        if ".." in prefix.split("/") or "\x00" in prefix:
            raise InvalidInput("prefix must not contain '..' or NUL", field="prefix")
        for item in self._items(self._name(prefix)):
            key = str(item["name"])[len(self._prefix) :]
            if not key.startswith(MARKERS + "/"):
                yield self._info(key, item)

    def _items(self, full_prefix: str) -> Iterator[dict[str, Any]]:
        params = {"prefix": full_prefix}
        while True:
            resp = self._http.get(f"{self._endpoint}/storage/v1/b/{self.bucket}/o", params=params,
                                  headers=self._auth())  # fmt: skip
            resp.raise_for_status()
            body = resp.json()
            yield from sorted(body.get("items", []), key=lambda item: str(item["name"]))
            if not body.get("nextPageToken"):
                return
            params["pageToken"] = body["nextPageToken"]

    def delete(self, key: str) -> None:
        resp = self._http.delete(self._object_url(validate_key(key)), headers=self._auth())
        if resp.status_code not in (404, 410):
            resp.raise_for_status()

    def copy(self, src: str, dst: str) -> None:
        validate_key(dst)
        target = quote(self._name(dst), safe="")
        resp = self._http.post(f"{self._object_url(validate_key(src))}/rewriteTo/b/{self.bucket}/o/{target}",
                               headers=self._auth())  # fmt: skip
        if resp.status_code == 404:
            raise NotFound(f"no object at {src!r}", field="src")
        resp.raise_for_status()

    def _write_marker(self, upload_id: str, key: str, content_type: str) -> None:
        body = json.dumps({"key": key, "content_type": content_type}).encode()
        self.put(upload_marker_key(upload_id), body, content_type="application/json")

    def _read_marker(self, upload_id: str, key: str) -> dict[str, str]:
        try:
            marker: dict[str, str] = json.loads(self.get(upload_marker_key(upload_id)))
        except NotFound:
            marker = {}
        if marker.get("key") != key:
            raise NotFound(f"no multipart upload {upload_id!r} for {key!r}", field="uploadId")
        return marker

    def presign_put(
        self,
        key: str,
        *,
        expires_s: int,
        content_length: int,
        content_type: str,
        sha256_hex: str | None = None,
    ) -> PresignedRequest:
        headers = {"Content-Type": content_type, "Content-Length": str(content_length)}
        url, expires_at = self._signer.sign(
            "PUT", self.bucket, self._name(validate_key(key)), expires_s=expires_s, headers=headers
        )
        return PresignedRequest(url=url, method="PUT", headers=headers, expires_at=expires_at)

    def presign_get(self, key: str, *, expires_s: int) -> PresignedRequest:
        query = {
            "response-content-disposition": attachment_disposition(key),
            "response-content-type": download_content_type(key),
        }
        url, expires_at = self._signer.sign(
            "GET", self.bucket, self._name(validate_key(key)), expires_s=expires_s, query=query
        )
        return PresignedRequest(url=url, method="GET", expires_at=expires_at)

    def create_multipart(self, key: str, *, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        self._write_marker(upload_id, validate_key(key), content_type)
        return upload_id

    def _part_key(self, upload_id: str, part_number: int) -> str:
        return f"{upload_marker_key(upload_id)}/{part_number:05d}"

    def presign_part(
        self, key: str, upload_id: str, part_number: int, *, expires_s: int, content_length: int
    ) -> PresignedRequest:
        validate_key(key)
        if not 1 <= part_number <= 10_000:
            raise InvalidInput("part number must be 1..10000", field="partNumber")
        headers = {"Content-Length": str(content_length)}
        url, expires_at = self._signer.sign(
            "PUT", self.bucket, self._name(self._part_key(upload_id, part_number)),
            expires_s=expires_s, headers=headers,
        )  # fmt: skip
        return PresignedRequest(url=url, method="PUT", headers=headers, expires_at=expires_at)

    def complete_multipart(self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]) -> None:
        if not parts:
            raise InvalidInput("a multipart upload needs at least one part", field="parts")
        marker = self._read_marker(upload_id, validate_key(key))
        sources = []
        for number, etag in sorted(parts):
            info = self.head(self._part_key(upload_id, number))
            # An empty ETag is accepted: some emulators answer a PUT without one.
            if info is None or (etag.strip('"') and etag.strip('"') != info.etag):
                raise InvalidInput("a listed part was not uploaded or its ETag differs", field="parts")
            sources.append(self._part_key(upload_id, number))
        round_number = 0
        while len(sources) > COMPOSE_MAX:
            round_number += 1
            merged = []
            for start in range(0, len(sources), COMPOSE_MAX):
                target = f"{upload_marker_key(upload_id)}/r{round_number}-{start:05d}"
                self._compose(sources[start : start + COMPOSE_MAX], target, marker["content_type"])
                merged.append(target)
            sources = merged
        self._compose(sources, key, marker["content_type"])
        self.abort_multipart(key, upload_id)

    def _compose(self, sources: builtins.list[str], target: str, content_type: str) -> None:
        url = f"{self._endpoint}/storage/v1/b/{self.bucket}/o/{quote(self._name(target), safe='')}/compose"
        body = {
            "sourceObjects": [{"name": self._name(s)} for s in sources],
            "destination": {"contentType": content_type},
        }
        resp = self._http.post(url, json=body, headers=self._auth())
        if resp.status_code == 404:
            raise InvalidInput("a listed part was not uploaded", field="parts")
        resp.raise_for_status()

    def abort_multipart(self, key: str, upload_id: str) -> None:
        validate_key(key)
        marker = upload_marker_key(upload_id)
        for item in builtins.list(self._items(self._name(marker + "/"))):
            self.delete(str(item["name"])[len(self._prefix) :])
        self.delete(marker)

    def location(self, prefix: str = "") -> ObjectLocation:
        options = {"google_service_account_key": json.dumps(self._account)}
        if self._emulated:
            options = {"google_base_url": self._endpoint, "google_skip_signature": "true"}
        return ObjectLocation(uri=f"gs://{self.bucket}/{self._prefix}{prefix}", storage_options=options)


def _service_account_token(http: httpx.Client, account: dict[str, str]) -> tuple[str, float]:
    """An OAuth access token from the service account's key (the JWT bearer grant, RFC 7523)."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    now = int(time.time())
    token_uri = account.get("token_uri", "https://oauth2.googleapis.com/token")
    claims: dict[str, Any] = {
        "iss": account["client_email"],
        "scope": "https://www.googleapis.com/auth/devstorage.read_write",
        "aud": token_uri,
        "iat": now,
        "exp": now + 3600,
    }
    assertion = jwt.encode({"alg": "RS256"}, claims, RSAKey.import_key(account["private_key"]))
    resp = http.post(
        token_uri,
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
    )
    if resp.status_code != 200:
        raise UpstreamFailed(
            f"Google refused the service account's token request ({resp.status_code}); check "
            "GOOGLE_APPLICATION_CREDENTIALS"
        )
    body = resp.json()
    return str(body["access_token"]), now + float(body.get("expires_in", 3600))
