"""Maps the error tree to HTTP: the only place that turns exceptions into responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..core.errors import WanError
from ..core.ids import PATTERN_WORDS

__all__ = ["ERROR_RESPONSES", "ErrorDetail", "ErrorResponse", "error_response", "install_error_handlers"]

log = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. invalid, not_found, conflict.")
    message: str = Field(description="What went wrong and how to fix it.")
    field: str | None = Field(description="The request field at fault, dotted for nested fields.")


class ErrorResponse(BaseModel):
    """The body of every non-2xx answer."""

    error: ErrorDetail


# Declared on every router so the OpenAPI document (and the fuzzer) know the real error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": code, "model": ErrorResponse}
    for status, code in _STATUS_CODES.items()
    if status in (400, 401, 403, 404, 409, 413, 422, 429)
}


def error_response(
    status: int, code: str, message: str, field: str | None = None, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={"error": {"code": code, "message": message, "field": field}},
        headers=headers or None,
    )


_LOCATIONS = ("body", "query", "path", "header", "cookie")


def _field_of(loc: Any) -> str | None:
    # Drop the "body"/"query"/"path" prefix so the field reads like the client sent it; only the
    # prefix: a body field may itself be called "query" (POST /api/sql).
    parts = [str(p) for p in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WanError)
    async def _wan_error(_: Request, exc: WanError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.field, headers=exc.headers())

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {"loc": (), "msg": "invalid request"}
        field = _field_of(first.get("loc", ()))
        reason = first.get("msg")
        context = first.get("ctx") or {}
        if first.get("type") == "value_error" and "error" in context:
            reason = str(context["error"])  # our validators' own words, without pydantic's prefix
        elif first.get("type") == "string_pattern_mismatch" and context.get("pattern") in PATTERN_WORDS:
            noun, how = PATTERN_WORDS[context["pattern"]]
            reason = f"{first.get('input')!r} is not a valid {noun}: {how}"
        message = f"{field}: {reason}" if field else str(reason)
        return error_response(422, "invalid", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not a client error: log it with the request, answer without internals.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal", "internal server error")
