"""The FastAPI application: builds the app and includes the routers."""

from __future__ import annotations

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routers import health, workspace

__all__ = ["create_app"]


def create_app() -> FastAPI:
    app = FastAPI(
        title="Working-capital assistant",
        version="0.1.0",
        description="Cash forecasting, liquidity risk, optimization and approvals.",
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(workspace.router)
    return app
