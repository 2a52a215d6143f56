"""One JSON error shape for every error the service returns."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tools.errors import ConfigError, DataError, WcmError, WorkspaceError

__all__ = ["error_body", "install_error_handlers"]


def error_body(kind: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"type": kind, "message": message, **extra}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WcmError)
    async def _product(_: Request, exc: WcmError) -> JSONResponse:
        status, kind = {
            DataError: (422, "data_error"),
            WorkspaceError: (404, "workspace_error"),
            ConfigError: (400, "config_error"),
        }.get(type(exc), (400, "error"))
        extra = (
            {"problems": [p.to_dict() for p in exc.problems]} if isinstance(exc, DataError) else {}
        )
        return JSONResponse(error_body(kind, str(exc), **extra), status_code=status)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(error_body("http_error", str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", "request is invalid", problems=problems), status_code=422
        )
