"""References: entries whose bytes stay where they are (file://, s3://, http(s)://), recorded so that a
download gets exactly what was logged or fails saying why.

  file://   the MD5 of each file (wandb's digest); a download copies the file and checks the MD5.
  s3://     each object's ETag and, in a versioned bucket, its VersionId; a download asks for that
            version, or for the ETag with If-Match, so a changed object is never taken silently.
  http(s):// the ETag (and Content-Length) from a HEAD; a download checks the ETag it gets.
  gs://, az://, https://<account>.blob.core.windows.net/: generation/version and ETag (cloud_refs.py).
With checksum=False nothing is read: the digest is the URI itself, so a new version is made only when
the URI changes. boto3 is needed only for s3:// and imported on first use.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wanllmdb.artifacts import cloud_refs
from wanllmdb.artifacts.hashing import hash_files, md5_b64
from wanllmdb.artifacts.index import CacheIndex
from wanllmdb.artifacts.manifest import ArtifactManifestEntry
from wanllmdb.errors import UsageError

__all__ = ["SUPPORTED_SCHEMES", "ReferenceChanged", "fetch_reference", "resolve_reference"]

SUPPORTED_SCHEMES = ("file", "s3", "gs", "az", "http", "https")
DEFAULT_MAX_OBJECTS = 10_000_000


class ReferenceChanged(UsageError):
    """A referenced object is no longer what the artifact recorded."""


def _scheme(uri: str) -> str:
    scheme = urlsplit(uri).scheme.lower()
    if scheme in SUPPORTED_SCHEMES:
        return scheme
    note = ""
    supported = ", ".join(f"{s}://" for s in SUPPORTED_SCHEMES)
    raise UsageError(
        f"reference {uri!r}: the scheme {scheme + '://' if scheme else '(none)'} is not supported{note}; "
        f"supported: {supported}"
    )


def _too_many(uri: str, max_objects: int) -> UsageError:
    return UsageError(
        f"reference {uri!r} holds more than max_objects={max_objects} objects; raise max_objects"
    )


def _join(name: str | None, rel: str) -> str:
    return f"{name.strip('/')}/{rel}" if name else rel


def resolve_reference(
    uri: str, name: str | None, *, checksum: bool, max_objects: int | None, index: CacheIndex | None
) -> list[ArtifactManifestEntry]:
    scheme = _scheme(uri)
    limit = DEFAULT_MAX_OBJECTS if max_objects is None else int(max_objects)
    if not checksum:
        base = uri.rstrip("/").rsplit("/", 1)[-1] or urlsplit(uri).netloc
        return [ArtifactManifestEntry(path=name or base, digest=uri, ref=uri)]
    if scheme == "file":
        return _file_entries(uri, name, limit, index)
    if scheme == "s3":
        return _s3_entries(uri, name, limit)
    if scheme == "gs":
        return cloud_refs.gcs_entries(uri, name, limit)
    if scheme == "az" or cloud_refs.is_azure_https(uri):
        return cloud_refs.azure_entries(uri, name, limit)
    return [_http_entry(uri, name)]


# -- file:// ------------------------------------------------------------------------------------------
def _file_entries(
    uri: str, name: str | None, limit: int, index: CacheIndex | None
) -> list[ArtifactManifestEntry]:
    root = Path(unquote(urlsplit(uri).path))
    if root.is_file():
        files = [(name or root.name, root)]
    elif root.is_dir():
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                path = Path(dirpath) / filename
                files.append((_join(name, path.relative_to(root).as_posix()), path))
                if len(files) > limit:
                    raise _too_many(uri, limit)
    else:
        raise UsageError(f"reference {uri!r}: {str(root)!r} does not exist")
    digests = hash_files([p for _, p in files], index)
    return [
        ArtifactManifestEntry(
            path=rel, digest=d.md5, size=d.size, ref=path.resolve().as_uri(), extra={"md5": d.md5}
        )
        for (rel, path), d in zip(files, digests, strict=True)
    ]


# -- s3:// ---------------------------------------------------------------------------------------------
def _s3_client() -> Any:
    try:
        import boto3
    except ImportError:
        raise UsageError("s3:// references need boto3: pip install boto3") from None
    return boto3.client("s3")


def _s3_entry(path: str, bucket: str, key: str, head: dict[str, Any]) -> ArtifactManifestEntry:
    etag = str(head.get("ETag", "")).strip('"')
    extra = {"etag": etag}
    if head.get("VersionId") and head["VersionId"] != "null":
        extra["version_id"] = head["VersionId"]
    return ArtifactManifestEntry(
        path=path,
        digest=etag,
        size=int(head.get("ContentLength", head.get("Size", 0))),
        ref=f"s3://{bucket}/{key}",
        extra=extra,
    )


def _s3_entries(uri: str, name: str | None, limit: int) -> list[ArtifactManifestEntry]:
    parts = urlsplit(uri)
    bucket, key = parts.netloc, unquote(parts.path.lstrip("/"))
    client = _s3_client()
    if key and not key.endswith("/"):
        try:
            head = client.head_object(Bucket=bucket, Key=key)
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise UsageError(f"reference {uri!r}: {exc}") from None
        else:
            return [_s3_entry(name or key.rsplit("/", 1)[-1], bucket, key, head)]
    versioned = client.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled"
    prefix = key if not key or key.endswith("/") else key + "/"
    entries: list[ArtifactManifestEntry] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            if len(entries) >= limit:
                raise _too_many(uri, limit)
            head = client.head_object(Bucket=bucket, Key=obj["Key"]) if versioned else obj
            entries.append(_s3_entry(_join(name, obj["Key"][len(prefix) :]), bucket, obj["Key"], head))
    if not entries:
        raise UsageError(f"reference {uri!r}: no object or prefix of that name")
    return entries


# -- http(s):// ----------------------------------------------------------------------------------------
def _http_request(method: str, uri: str, **kwargs: Any) -> Any:
    """A request that follows up to 5 redirects itself, checking every hop (a redirect to the
    metadata service is refused like a direct reference to it)."""
    from urllib.parse import urljoin

    import urllib3

    pool = urllib3.PoolManager(
        retries=urllib3.Retry(3, redirect=False), timeout=urllib3.Timeout(connect=10, read=60)
    )
    for _ in range(6):
        _refuse_link_local(uri)
        resp = pool.request(method, uri, redirect=False, **kwargs)
        location = resp.headers.get("Location")
        if resp.status not in (301, 302, 303, 307, 308) or not location:
            return resp
        resp.release_conn()
        uri = urljoin(uri, location)
    raise UsageError(f"reference {uri!r}: more than 5 redirects")


def _refuse_link_local(uri: str) -> None:
    """Never record or fetch the cloud metadata service (169.254.169.254 and the rest of the
    link-local ranges): a reference there would copy the machine's credentials into an artifact."""
    import ipaddress
    import socket

    host = urlsplit(uri).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return  # unresolvable: the request itself fails and says so
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if ip.is_link_local or (ip.version == 6 and ip.ipv4_mapped and ip.ipv4_mapped.is_link_local):
            raise UsageError(
                f"reference {uri!r}: {host} is a link-local address (the cloud metadata service lives "
                "at 169.254.169.254); references there are refused"
            )


def _http_entry(uri: str, name: str | None) -> ArtifactManifestEntry:
    resp = _http_request("HEAD", uri)
    if resp.status >= 300:
        raise UsageError(f"reference {uri!r}: HEAD answered {resp.status}")
    etag = (resp.headers.get("ETag") or "").strip('"')
    size = resp.headers.get("Content-Length")
    base = urlsplit(uri).path.rstrip("/").rsplit("/", 1)[-1] or urlsplit(uri).netloc
    return ArtifactManifestEntry(
        path=name or base,
        digest=etag or uri,
        size=int(size) if size else None,
        ref=uri,
        extra={"etag": etag} if etag else {},
    )


# -- downloading ---------------------------------------------------------------------------------------
def fetch_reference(entry: ArtifactManifestEntry, dest: Path) -> None:
    """Write the referenced bytes to `dest` (temp name, then rename), exactly as recorded."""
    uri = entry.ref_url()
    scheme = _scheme(uri)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        if scheme == "file":
            _fetch_file(entry, uri, tmp)
        elif scheme == "s3":
            _fetch_s3(entry, uri, tmp)
        elif scheme == "gs":
            cloud_refs.fetch_gcs(entry, uri, tmp, _changed)
        elif scheme == "az" or cloud_refs.is_azure_https(uri):
            cloud_refs.fetch_azure(entry, uri, tmp, _changed)
        else:
            _fetch_http(entry, uri, tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def _changed(entry: ArtifactManifestEntry, uri: str, now: str) -> ReferenceChanged:
    return ReferenceChanged(
        f"reference {entry.path!r} ({uri}) changed since it was logged: recorded {entry.digest}, now {now}"
    )


def _fetch_file(entry: ArtifactManifestEntry, uri: str, tmp: Path) -> None:
    source = Path(unquote(urlsplit(uri).path))
    try:
        shutil.copyfile(source, tmp)
    except FileNotFoundError:
        raise ReferenceChanged(f"reference {entry.path!r}: {str(source)!r} no longer exists") from None
    if entry.digest != uri:  # checksummed when logged
        now = md5_b64(tmp.read_bytes()) if tmp.stat().st_size < (64 << 20) else hash_files([tmp], None)[0].md5
        if now != entry.digest:
            raise _changed(entry, uri, now)


def _fetch_s3(entry: ArtifactManifestEntry, uri: str, tmp: Path) -> None:
    parts = urlsplit(uri)
    bucket, key = parts.netloc, unquote(parts.path.lstrip("/"))
    client = _s3_client()
    args: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if entry.extra.get("version_id"):
        args["VersionId"] = entry.extra["version_id"]
    elif entry.extra.get("etag"):
        args["IfMatch"] = f'"{entry.extra["etag"]}"'
    try:
        obj = client.get_object(**args)
    except client.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("PreconditionFailed", "412", "NoSuchKey", "NoSuchVersion", "404"):
            raise _changed(entry, uri, f"{code} from S3") from None
        raise
    etag = str(obj.get("ETag", "")).strip('"')
    if entry.extra.get("etag") and etag != entry.extra["etag"]:
        raise _changed(entry, uri, etag)
    with open(tmp, "wb") as fh:
        for block in obj["Body"].iter_chunks(1 << 20):
            fh.write(block)


def _fetch_http(entry: ArtifactManifestEntry, uri: str, tmp: Path) -> None:
    resp = _http_request("GET", uri, preload_content=False)
    try:
        if resp.status >= 300:
            raise ReferenceChanged(f"reference {entry.path!r} ({uri}): GET answered {resp.status}")
        etag = (resp.headers.get("ETag") or "").strip('"')
        if entry.extra.get("etag") and etag != entry.extra["etag"]:
            raise _changed(entry, uri, etag or "no ETag")
        with open(tmp, "wb") as fh:
            for block in resp.stream(1 << 20):
                fh.write(block)
    finally:
        resp.release_conn()
