"""WANLLMDB_BLOB_URL: the one setting that picks a BlobStore, built-in or from a plug-in package.

Credentials are read and checked here, when the server starts, so a missing key is said then (naming
the variable to set) and not at the first upload. Every client gets its credentials explicitly: none
falls back to an ambient chain that would ask the cloud metadata server (169.254.169.254).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..core.settings import Settings, SettingsError
from ..ports import BlobStore

__all__ = ["BUILT_IN_SCHEMES", "ENTRY_POINT_GROUP", "blob_store_from_url", "supported_schemes"]

ENTRY_POINT_GROUP = "wanllmdb.blob_stores"
BUILT_IN_SCHEMES = ("file", "s3", "gs", "az")
VARIABLE = "WANLLMDB_BLOB_URL"

# A plug-in's factory: (the whole URL, the settings) -> a BlobStore. Raise SettingsError for bad input.
BlobStoreFactory = Callable[[str, Settings], BlobStore]


def _plugins() -> dict[str, BlobStoreFactory]:
    return {ep.name: ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)}


def supported_schemes() -> tuple[str, ...]:
    return BUILT_IN_SCHEMES + tuple(sorted(n for n in _plugin_names() if n not in BUILT_IN_SCHEMES))


def _plugin_names() -> list[str]:
    return [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)]


def blob_store_from_url(settings: Settings, environ: Mapping[str, str] | None = None) -> BlobStore:
    url = settings.blob_url or ""
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        # file://relative/path puts "relative" in the host: an absolute path has three slashes.
        path = Path(unquote(parts.path)) if parts.netloc in ("", "localhost") else Path("relative")
        return _local(settings, path)
    if scheme == "s3":
        return _s3(settings, parts.netloc, parts.path, parse_qs(parts.query), env)
    if scheme == "gs":
        return _gcs(parts.netloc, parts.path, parse_qs(parts.query), env)
    if scheme == "az":
        return _azure(parts.netloc, parts.path, parse_qs(parts.query), env)
    factory = _plugins().get(scheme)
    if factory is None:
        raise SettingsError(
            f"{VARIABLE}={url!r}: unknown scheme {scheme + '://' if scheme else '(none)'}; supported: "
            + ", ".join(f"{s}://" for s in supported_schemes())
            + f" (a package can add one through the {ENTRY_POINT_GROUP!r} entry-point group)"
        )
    return factory(url, settings)


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _need(container: str, url_kind: str) -> str:
    if not container:
        raise SettingsError(f"{VARIABLE} needs a bucket or container name: {url_kind}")
    return container


def _local(settings: Settings, path: Path) -> BlobStore:
    from ..adapters.local_blobs import LocalBlobStore
    from .signing import blob_url_signer

    if not path.is_absolute():
        raise SettingsError(
            f"{VARIABLE}: a file:// URL needs an absolute path, e.g. file:///srv/wanllmdb/lake"
        )
    # The work folder (temp files renamed into the lake, multipart parts) sits beside the lake, not in
    # the data dir: a rename must stay on one filesystem, and replicas sharing the lake must see the
    # parts another replica received for an upload it completes.
    work_dir = path.with_name(f"{path.name}.work")
    return LocalBlobStore(path, work_dir=work_dir, signer=blob_url_signer(settings))


def _s3(
    settings: Settings, bucket: str, path: str, query: dict[str, list[str]], env: Mapping[str, str]
) -> BlobStore:
    from ..adapters.s3_blobs import S3BlobStore

    _need(bucket, "s3://bucket/prefix[?endpoint=http://host:9000]")
    if path.strip("/"):
        raise SettingsError(
            f"{VARIABLE}: s3:// takes a bucket only (s3://{bucket}); a prefix inside it is not supported yet"
        )
    endpoint = _one(query, "endpoint")
    ambient = any(
        env.get(name)
        for name in (
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        )
    )
    has_keys = bool(env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"))
    # A custom endpoint (MinIO) only ever takes keys; AWS may also use a profile or a task role.
    if not has_keys and (endpoint or not ambient):
        raise SettingsError(
            f"{VARIABLE}=s3://{bucket}: no AWS credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            + ("" if endpoint else " (or AWS_PROFILE, or run with a task or web-identity role)")
        )
    return S3BlobStore(
        bucket,
        region=_one(query, "region") or settings.region,
        endpoint_url=endpoint,
        path_style=endpoint is not None,
    )


def _gcs(bucket: str, path: str, query: dict[str, list[str]], env: Mapping[str, str]) -> BlobStore:
    from ..adapters.gcs_blobs import GcsBlobStore

    _need(bucket, "gs://bucket/prefix")
    key_file = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    hint = (
        "set GOOGLE_APPLICATION_CREDENTIALS to a service account's JSON key file "
        "(V4 signed URLs are signed with its private_key)"
    )
    if not key_file:
        raise SettingsError(f"{VARIABLE}=gs://{bucket}: no Google credentials; {hint}")
    try:
        account = json.loads(Path(key_file).read_text())
    except (OSError, ValueError) as exc:
        raise SettingsError(
            f"GOOGLE_APPLICATION_CREDENTIALS={key_file!r} cannot be read ({exc}); {hint}"
        ) from None
    if not isinstance(account, dict) or not account.get("private_key") or not account.get("client_email"):
        raise SettingsError(
            f"GOOGLE_APPLICATION_CREDENTIALS={key_file!r} has no private_key/client_email; {hint}"
        )
    return GcsBlobStore(bucket, service_account=account, prefix=path, endpoint=_one(query, "endpoint"))


def _connection_string(value: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in value.split(";") if "=" in part)


def _azure(container: str, path: str, query: dict[str, list[str]], env: Mapping[str, str]) -> BlobStore:
    from ..adapters.azure_blobs import AzureBlobStore

    _need(container, "az://container/prefix")
    fields = _connection_string(env.get("AZURE_STORAGE_CONNECTION_STRING", ""))
    account = _one(query, "account") or env.get("AZURE_STORAGE_ACCOUNT_NAME") or fields.get("AccountName")
    key = env.get("AZURE_STORAGE_ACCOUNT_KEY") or fields.get("AccountKey")
    endpoint = _one(query, "endpoint") or fields.get("BlobEndpoint")
    if not account or not key:
        missing = "AZURE_STORAGE_ACCOUNT_NAME" if not account else "AZURE_STORAGE_ACCOUNT_KEY"
        raise SettingsError(
            f"{VARIABLE}=az://{container}: no Azure credentials; set {missing} (with "
            "AZURE_STORAGE_ACCOUNT_NAME and AZURE_STORAGE_ACCOUNT_KEY), or AZURE_STORAGE_CONNECTION_STRING "
            "(SAS URLs are signed with the account key)"
        )
    return AzureBlobStore(account, container, account_key=key, prefix=path, endpoint=endpoint)
