"""BlobStore on S3 through boto3: AWS, or any S3-compatible endpoint (MinIO) via `endpoint_url`.

Presigned PUTs sign Content-Type, Content-Length and the SHA-256 checksum, so S3 itself refuses
a body of any other size or content: the grant covers exactly one object of one size.

Presigned GETs override the stored type and disposition (response-content-type and
response-content-disposition, both signed): the object downloads as an attachment of a passive type,
whatever the uploader declared. S3 cannot add nosniff or CSP headers to a URL's response; the
bucket's own origin shares nothing with the dashboard's, which is the rest of the protection.
"""

from __future__ import annotations

import base64
import builtins
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ..core.errors import InvalidInput, NotFound
from ..core.security_headers import attachment_disposition, download_content_type
from ..ports.blob_store import BlobInfo, ObjectLocation, PresignedRequest, validate_key
from .aws_retries import client_config

__all__ = ["S3BlobStore"]


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound", "NoSuchUpload")


class S3BlobStore:
    def __init__(
        self,
        bucket: str,
        *,
        region: str,
        endpoint_url: str | None = None,
        client: Any = None,
        path_style: bool = False,
    ) -> None:
        self.bucket = bucket
        self._region = region
        self._endpoint_url = endpoint_url
        self._client = client
        # MinIO and most S3-compatible stores serve http://host:port/bucket/key, not a bucket subdomain.
        self._path_style = path_style

    @property
    def client(self) -> Any:
        # Created on first use, never at import: Lambda cold starts and tests stay cheap.
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3",
                region_name=self._region,
                endpoint_url=self._endpoint_url,
                config=client_config(
                    signature_version="s3v4",
                    s3={"addressing_style": "path" if self._path_style else "auto"},
                ),
            )
        return self._client

    def create_bucket(self) -> None:
        """Create the bucket (tests and local aws runs; CDK owns it in AWS)."""
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self._region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self._region}
        self.client.create_bucket(**kwargs)

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        self.client.put_object(Bucket=self.bucket, Key=validate_key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return bytes(self.client.get_object(Bucket=self.bucket, Key=validate_key(key))["Body"].read())
        except ClientError as exc:
            if _missing(exc):
                raise NotFound(f"no object at {key!r}", field="key") from None
            raise

    def head(self, key: str) -> BlobInfo | None:
        try:
            meta = self.client.head_object(Bucket=self.bucket, Key=validate_key(key))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return BlobInfo(
            key, meta["ContentLength"], meta["ETag"].strip('"'), meta["LastModified"], meta.get("ContentType")
        )

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        if ".." in prefix.split("/") or "\x00" in prefix:
            raise InvalidInput("prefix must not contain '..' or NUL", field="prefix")
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield BlobInfo(obj["Key"], obj["Size"], obj["ETag"].strip('"'), obj["LastModified"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=validate_key(key))

    def copy(self, src: str, dst: str) -> None:
        try:
            self.client.copy_object(
                Bucket=self.bucket,
                Key=validate_key(dst),
                CopySource={"Bucket": self.bucket, "Key": validate_key(src)},
            )
        except ClientError as exc:
            if _missing(exc):
                raise NotFound(f"no object at {src!r}", field="src") from None
            raise

    def _presign(self, operation: str, params: dict[str, Any], expires_s: int) -> tuple[str, datetime]:
        url = self.client.generate_presigned_url(
            operation, Params={"Bucket": self.bucket, **params}, ExpiresIn=expires_s
        )
        return url, datetime.now(tz=UTC) + timedelta(seconds=expires_s)

    def presign_put(
        self,
        key: str,
        *,
        expires_s: int,
        content_length: int,
        content_type: str,
        sha256_hex: str | None = None,
    ) -> PresignedRequest:
        params: dict[str, Any] = {
            "Key": validate_key(key),
            "ContentType": content_type,
            "ContentLength": content_length,
        }
        headers = {"Content-Type": content_type, "Content-Length": str(content_length)}
        if sha256_hex:
            checksum = base64.b64encode(bytes.fromhex(sha256_hex)).decode()
            params["ChecksumSHA256"] = checksum
            headers["x-amz-checksum-sha256"] = checksum
        url, expires_at = self._presign("put_object", params, expires_s)
        return PresignedRequest(url=url, method="PUT", headers=headers, expires_at=expires_at)

    def presign_get(self, key: str, *, expires_s: int) -> PresignedRequest:
        params = {
            "Key": validate_key(key),
            "ResponseContentDisposition": attachment_disposition(key),
            "ResponseContentType": download_content_type(key),
        }
        url, expires_at = self._presign("get_object", params, expires_s)
        return PresignedRequest(url=url, method="GET", expires_at=expires_at)

    def create_multipart(self, key: str, *, content_type: str) -> str:
        result = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=validate_key(key), ContentType=content_type
        )
        return str(result["UploadId"])

    def presign_part(
        self, key: str, upload_id: str, part_number: int, *, expires_s: int, content_length: int
    ) -> PresignedRequest:
        if not 1 <= part_number <= 10_000:
            raise InvalidInput("part number must be 1..10000", field="partNumber")
        params = {
            "Key": validate_key(key),
            "UploadId": upload_id,
            "PartNumber": part_number,
            "ContentLength": content_length,
        }
        url, expires_at = self._presign("upload_part", params, expires_s)
        return PresignedRequest(
            url=url, method="PUT", headers={"Content-Length": str(content_length)}, expires_at=expires_at
        )

    def complete_multipart(self, key: str, upload_id: str, parts: builtins.list[tuple[int, str]]) -> None:
        if not parts:
            raise InvalidInput("a multipart upload needs at least one part", field="parts")
        try:
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=validate_key(key),
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in sorted(parts)]},
            )
        except ClientError as exc:
            if _missing(exc):
                raise NotFound(f"no multipart upload {upload_id!r} for {key!r}", field="uploadId") from None
            if exc.response.get("Error", {}).get("Code") in ("InvalidPart", "InvalidPartOrder"):
                raise InvalidInput(
                    "a listed part was not uploaded or its ETag differs", field="parts"
                ) from None
            raise

    def abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=validate_key(key), UploadId=upload_id)
        except ClientError as exc:
            if not _missing(exc):
                raise

    def location(self, prefix: str = "") -> ObjectLocation:
        options = {"aws_region": self._region}
        if self._endpoint_url:
            options["aws_endpoint_url"] = self._endpoint_url
            options["aws_allow_http"] = "true" if self._endpoint_url.startswith("http://") else "false"
        if self._path_style:
            options["aws_virtual_hosted_style_request"] = "false"
        return ObjectLocation(uri=f"s3://{self.bucket}/{prefix}", storage_options=options)
