"""Signed URLs never reach a log: httpx logs every request's URL at INFO, signature included.

The filter rewrites the message of the HTTP client loggers, dropping the value of every query
parameter that carries a signature or a credential (SAS `sig`, V4 `X-Goog-Signature`/`X-Amz-Signature`,
`X-Amz-Credential`, `X-Amz-Security-Token`), so a request line stays useful for debugging.
"""

from __future__ import annotations

import logging
import re

__all__ = ["SECRET_PARAMS", "install", "redact"]

SECRET_PARAMS = ("sig", "X-Goog-Signature", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token")
_PATTERN = re.compile(r"(?i)([?&](?:" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")=)[^&\s\"']+")
LOGGERS = ("httpx", "httpcore", "botocore", "urllib3")


def redact(text: str) -> str:
    return _PATTERN.sub(r"\1[redacted]", text)


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


_FILTER = _Redact()


def install() -> None:
    """Idempotent: adds the one filter to each HTTP client logger once."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
