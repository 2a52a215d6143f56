"""A service on a fresh workspace with users, API keys, a JWT secret and the scripted agent."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from agent.ledger import write_users
from api.deps import ServiceOptions
from api.main import create_app
from tests.api.fakes import KEYS, ROLES, ScriptedAssistant
from tools.settings import Settings
from tools.workspace import Workspace, init_workspace

JWT_SECRET = "jwt-secret-for-tests-0123456789abcdef"


@dataclass
class Service:
    client: TestClient
    ws: Workspace
    settings: Settings
    assistant: ScriptedAssistant

    def as_(self, user: str) -> dict[str, str]:
        return {"X-API-Key": f"key-{user}"}


def make_service(
    root: Path, *, options: ServiceOptions | None = None, **settings: object
) -> Service:
    ws = init_workspace(root, name="Test Co")
    write_users(root, ROLES)
    cfg = Settings(workspace=root, api_keys=KEYS, jwt_secret=JWT_SECRET, **settings)  # type: ignore[arg-type]
    assistant = ScriptedAssistant(ws)
    app = create_app(cfg, assistant=assistant, options=options)
    return Service(TestClient(app), ws, cfg, assistant)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = make_service(tmp_path / "ws")
    with svc.client:
        yield svc
