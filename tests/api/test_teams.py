"""Teams: Bot Framework JWTs (valid, forged, expired, misaddressed, replayed), answers in
the conversation, Adaptive Card approvals only approvers can use, proactive notices."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml
from cryptography.hazmat.primitives.asymmetric import rsa

from api.deps import ServiceOptions
from tests.api.conftest import Service, make_service
from tests.api.peers import Peer, serve

APP_ID = "00000000-1111-2222-3333-444444444444"
ISSUER = "https://api.botframework.com"
ACCOUNTS = {"29:ann": "ann", "29:bob": "bob", "29:vic": "vic"}
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(kid: str) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {**public, "kid": kid, "use": "sig", "endorsements": ["msteams"]}


@pytest.fixture
def teams(tmp_path: Path) -> Iterator[tuple[Service, Peer]]:
    keys: dict[str, Any] = {}

    def route(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/openid":
            return 200, {"issuer": ISSUER, "jwks_uri": keys["url"] + "/keys"}
        if path == "/keys":
            return 200, {"keys": [jwk("k1")]}
        if path == "/token":
            return 200, {"access_token": "bot-token", "expires_in": 3600}
        return 200, {"id": "reply-1"}

    with serve(route) as peer:
        keys["url"] = peer.url
        svc = make_service(
            tmp_path / "ws",
            options=ServiceOptions(teams_token_url=f"{peer.url}/token"),
            teams_app_id=APP_ID,
            teams_app_password="bot-password-for-tests",
            teams_openid_metadata_url=f"{peer.url}/openid",
        )
        (svc.ws.root / "identities.yaml").write_text(yaml.safe_dump({"teams": ACCOUNTS}))
        with svc.client:
            yield svc, peer


def token(peer: Peer, *, key: Any = KEY, kid: str = "k1", **claims: Any) -> str:
    body = {
        "iss": ISSUER,
        "aud": APP_ID,
        "exp": int(time.time()) + 600,
        "nbf": int(time.time()) - 5,
        "serviceurl": peer.url,
        **claims,
    }
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})


def activity(
    peer: Peer, text: str, *, user: str = "29:ann", conv: str = "a:conv-ann", aid: str = "act-1"
) -> dict[str, Any]:
    return {
        "type": "message",
        "id": aid,
        "channelId": "msteams",
        "serviceUrl": peer.url,
        "text": text,
        "from": {"id": user, "name": user},
        "conversation": {"id": conv, "conversationType": "personal"},
        "recipient": {"id": "28:bot"},
    }


def send(svc: Service, body: dict[str, Any], tok: str | None):
    headers = {"Authorization": f"Bearer {tok}"} if tok else {}
    return svc.client.post("/teams/messages", json=body, headers=headers)


def test_message_is_answered_in_the_conversation(teams: tuple[Service, Peer]) -> None:
    svc, peer = teams
    r = send(svc, activity(peer, "cash in 13 weeks?"), token(peer))
    assert r.status_code == 202
    (reply,) = peer.wait_for("/v3/conversations/a:conv-ann/activities/act-1")
    assert "1,234,567 USD" in reply["text"]
    assert reply["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert any(a["contentType"] == "image/png" for a in reply["attachments"])  # the chart
    token_call = peer.bodies("/token")[0]
    assert token_call["grant_type"] == "client_credentials" and token_call["client_id"] == APP_ID
    headers = next(h for p, _, h in peer.calls if p.startswith("/v3/"))
    assert headers["Authorization"] == "Bearer bot-token"


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: token(p, key=OTHER_KEY), "forged: signed by another key under our key id"),
        (lambda p: token(p, exp=int(time.time()) - 600), "expired beyond the 5-minute skew"),
        (lambda p: token(p, aud="someone-else"), "addressed to another bot"),
        (lambda p: token(p, iss="https://evil.example.com"), "another issuer"),
        (lambda p: token(p, kid="unknown"), "a key the metadata does not publish"),
        (lambda p: token(p, serviceurl="https://elsewhere.example.com"), "serviceUrl mismatch"),
        (
            lambda p: jwt.encode(
                {"iss": ISSUER, "aud": APP_ID, "exp": int(time.time()) + 60},
                "x" * 32,
                algorithm="HS256",
            ),
            "HS256 instead of RS256",
        ),
        (lambda p: None, "no token"),
    ],
)
def test_bad_tokens_are_refused(teams: tuple[Service, Peer], make, why: str) -> None:
    svc, peer = teams
    r = send(svc, activity(peer, "cash?"), make(peer))
    assert r.status_code == 401, why
    assert r.json()["error"]["type"] == "unauthorized"
    assert peer.paths("/v3/") == []


def test_replayed_activity_is_answered_once(teams: tuple[Service, Peer]) -> None:
    svc, peer = teams
    body, tok = activity(peer, "cash?", aid="act-r"), token(peer)
    assert send(svc, body, tok).status_code == 202
    assert send(svc, body, tok).status_code == 200
    peer.wait_for("/v3/conversations/a:conv-ann/activities/act-r")
    time.sleep(0.4)
    assert len(peer.paths("/v3/")) == 1
    assert len(peer.paths("/openid")) == 1  # metadata and keys are cached ...
    send(svc, activity(peer, "cash?", aid="act-k"), token(peer, kid="rotated"))
    assert len(peer.paths("/openid")) == 2  # ... and re-read once for an unknown key id
    send(svc, activity(peer, "cash?", aid="act-l"), token(peer, kid="rotated"))
    assert len(peer.paths("/openid")) == 2  # but not on every request


def invoke(peer: Peer, verb: str, pid: str, user: str) -> dict[str, Any]:
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"inv-{verb}-{user}-{time.time()}",
        "channelId": "msteams",
        "serviceUrl": peer.url,
        "from": {"id": user},
        "conversation": {"id": "a:conv-x"},
        "value": {"action": {"type": "Action.Execute", "verb": verb, "data": {"proposal_id": pid}}},
    }


def test_card_buttons_only_for_approvers_and_proactive_notice(teams: tuple[Service, Peer]) -> None:
    svc, peer = teams
    send(svc, activity(peer, "hello", user="29:bob", conv="a:conv-bob", aid="b-1"), token(peer))
    peer.wait_for("/v3/conversations/a:conv-bob/activities/b-1")  # bob is now reachable
    send(svc, activity(peer, "pay 5000", aid="a-2"), token(peer))
    (reply,) = peer.wait_for("/v3/conversations/a:conv-ann/activities/a-2")
    card = reply["attachments"][1]["content"]
    assert "actions" not in card  # nobody sees buttons in the shared message ...
    assert card["refresh"]["userIds"] == ["29:bob"]  # ... until refreshed for an approver
    pid = card["refresh"]["action"]["data"]["proposal_id"]
    (notice,) = peer.wait_for("/v3/conversations/a:conv-bob/activities", 2)[1:]
    assert pid in notice["text"] and notice["attachments"][0]["content"]["actions"]
    viewer = send(svc, invoke(peer, "refreshCard", pid, "29:vic"), token(peer)).json()
    assert "actions" not in viewer["value"]
    approver = send(svc, invoke(peer, "refreshCard", pid, "29:bob"), token(peer)).json()
    assert [a["verb"] for a in approver["value"]["actions"]] == ["approve", "reject"]
    refused = send(svc, invoke(peer, "approve", pid, "29:vic"), token(peer)).json()
    assert "Not done" in json.dumps(refused) and svc.assistant.proposal(pid).status == "pending"
    done = send(svc, invoke(peer, "approve", pid, "29:bob"), token(peer)).json()
    assert done["statusCode"] == 200 and "Approved by bob; status executed" in json.dumps(done)
    assert "actions" not in done["value"] and svc.assistant.executions == [pid]
    again = send(svc, invoke(peer, "approve", pid, "29:bob"), token(peer)).json()
    assert "Not done" in json.dumps(again) and svc.assistant.executions == [pid]


def test_alerts_reach_approvers_in_teams_once(teams: tuple[Service, Peer]) -> None:
    from datetime import UTC, datetime

    from api.notify import push_alerts
    from tools.monitoring.alerts_store import MonitorAlert, record_alerts

    svc, peer = teams
    send(svc, activity(peer, "hello", user="29:bob", conv="a:conv-bob", aid="b-1"), token(peer))
    peer.wait_for("/v3/conversations/a:conv-bob/activities/b-1")  # bob is now reachable
    alerts = [
        MonitorAlert(
            dedupe_key=f"test:{sev}",
            source="risk",
            severity=sev,
            scope="US01",
            title=f"{sev} alert",
            cause="breach likely in week 6",
        )
        for sev in ("info", "critical")
    ]
    record_alerts(svc.ws.engine, alerts, now=datetime.now(UTC))
    app = svc.client.app
    first = push_alerts(app, svc.ws, slack_channel=None, min_severity="warning")  # type: ignore[arg-type]
    again = push_alerts(app, svc.ws, slack_channel=None, min_severity="warning")  # type: ignore[arg-type]
    assert (first["teams"], again["teams"]) == (1, 0)
    sent = peer.bodies("/v3/conversations/a:conv-bob/activities")[1:]  # after the reply to hello
    assert [s["text"] for s in sent] == ["[CRITICAL] critical alert\nbreach likely in week 6"]
    assert not peer.bodies("/v3/conversations/a:conv-ann/activities")  # ann is no approver
