"""The webhook URL guard: a URL is parsed (never matched by a regex) and every address its host
resolves to must be public, so a webhook cannot reach the metadata service, the server's own ports or
a private network. The same check runs again at delivery, against DNS rebinding."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from ..core.errors import InvalidInput

__all__ = ["check_webhook_url", "resolve"]

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (A and AAAA)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InvalidInput(f"url: the host {host!r} does not resolve ({exc})", field="url") from None
    return sorted({str(info[4][0]) for info in infos})


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_webhook_url(url: str, *, allow_private: bool = False, resolver: Resolver = resolve) -> str:
    """`url` when it may receive webhooks; InvalidInput naming `url` otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"url: not a valid URL ({exc})", field="url") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidInput(
            "url: a webhook URL is https://host/path (http:// only for private test hosts)", field="url"
        )
    if parts.username or parts.password:
        raise InvalidInput("url: put credentials in the webhook's secret, not in its URL", field="url")
    if allow_private:
        return url
    if parts.scheme != "https":
        raise InvalidInput("url: webhooks are sent over https://", field="url")
    host = parts.hostname
    for address in resolver(host, port or 443):
        if _private(address):
            raise InvalidInput(
                f"url: {host} resolves to {address}, a private, loopback or link-local address; webhooks "
                "go to public hosts only (an operator may allow private ones with "
                "WANLLMDB_WEBHOOK_ALLOW_PRIVATE=true)",
                field="url",
            )
    return url
