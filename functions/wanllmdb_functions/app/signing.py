"""The local blob endpoint's URL-signing secret: from settings when replicas share it, else the data dir's."""

from __future__ import annotations

from ..adapters.url_signing import UrlSigner, load_or_create_secret
from ..core.settings import Settings

__all__ = ["blob_url_signer"]


def blob_url_signer(settings: Settings) -> UrlSigner:
    """Replicas behind one load balancer hand out URLs that any of them must accept, so they need one
    secret (WANLLMDB_BLOB_SIGNING_SECRET); a lone server keeps its own in the data dir."""
    if settings.blob_signing_secret is not None:
        secret = bytes.fromhex(settings.blob_signing_secret.get_secret_value())
    else:
        secret = load_or_create_secret(settings.data_dir.expanduser())
    return UrlSigner(secret, settings.base_url)
