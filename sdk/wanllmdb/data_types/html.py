"""``Html``: an HTML string or file, stored as an object the dashboard shows only in a sandboxed iframe.

``inject=True`` (wandb's default) adds a ``<base target="_blank">`` and a small inline stylesheet to
the head, as wandb injects its own; nothing is fetched from elsewhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, ClassVar

from wanllmdb.data_types.base import Encoded, FileMedia, describe, read_source
from wanllmdb.errors import InvalidValue

__all__ = ["Html"]

_ACCEPTED = "an HTML string, a file object, or the path of a .html/.htm file"
_INJECT = (
    '<base target="_blank"><style>body{margin:0;font-family:system-ui,sans-serif;font-size:14px}'
    "table{border-collapse:collapse}td,th{padding:2px 6px}</style>"
)


class Html(FileMedia):
    """``wandb.Html(data, inject=True)``."""

    _type: ClassVar[str] = "html-file"
    _dir: ClassVar[str | None] = "html"

    def __init__(self, data: Any, inject: bool = True) -> None:
        self._inject = bool(inject)
        if isinstance(data, os.PathLike) or (
            isinstance(data, str) and data.lower().endswith((".html", ".htm")) and "<" not in data
        ):
            raw = read_source(Path(data), "Html", _ACCEPTED)
            try:
                html = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidValue(f"Html: {str(data)!r} is not UTF-8 text; accepted: {_ACCEPTED}") from None
        elif isinstance(data, str):
            html = data
        elif hasattr(data, "read"):
            html = data.read()
            html = html.decode("utf-8") if isinstance(html, bytes) else html
        else:
            raise InvalidValue(f"Html: got {describe(data)}; accepted: {_ACCEPTED}")
        self._html = str(html)

    def _encode(self) -> Encoded:
        html = _inject(self._html) if self._inject else self._html
        return Encoded(data=html.encode("utf-8"), ext="html", fields={"inject": self._inject})


def _inject(html: str) -> str:
    head = re.search(r"<head[^>]*>", html, re.IGNORECASE)
    if head:
        return html[: head.end()] + _INJECT + html[head.end() :]
    return f"<head>{_INJECT}</head>{html}"
