"""Request dependencies shared by the routers: settings, workspace, the agent bridge, the
caller and their roles, thread storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.assistant import Assistant, WorkspaceAssistant
from api.auth import (
    ALL_ROLES,
    DEV_USER,
    AuthFailed,
    Principal,
    ThreadStore,
    TokenBuckets,
    authenticate,
)
from api.errors import Forbidden, RateLimited
from tools.settings import Settings
from tools.workspace import Workspace, open_workspace
from tools.workspace.forecast_runs import ForecastRun, run_forecast

__all__ = [
    "AssistantDep",
    "CurrentUser",
    "ForecasterDep",
    "ServiceOptions",
    "SettingsDep",
    "ThreadsDep",
    "WorkspaceDep",
    "assistant_for",
    "get_assistant",
    "get_settings",
    "require_role",
    "threads_for",
]


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class ServiceOptions:
    """Service knobs with embedded defaults; each reads the same-named setting when the
    installed ``Settings`` has it (``WCM_RATE_LIMIT_PER_SECOND``...)."""

    rate_limit_per_second: float = 20.0
    rate_limit_burst: int = 120
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 26_214_400
    agent_concurrency: int = 4
    slack_api_url: str = "https://slack.com/api/"
    teams_token_url: str = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    teams_issuer: str = "https://api.botframework.com"

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceOptions:
        found: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            value = getattr(settings, name, None)
            if value is not None:
                found[name] = value
        return cls(**found)


def get_workspace(settings: SettingsDep) -> Workspace:
    return open_workspace(settings.workspace, database_url=settings.database_url)


WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


Forecaster = Callable[[int], ForecastRun]


def get_forecaster(ws: WorkspaceDep) -> Forecaster:
    """The workspace's cash forecast over at least ``horizon_days`` (stored runs reused
    until new data arrives; 91 days serve every shorter question)."""

    def forecast(horizon_days: int) -> ForecastRun:
        return run_forecast(ws, horizon_days=max(91, horizon_days), n_paths=300, quality="fast")

    return forecast


ForecasterDep = Annotated[Forecaster, Depends(get_forecaster)]


def assistant_for(app: Any, ws: Workspace, settings: Settings) -> Assistant:
    """The app's agent bridge (tests pass their own to ``create_app``); channels use it too."""
    state = app.state
    with state.lock:
        if state.assistant is None or getattr(state.assistant, "ws", ws).root != ws.root:
            state.assistant = WorkspaceAssistant(
                ws, settings, concurrency=state.options.agent_concurrency
            )
        return state.assistant


def get_assistant(request: Request, ws: WorkspaceDep, settings: SettingsDep) -> Assistant:
    return assistant_for(request.app, ws, settings)


AssistantDep = Annotated[Assistant, Depends(get_assistant)]


def threads_for(app: Any, ws: Workspace) -> ThreadStore:
    stores: dict[str, ThreadStore] = app.state.thread_stores
    with app.state.lock:
        if ws.database_url not in stores:
            stores[ws.database_url] = ThreadStore(ws.engine)
        return stores[ws.database_url]


def get_threads(request: Request, ws: WorkspaceDep) -> ThreadStore:
    return threads_for(request.app, ws)


ThreadsDep = Annotated[ThreadStore, Depends(get_threads)]

_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="A key from WCM_API_KEYS.")
_bearer = HTTPBearer(
    auto_error=False,
    description="An HS256 JWT signed with WCM_JWT_SECRET (claims sub, exp, roles).",
)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def get_principal(
    request: Request,
    settings: SettingsDep,
    assistant: AssistantDep,
    api_key: Annotated[str | None, Security(_api_key)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)] = None,
) -> Principal:
    """The caller, their roles (``users.yaml``, narrowed by a token's ``roles``), rate-limited."""
    limiter: TokenBuckets = request.app.state.limiter
    try:
        cred = authenticate(
            settings,
            api_key=api_key,
            authorization=f"Bearer {bearer.credentials}" if bearer else None,
            dev_user=request.headers.get("x-wcm-user"),
        )
    except AuthFailed:
        wait = limiter.take(f"ip:{_client(request)}")  # slows down key guessing
        if wait:
            raise RateLimited(wait) from None
        raise
    wait = limiter.take(cred.limit_key)
    if wait:
        raise RateLimited(wait)
    roles = assistant.roles(cred.user)
    if not roles:
        # Development's local user may do everything the ledger allows; other users
        # missing from users.yaml only read.
        roles = (
            ALL_ROLES
            if cred.via == "development" and cred.user == DEV_USER
            else frozenset({"viewer"})
        )
    if cred.token_roles is not None:
        roles = roles & cred.token_roles
    return Principal(user=cred.user, roles=frozenset(roles), via=cred.via, limit_key=cred.limit_key)


CurrentUser = Annotated[Principal, Depends(get_principal)]


def require_role(role: str) -> Any:
    """A guard dependency: the caller must hold ``role`` (admin holds every role)."""

    def guard(who: CurrentUser) -> Principal:
        if not who.can(role):
            have = ", ".join(sorted(who.roles)) or "none"
            raise Forbidden(f"{who.user} has role(s) {have}; this needs '{role}' (or 'admin')")
        return who

    return Depends(guard)
