"""Who may call what: API keys, JWTs, development mode, roles, rate limits, CORS."""

from __future__ import annotations

import time
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from api.deps import ServiceOptions
from api.main import create_app
from tests.api.conftest import JWT_SECRET, Service, make_service
from tools.settings import Settings
from tools.workspace import init_workspace


def token(sub: str, *, exp: float | None = None, secret: str = JWT_SECRET, **claims: object) -> str:
    body = {"sub": sub, "exp": int(exp if exp is not None else time.time() + 600), **claims}
    return jwt.encode(body, secret, algorithm="HS256")


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.mark.parametrize(
    ("headers", "status", "user"),
    [
        ({"X-API-Key": "key-bob"}, 200, "bob"),  # a configured key
        (bearer("key-dan"), 200, "dan"),  # the same key as a bearer token
        (bearer(token("cat")), 200, "cat"),  # a valid JWT
        ({}, 401, None),  # nothing sent
        ({"X-API-Key": "key-nobody"}, 401, None),  # unknown key
        (bearer(token("cat", exp=time.time() - 3600)), 401, None),  # expired JWT
        (bearer(token("cat", secret="forged-secret-forged-secret-0000")), 401, None),  # forged
        (bearer(jwt.encode({"sub": "cat"}, JWT_SECRET, algorithm="HS256")), 401, None),  # no exp
        (bearer(token("cat", roles=["owner"])), 401, None),  # unknown role in the token
        ({"Authorization": "Basic YWxpY2U6eA=="}, 401, None),  # wrong scheme
    ],
)
def test_credentials(
    service: Service, headers: dict[str, str], status: int, user: str | None
) -> None:
    r = service.client.get("/v1/me", headers=headers)
    assert r.status_code == status, r.text
    if user:
        assert r.json()["user"] == user
    else:
        assert r.json()["error"]["type"] == "unauthorized"
        assert "WWW-Authenticate" in r.headers


def test_roles_come_from_users_yaml_and_a_token_only_narrows_them(service: Service) -> None:
    assert service.client.get("/v1/me", headers=bearer(token("dan"))).json()["roles"] == ["admin"]
    narrowed = service.client.get("/v1/me", headers=bearer(token("bob", roles=["viewer"]))).json()
    assert narrowed["roles"] == []  # bob is an approver, the token allows viewer only
    widened = service.client.get("/v1/me", headers=bearer(token("vic", roles=["admin"]))).json()
    assert widened["roles"] == []  # a token never grants what users.yaml does not


def test_a_key_user_missing_from_users_yaml_only_reads(tmp_path: Path) -> None:
    svc = make_service(tmp_path / "ws")
    r = svc.client.get("/v1/me", headers=bearer(token("zed")))
    assert r.json()["roles"] == ["viewer"]
    chat = svc.client.post("/v1/chat", json={"message": "hi"}, headers=bearer(token("zed")))
    assert chat.status_code == 403 and chat.json()["error"]["type"] == "forbidden"


def test_development_mode_acts_as_the_local_user(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    app = create_app(Settings(workspace=ws.root))
    with TestClient(app) as client:
        me = client.get("/v1/me").json()
        assert me == {
            "user": "demo",
            "roles": ["admin", "analyst", "approver", "viewer"],
            "via": "development",
        }
        assert client.get("/v1/me", headers={"X-WCM-User": "bob"}).json()["user"] == "bob"


def test_production_refuses_open_auth(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="auth is open"):
        Settings(workspace=tmp_path, environment="production")


def test_rate_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    svc = make_service(
        tmp_path / "ws", options=ServiceOptions(rate_limit_per_second=0.5, rate_limit_burst=3)
    )
    codes = [svc.client.get("/v1/me", headers=svc.as_("ann")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    limited = svc.client.get("/v1/me", headers=svc.as_("ann"))
    assert limited.json()["error"]["type"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert svc.client.get("/v1/me", headers=svc.as_("bob")).status_code == 200  # per caller


def test_cors_allows_configured_origins_only(tmp_path: Path) -> None:
    svc = make_service(tmp_path / "ws", cors_origins=["https://treasury.example.com"])
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "x-api-key"}
    ok = svc.client.options("/v1/chat", headers={"Origin": "https://treasury.example.com", **pre})
    assert ok.headers["access-control-allow-origin"] == "https://treasury.example.com"
    other = svc.client.options("/v1/chat", headers={"Origin": "https://evil.example.com", **pre})
    assert "access-control-allow-origin" not in other.headers
