"""BlobStore on Azure Blob Storage: obstore for data, service SAS for clients, blocks for multipart.

A multipart upload is Azure's own block upload: each part is a Put Block whose id is the upload id and
the part number (so the id is in the part's URL and no part list is kept), and `complete_multipart`
commits them with Put Block List. Put Block answers without an ETag, so the ETags handed back are not
checked here; a block that was never uploaded makes the commit fail (InvalidBlockList). A SAS cannot
bind a Content-Length, so a presigned PUT is bounded by its expiry and its single key only.
"""

from __future__ import annotations

import builtins
import uuid
from urllib.parse import quote
from xml.sax.saxutils import escape

import httpx

from ..core.errors import InvalidInput
from ..core.security_headers import attachment_disposition, download_content_type
from ..ports.blob_store import ObjectLocation, PresignedRequest, validate_key
from . import log_redaction
from .azure_sas import account_sas, blob_sas
from .obstore_blobs import ObstoreData, upload_marker_key

__all__ = ["AzureBlobStore", "block_id"]

# Short-lived SAS for the adapter's own block-list call; clients' URLs use the grant's expiry.
OWN_CALL_S = 300


def block_id(upload_id: str, part_number: int) -> str:
    """40 characters of the base64 alphabet (a valid base64 string), equal length for every part."""
    return f"{upload_id}{part_number:08d}"


class AzureBlobStore(ObstoreData):
    def __init__(
        self,
        account: str,
        container: str,
        *,
        account_key: str,
        prefix: str = "",
        endpoint: str | None = None,
    ) -> None:
        from obstore.store import AzureStore

        self.account = account
        self.container = container
        self._key = account_key
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        # Azurite serves http://host:port/<account>; Azure serves https://<account>.blob.core.windows.net.
        self._endpoint = (endpoint or f"https://{account}.blob.core.windows.net").rstrip("/")
        self._store = AzureStore(
            container,
            prefix=self._prefix.rstrip("/") or None,
            config={"account_name": account, "account_key": account_key, "endpoint": self._endpoint},
            client_options={"allow_http": self._endpoint.startswith("http://")},
        )
        log_redaction.install()
        self._http = httpx.Client(timeout=30)

    def _blob(self, key: str) -> str:
        return self._prefix + key

    def blob_url(self, key: str) -> str:
        return f"{self._endpoint}/{self.container}/{quote(self._blob(key), safe='/-_.~')}"

    def create_container(self) -> None:
        """Create the container (tests against Azurite; a team's container already exists)."""
        query = account_sas(self.account, self._key, permissions="c", resource_types="c", expires_s=60)
        resp = self._http.put(f"{self._endpoint}/{self.container}?restype=container&{query}")
        resp.raise_for_status()

    def presign_put(
        self,
        key: str,
        *,
        expires_s: int,
        content_length: int,
        content_type: str,
        sha256_hex: str | None = None,
    ) -> PresignedRequest:
        query, expires_at = blob_sas(
            self.account, self._key, self.container, self._blob(validate_key(key)),
            permissions="cw", expires_s=expires_s,
        )  # fmt: skip
        headers = {
            "Content-Type": content_type,
            "Content-Length": str(content_length),
            "x-ms-blob-type": "BlockBlob",
        }
        return PresignedRequest(
            url=f"{self.blob_url(key)}?{query}", method="PUT", headers=headers, expires_at=expires_at
        )

    def presign_get(self, key: str, *, expires_s: int) -> PresignedRequest:
        query, expires_at = blob_sas(
            self.account, self._key, self.container, self._blob(validate_key(key)),
            permissions="r", expires_s=expires_s,
            content_disposition=attachment_disposition(key), content_type=download_content_type(key),
        )  # fmt: skip
        return PresignedRequest(url=f"{self.blob_url(key)}?{query}", method="GET", expires_at=expires_at)

    def create_multipart(self, key: str, *, content_type: str) -> str:
        upload_id = uuid.uuid4().hex
        self._write_marker(upload_id, validate_key(key), content_type)
        return upload_id

    def presign_part(
        self, key: str, upload_id: str, part_number: int, *, expires_s: int, content_length: int
    ) -> PresignedRequest:
        if not 1 <= part_number <= 10_000:
            raise InvalidInput("part number must be 1..10000", field="partNumber")
        query, expires_at = blob_sas(
            self.account, self._key, self.container, self._blob(validate_key(key)),
            permissions="w", expires_s=expires_s,
        )  # fmt: skip
        url = f"{self.blob_url(key)}?comp=block&blockid={block_id(upload_id, part_number)}&{query}"
        return PresignedRequest(
            url=url, method="PUT", headers={"Content-Length": str(content_length)}, expires_at=expires_at
        )

    def complete_multipart(self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]) -> None:
        if not parts:
            raise InvalidInput("a multipart upload needs at least one part", field="parts")
        marker = self._read_marker(upload_id, validate_key(key))
        ids = "".join(f"<Latest>{escape(block_id(upload_id, n))}</Latest>" for n, _ in sorted(parts))
        query, _ = blob_sas(
            self.account, self._key, self.container, self._blob(key), permissions="w", expires_s=OWN_CALL_S
        )
        resp = self._http.put(
            f"{self.blob_url(key)}?comp=blocklist&{query}",
            content=f'<?xml version="1.0" encoding="utf-8"?><BlockList>{ids}</BlockList>'.encode(),
            headers={"x-ms-blob-content-type": marker["content_type"], "x-ms-version": "2021-08-06"},
        )
        if resp.status_code == 400 and "InvalidBlockList" in resp.text:
            raise InvalidInput("a listed part was not uploaded", field="parts")
        resp.raise_for_status()
        self.abort_multipart(key, upload_id)

    def abort_multipart(self, key: str, upload_id: str) -> None:
        # Uncommitted blocks are dropped by the service after a week; the marker is ours to remove.
        validate_key(key)
        self.delete(upload_marker_key(upload_id))

    def location(self, prefix: str = "") -> ObjectLocation:
        options = {"azure_storage_account_name": self.account, "azure_storage_account_key": self._key,
                   "azure_storage_endpoint": self._endpoint}  # fmt: skip
        return ObjectLocation(uri=f"az://{self.container}/{self._prefix}{prefix}", storage_options=options)
