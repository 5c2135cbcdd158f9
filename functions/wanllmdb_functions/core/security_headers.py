"""What the browser is told about each response, in one place: the dashboard, and user content.

User content (files a run `save()`d, media, exports) is never a page of the dashboard: every download
is an attachment, typed so that nothing in it can run, sandboxed and unsniffable. The local blob
endpoint sends all of `download_headers`; S3 presigned GETs carry what S3 lets a URL set
(Content-Disposition and Content-Type), and come from the bucket's own origin besides.

The dashboard itself (the SPA's index.html and assets) is served with `DASHBOARD_HEADERS`, locally
by the embedded server and on AWS by the CloudFront response headers policy (infra_cdk/site.py).
This module imports nothing from the rest of the package, so infra_cdk can share its values.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import quote

__all__ = [
    "DASHBOARD_CSP",
    "DASHBOARD_HEADERS",
    "DOWNLOAD_FALLBACK_TYPE",
    "REFERRER_POLICY",
    "USER_CONTENT_CSP",
    "USER_CONTENT_HEADERS",
    "DashboardHeaders",
    "attachment_disposition",
    "dashboard_csp",
    "download_content_type",
    "download_headers",
]


# No inline script, no eval, no plugins, no framing, no <base> rewrite: an injected <script> or on*=
# attribute has nothing to run. Stylesheets and <style> elements come only from this origin; style
# *attributes* are allowed (style-src-attr), because the chart and grid libraries position elements
# with them, and an attribute can neither load anything nor run script.
def dashboard_csp(user_content_origins: Sequence[str] = ()) -> str:
    """The dashboard's CSP. `user_content_origins` are where presigned GETs point when that is not this
    origin (the lake bucket on AWS): media panels show and fetch from there, and nothing else may."""
    extra = "".join(f" {origin}" for origin in user_content_origins)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "style-src-attr 'unsafe-inline'",
            f"img-src 'self' data: blob:{extra}",
            f"media-src 'self' blob:{extra}",
            "font-src 'self'",
            f"connect-src 'self'{extra}",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )


# The embedded server's policy: there, presigned GETs are URLs of the server itself.
DASHBOARD_CSP = dashboard_csp()
# Presigned URLs carry signatures in their query string: never send them, or our paths, elsewhere.
REFERRER_POLICY = "no-referrer"
DASHBOARD_HEADERS: dict[str, str] = {
    "Content-Security-Policy": DASHBOARD_CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": REFERRER_POLICY,
    "X-Frame-Options": "DENY",
}

# `sandbox` gives a document that a browser renders anyway a unique opaque origin with scripts off.
USER_CONTENT_CSP = "sandbox; default-src 'none'"
USER_CONTENT_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": USER_CONTENT_CSP,
    "Referrer-Policy": REFERRER_POLICY,
}

DOWNLOAD_FALLBACK_TYPE = "application/octet-stream"
# Types no browser executes or renders as a document with script. Anything else (text/html,
# image/svg+xml, XML, PDF, JavaScript, CSS, or a type the uploader made up) is sent as
# application/octet-stream. An allowlist, because the uploader chooses both the name and the type.
_PASSIVE_TYPES = frozenset(
    {
        "application/gzip",
        "application/json",
        "application/vnd.apache.parquet",
        "application/x-tar",
        "application/zip",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "audio/x-wav",
        "image/avif",
        "image/bmp",
        "image/gif",
        "image/jpeg",
        "image/png",
        "image/webp",
        "text/csv",
        "text/plain",
        "video/mp4",
        "video/webm",
    }
)
_UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')


def download_content_type(key: str) -> str:
    """The Content-Type a download of `key` is sent with: passive types by extension, else opaque bytes."""
    guessed = mimetypes.guess_type(key.rsplit("/", 1)[-1], strict=False)[0]
    return guessed if guessed in _PASSIVE_TYPES else DOWNLOAD_FALLBACK_TYPE


def attachment_disposition(key: str) -> str:
    """`attachment` named after the key's last segment (RFC 6266): an ASCII fallback plus filename*."""
    name = key.rsplit("/", 1)[-1] or "download"
    fallback = _UNSAFE_IN_QUOTES.sub("_", name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_headers(key: str) -> dict[str, str]:
    """Every header a response with the bytes of user object `key` carries."""
    return {
        "Content-Type": download_content_type(key),
        "Content-Disposition": attachment_disposition(key),
        **USER_CONTENT_HEADERS,
    }


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class DashboardHeaders:
    """ASGI middleware: every HTTP response carries `DASHBOARD_HEADERS`, except where the response set
    one itself (a user-content download keeps its `sandbox` CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._defaults = [(k.lower().encode(), v.encode()) for k, v in DASHBOARD_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in self._defaults if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
