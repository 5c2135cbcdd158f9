"""gs:// and Azure Blob references (az://container/path, https://<account>.blob.core.windows.net/...).

  gs://   each object's generation and ETag (JSON API); a download asks for that generation, so a
          rewritten object is refused, never taken. Credentials: GOOGLE_APPLICATION_CREDENTIALS (a
          service account key); STORAGE_EMULATOR_HOST points at an emulator, which takes no token.
  Azure   each blob's ETag and, with versioning on, its version id (obstore, imported on first use);
          a download asks for that version, or for the ETag with If-Match. Credentials:
          AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY.
Credentials are always explicit: nothing here asks a cloud metadata server for ambient ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from wanllmdb.artifacts.manifest import ArtifactManifestEntry
from wanllmdb.errors import UsageError

__all__ = ["azure_entries", "fetch_azure", "fetch_gcs", "gcs_entries", "is_azure_https"]

AZURE_HOST_SUFFIX = ".blob.core.windows.net"


class _Changed(UsageError):
    pass


def _join(name: str | None, rel: str) -> str:
    return f"{name.strip('/')}/{rel}" if name else rel


def _too_many(uri: str, limit: int) -> UsageError:
    return UsageError(f"reference {uri!r} holds more than max_objects={limit} objects; raise max_objects")


# -- gs:// ---------------------------------------------------------------------------------------------
class _Gcs:
    def __init__(self) -> None:
        import urllib3

        emulator = os.environ.get("STORAGE_EMULATOR_HOST")
        if emulator:
            self.base = (emulator if "://" in emulator else f"http://{emulator}").rstrip("/")
        else:
            self.base = "https://storage.googleapis.com"
        retries = urllib3.Retry(3)
        self.pool = urllib3.PoolManager(retries=retries, timeout=urllib3.Timeout(connect=10, read=60))
        self.token: tuple[str, float] | None = None
        self.emulated = bool(emulator)

    def headers(self) -> dict[str, str]:
        if self.emulated:
            return {}
        if self.token is None or self.token[1] < time.time() + 60:
            self.token = _google_token(self.pool)
        return {"Authorization": f"Bearer {self.token[0]}"}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.pool.request(method, f"{self.base}{path}", headers=self.headers(), **kwargs)


def _google_token(pool: Any) -> tuple[str, float]:
    key_file = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not key_file:
        raise UsageError("gs:// references need GOOGLE_APPLICATION_CREDENTIALS (a service account JSON key)")
    try:
        from joserfc import jwt
        from joserfc.jwk import RSAKey
    except ImportError:
        raise UsageError("gs:// references need joserfc: pip install 'wanllmdb[server]'") from None
    account = json.loads(Path(key_file).read_text())
    now = int(time.time())
    token_uri = account.get("token_uri", "https://oauth2.googleapis.com/token")
    claims = {"iss": account["client_email"], "aud": token_uri, "iat": now, "exp": now + 3600,
              "scope": "https://www.googleapis.com/auth/devstorage.read_only"}  # fmt: skip
    assertion = jwt.encode({"alg": "RS256"}, claims, RSAKey.import_key(account["private_key"]))
    resp = pool.request(
        "POST", token_uri,
        fields={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
        encode_multipart=False,
    )  # fmt: skip
    if resp.status != 200:
        raise UsageError(f"Google refused the token request for {account['client_email']} ({resp.status})")
    body = json.loads(resp.data)
    return str(body["access_token"]), now + float(body.get("expires_in", 3600))


def _gcs_entry(path: str, bucket: str, item: dict[str, Any]) -> ArtifactManifestEntry:
    etag = str(item.get("etag", ""))
    generation = str(item.get("generation", ""))
    extra = {"etag": etag, "generation": generation}
    if item.get("md5Hash"):  # composite objects have none, only a CRC32C
        extra["md5"] = str(item["md5Hash"])
    return ArtifactManifestEntry(
        path=path,
        digest=str(item.get("md5Hash") or etag or generation),
        size=int(item.get("size", 0)),
        ref=f"gs://{bucket}/{item['name']}",
        extra=extra,
    )


def gcs_entries(uri: str, name: str | None, limit: int) -> list[ArtifactManifestEntry]:
    parts = urlsplit(uri)
    bucket, key = parts.netloc, unquote(parts.path.lstrip("/"))
    gcs = _Gcs()
    if key and not key.endswith("/"):
        resp = gcs.request("GET", f"/storage/v1/b/{bucket}/o/{quote(key, safe='')}")
        if resp.status == 200:
            return [_gcs_entry(name or key.rsplit("/", 1)[-1], bucket, json.loads(resp.data))]
        if resp.status != 404:
            raise UsageError(f"reference {uri!r}: GCS answered {resp.status}")
    prefix = key if not key or key.endswith("/") else key + "/"
    entries: list[ArtifactManifestEntry] = []
    fields: dict[str, str] = {"prefix": prefix}
    while True:
        resp = gcs.request("GET", f"/storage/v1/b/{bucket}/o", fields=fields)
        if resp.status != 200:
            raise UsageError(f"reference {uri!r}: listing answered {resp.status}")
        body = json.loads(resp.data)
        for item in sorted(body.get("items", []), key=lambda i: str(i["name"])):
            if len(entries) >= limit:
                raise _too_many(uri, limit)
            entries.append(_gcs_entry(_join(name, str(item["name"])[len(prefix) :]), bucket, item))
        if not body.get("nextPageToken"):
            break
        fields["pageToken"] = body["nextPageToken"]
    if not entries:
        raise UsageError(f"reference {uri!r}: no object or prefix of that name")
    return entries


def fetch_gcs(entry: ArtifactManifestEntry, uri: str, tmp: Path, changed: Any) -> None:
    parts = urlsplit(uri)
    bucket, key = parts.netloc, unquote(parts.path.lstrip("/"))
    fields = {"alt": "media"}
    if entry.extra.get("generation"):
        fields["generation"] = str(entry.extra["generation"])
    resp = _Gcs().request("GET", f"/storage/v1/b/{bucket}/o/{quote(key, safe='')}", fields=fields,
                          preload_content=False)  # fmt: skip
    try:
        if resp.status == 404:
            raise changed(entry, uri, f"generation {entry.extra.get('generation')} is gone")
        if resp.status >= 300:
            raise changed(entry, uri, f"GCS answered {resp.status}")
        served = resp.headers.get("x-goog-generation")
        if served and entry.extra.get("generation") and served != entry.extra["generation"]:
            raise changed(entry, uri, f"generation {served}")
        digest = hashlib.md5()  # noqa: S324 - GCS's own content hash, compared, not trusted for secrecy
        with open(tmp, "wb") as fh:
            for block in resp.stream(1 << 20):
                digest.update(block)
                fh.write(block)
    finally:
        resp.release_conn()
    # Pinning the generation is the guard on GCS; the MD5 also catches a store that ignores the pin.
    now = base64.b64encode(digest.digest()).decode()
    if entry.extra.get("md5") and now != entry.extra["md5"]:
        raise changed(entry, uri, now)


# -- Azure ---------------------------------------------------------------------------------------------
def is_azure_https(uri: str) -> bool:
    return (urlsplit(uri).hostname or "").endswith(AZURE_HOST_SUFFIX)


def _connection_fields() -> dict[str, str]:
    value = os.environ.get("AZURE_STORAGE_CONNECTION_STRING", "")
    return dict(part.split("=", 1) for part in value.split(";") if "=" in part)


def _azure_target(uri: str) -> tuple[str, str, str, str | None]:
    """(account, container, blob path, endpoint) from az://container/path or the https form."""
    parts = urlsplit(uri)
    fields = dict(
        p.split("=", 1) for p in os.environ.get("AZURE_STORAGE_CONNECTION_STRING", "").split(";") if "=" in p
    )
    if parts.scheme == "az":
        account = os.environ.get("AZURE_STORAGE_ACCOUNT_NAME") or fields.get("AccountName")
        container, path = parts.netloc, unquote(parts.path.lstrip("/"))
    else:
        account = (parts.hostname or "").removesuffix(AZURE_HOST_SUFFIX)
        container, _, path = unquote(parts.path.lstrip("/")).partition("/")
    if not account:
        raise UsageError(
            f"reference {uri!r}: set AZURE_STORAGE_ACCOUNT_NAME (or AZURE_STORAGE_CONNECTION_STRING)"
        )
    return account, container, path, fields.get("BlobEndpoint")


def _azure_store(uri: str) -> tuple[Any, str, str, str]:
    account, container, path, endpoint = _azure_target(uri)
    fields = dict(
        p.split("=", 1) for p in os.environ.get("AZURE_STORAGE_CONNECTION_STRING", "").split(";") if "=" in p
    )
    key = os.environ.get("AZURE_STORAGE_ACCOUNT_KEY") or fields.get("AccountKey")
    if not key:
        raise UsageError(
            f"reference {uri!r}: set AZURE_STORAGE_ACCOUNT_KEY or AZURE_STORAGE_CONNECTION_STRING"
        )
    try:
        from obstore.store import AzureStore
    except ImportError:
        raise UsageError("Azure references need obstore: pip install obstore") from None
    config = {"account_name": account, "account_key": key}
    if endpoint:
        config["endpoint"] = endpoint
    allow_http = bool(endpoint and endpoint.startswith("http://"))
    store = AzureStore(container, config=config, client_options={"allow_http": allow_http})  # type: ignore[arg-type]
    return store, account, container, path


def _azure_entry(path: str, uri_base: str, meta: dict[str, Any]) -> ArtifactManifestEntry:
    etag = str(meta.get("e_tag") or "").strip('"')
    extra = {"etag": etag}
    if meta.get("version"):
        extra["version_id"] = str(meta["version"])
    return ArtifactManifestEntry(
        path=path, digest=etag, size=int(meta["size"]), ref=f"{uri_base}/{meta['path']}", extra=extra
    )


def _uri_base(uri: str, container: str) -> str:
    parts = urlsplit(uri)
    return f"az://{container}" if parts.scheme == "az" else f"https://{parts.netloc}/{container}"


def azure_entries(uri: str, name: str | None, limit: int) -> list[ArtifactManifestEntry]:
    import obstore
    from obstore.exceptions import NotFoundError

    store, _, container, path = _azure_store(uri)
    base = _uri_base(uri, container)
    if path and not path.endswith("/"):
        try:
            meta = obstore.head(store, path)
        except (NotFoundError, FileNotFoundError):
            pass
        else:
            return [_azure_entry(name or path.rsplit("/", 1)[-1], base, dict(meta))]
    prefix = path if not path or path.endswith("/") else path + "/"
    entries: list[ArtifactManifestEntry] = []
    for batch in obstore.list(store, prefix.rstrip("/") or None):
        for meta in sorted(batch, key=lambda m: str(m["path"])):
            if len(entries) >= limit:
                raise _too_many(uri, limit)
            entries.append(_azure_entry(_join(name, str(meta["path"])[len(prefix) :]), base, dict(meta)))
    if not entries:
        raise UsageError(f"reference {uri!r}: no object or prefix of that name")
    return sorted(entries, key=lambda e: e.path)


def fetch_azure(entry: ArtifactManifestEntry, uri: str, tmp: Path, changed: Any) -> None:
    import obstore
    from obstore.exceptions import NotFoundError, PreconditionError

    store, _, _, path = _azure_store(uri)
    options: dict[str, Any] = {}
    if entry.extra.get("version_id"):
        options["version"] = entry.extra["version_id"]
    elif entry.extra.get("etag"):
        options["if_match"] = f'"{entry.extra["etag"]}"'
    try:
        result = obstore.get(store, path, options=options)  # type: ignore[arg-type]
    except (NotFoundError, FileNotFoundError, PreconditionError):
        raise changed(entry, uri, "a different or missing blob") from None
    with open(tmp, "wb") as fh:
        for block in result:
            fh.write(block)
