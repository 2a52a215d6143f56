"""One JSON error shape for every error the service returns.

```json
{"error": {"type": "not_found", "message": "what went wrong and what to do", ...}}
```

Bad input always gets a 4xx in this shape; a 500 (``internal_error``) means a bug.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from tools.errors import ConfigError, DataError, WcmError, WorkspaceError

__all__ = [
    "ERROR_RESPONSES",
    "ApiError",
    "BodyTooLarge",
    "ErrorBody",
    "Forbidden",
    "RateLimited",
    "error_body",
    "install_error_handlers",
]

log = logging.getLogger("wcm.api")

_HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    type: str = Field(description="Machine-readable kind, e.g. not_found, forbidden")
    message: str = Field(description="What went wrong and how to fix it")
    problems: list[dict[str, Any]] | None = Field(
        default=None, description="Per-field or per-row problems, when there are several"
    )


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def _documented(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented("Missing, unknown or expired credentials"),
    403: _documented("Your roles do not allow this"),
    413: _documented("Body too large"),
    422: _documented("The request is invalid (each problem listed)"),
    429: _documented("Too many requests (see Retry-After)"),
}


def error_body(kind: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"type": kind, "message": message, **extra}}


class ApiError(Exception):
    """An error with its HTTP status, raised by routers and dependencies."""

    status = 400
    kind = "bad_request"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = headers or {}


class Forbidden(ApiError):
    status, kind = 403, "forbidden"


class RateLimited(ApiError):
    status, kind = 429, "rate_limited"

    def __init__(self, wait_seconds: float) -> None:
        retry = max(1, math.ceil(wait_seconds))
        super().__init__(
            f"too many requests; retry in {retry} s", headers={"Retry-After": str(retry)}
        )


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit (an HTTPException so FastAPI lets it out)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than {limit:,} bytes; send less")


def _product_status(exc: WcmError) -> tuple[int, str]:
    """Status and type of a product error, by the most specific class known."""
    from agent.ledger import ApprovalError, ExecutionRefused, ProposalNotFound
    from api.assistant import AgentUnavailable, ChartNotFound
    from api.auth import AuthFailed, ThreadNotFound

    table: list[tuple[type[BaseException], int, str]] = [
        (ProposalNotFound, 404, "not_found"),
        (ThreadNotFound, 404, "not_found"),
        (ChartNotFound, 404, "not_found"),
        (ApprovalError, 409, "approval_refused"),
        (ExecutionRefused, 409, "execution_refused"),
        (AgentUnavailable, 503, "unavailable"),
        (DataError, 422, "data_error"),
        (WorkspaceError, 404, "workspace_error"),
        (ConfigError, 400, "config_error"),
        (AuthFailed, 401, "unauthorized"),
    ]
    for cls, status, kind in table:
        if isinstance(exc, cls):
            return status, kind
    return 400, "error"


def install_error_handlers(app: FastAPI) -> None:
    from api.auth import AuthFailed

    @app.exception_handler(WcmError)
    async def _product(_: Request, exc: WcmError) -> JSONResponse:
        status, kind = _product_status(exc)
        extra = (
            {"problems": [p.to_dict() for p in exc.problems]} if isinstance(exc, DataError) else {}
        )
        return JSONResponse(error_body(kind, str(exc), **extra), status_code=status)

    @app.exception_handler(AuthFailed)
    async def _auth(_: Request, exc: AuthFailed) -> JSONResponse:
        return JSONResponse(
            error_body("unauthorized", str(exc)),
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'},
        )

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(exc.kind, str(exc)), status_code=exc.status, headers=exc.headers
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        kind = _HTTP_KINDS.get(exc.status_code, "http_error")
        if exc.status_code == 404 and exc.detail == "Not Found":
            kind = "http_error"  # an unknown route, not an unknown object
        return JSONResponse(
            error_body(kind, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", "request is invalid", problems=problems),
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal_error", "the service failed; the error is logged"),
            status_code=500,
        )
