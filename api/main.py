"""The FastAPI application: builds the app and includes the routers."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.assistant import Assistant
from api.auth import TokenBuckets
from api.auth.limits import BodyLimit
from api.deps import ServiceOptions, get_settings
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.routers import (
    alerts,
    audit,
    charts,
    chat,
    forecast,
    health,
    imports,
    knowledge,
    metrics,
    optimizers,
    proposals,
    scenarios,
    threads,
    users,
    workspace,
)
from tools.settings import Settings

__all__ = ["create_app"]

DESCRIPTION = """\
Cash forecasting, liquidity risk, optimization and approvals for corporate finance teams.

**Auth**: `X-API-Key` (keys in `WCM_API_KEYS`) or `Authorization: Bearer <JWT>` (HS256,
`WCM_JWT_SECRET`, claims `sub`, `exp`, optional `roles`). Roles come from the workspace's
`users.yaml` (viewer, analyst, approver, admin). In development with neither configured,
requests act as the local user `demo` (or the user named by `X-WCM-User`).

**Errors** share one shape: `{"error": {"type": ..., "message": ...}}`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    from api.scheduler import start_scheduler

    app.state.scheduler = start_scheduler(app, app.state.settings)
    yield
    if app.state.scheduler is not None:
        await app.state.scheduler.stop()
    for channel in ("slack", "teams"):  # let background replies finish before exiting
        bot = getattr(app.state, channel, None)
        if bot is not None:
            bot.close()


def create_app(
    settings: Settings | None = None,
    *,
    assistant: Assistant | None = None,
    options: ServiceOptions | None = None,
) -> FastAPI:
    """The service. ``settings`` default to the environment; ``assistant`` to the agent on
    the settings' workspace; ``options`` to the service knobs' defaults."""
    cfg = settings or get_settings()
    opts = options or ServiceOptions.from_settings(cfg)
    app = FastAPI(
        title="Working-capital assistant",
        version="0.2.0",
        description=DESCRIPTION,
        lifespan=_lifespan,
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    app.state.settings = cfg
    app.state.options = opts
    app.state.assistant = assistant
    app.state.thread_stores = {}
    app.state.lock = threading.RLock()
    app.state.limiter = TokenBuckets(opts.rate_limit_per_second, opts.rate_limit_burst)
    app.state.metrics = metrics.Metrics()
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(metrics.router)
    for module in (users, chat, threads, proposals, audit, imports, workspace):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    for module in (forecast, scenarios, optimizers, knowledge, charts, alerts):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    from api.channels import install_channels
    from api.web.router import install_web

    install_channels(app, cfg, opts)
    install_web(app)
    app.add_middleware(BodyLimit, max_body=opts.max_body_bytes, max_upload=opts.max_upload_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(cfg.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-WCM-User"],
        max_age=600,
    )
    app.add_middleware(metrics.MetricsMiddleware, metrics=app.state.metrics)
    return app
