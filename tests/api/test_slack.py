"""Slack: signed, forged, stale, replayed and retried requests; answers in the thread;
Approve / Reject buttons decided as the signed payload's user."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml

from api.deps import ServiceOptions
from tests.api.conftest import Service, make_service
from tests.api.peers import UPLOAD_URL, Peer, serve, slack_api

SECRET = "slack-signing-secret-for-tests-0123"
ACCOUNTS = {"UANN": "ann", "UBOB": "bob", "UVIC": "vic"}


@pytest.fixture
def slack(tmp_path: Path) -> Iterator[tuple[Service, Peer]]:
    with serve(slack_api) as peer:
        UPLOAD_URL["url"] = f"{peer.url}/upload"
        svc = make_service(
            tmp_path / "ws",
            options=ServiceOptions(slack_api_url=f"{peer.url}/api/"),
            slack_bot_token="xoxb-test",
            slack_signing_secret=SECRET,
        )
        (svc.ws.root / "identities.yaml").write_text(yaml.safe_dump({"slack": ACCOUNTS}))
        with svc.client:
            yield svc, peer


def signed(
    body: str, *, at: float | None = None, secret: str = SECRET, **headers: str
) -> dict[str, str]:
    ts = str(int(at if at is not None else time.time()))
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, **headers}


def event(
    text: str,
    *,
    user: str = "UANN",
    kind: str = "app_mention",
    event_id: str = "Ev1",
    channel_type: str = "channel",
    ts: str = "1700000000.000100",
) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T1",
            "api_app_id": "A1",
            "event_id": event_id,
            "event": {
                "type": kind,
                "user": user,
                "text": text,
                "channel": "C1",
                "ts": ts,
                "channel_type": channel_type,
            },
        }
    )


def post(svc: Service, body: str, headers: dict[str, str], ctype: str = "application/json"):
    return svc.client.post(
        "/slack/events", content=body, headers={**headers, "Content-Type": ctype}
    )


def test_mention_is_acked_fast_and_answered_in_the_thread(slack: tuple[Service, Peer]) -> None:
    svc, peer = slack
    body = event("<@UBOT> cash in 13 weeks?")
    started = time.perf_counter()
    r = post(svc, body, signed(body))
    assert r.status_code == 200 and time.perf_counter() - started < 3
    (reply,) = peer.wait_for("/api/chat.postMessage")
    assert reply["thread_ts"] == "1700000000.000100" and reply["channel"] == "C1"
    assert "1,234,567 USD" in reply["text"]
    blocks = json.loads(reply["blocks"]) if isinstance(reply["blocks"], str) else reply["blocks"]
    assert any("Sources: Treasury policy" in json.dumps(b) for b in blocks)
    peer.wait_for("/api/files.completeUploadExternal")  # the answer's chart goes to the thread
    assert peer.bodies("/upload")[0]["_bytes"] > 1000


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        (lambda b: signed(b, secret="not-the-secret-not-the-secret-00"), "forged signature"),
        (lambda b: signed(b, at=time.time() - 330), "timestamp older than 5 minutes"),
        (lambda b: signed(b, at=time.time() + 330), "timestamp from the future"),
        (lambda b: {}, "unsigned"),
    ],
)
def test_unsigned_forged_and_stale_requests_are_refused(
    slack: tuple[Service, Peer], headers, why: str
) -> None:
    svc, peer = slack
    body = event("<@UBOT> cash?")
    r = post(svc, body, headers(body))
    assert r.status_code == 401, why
    assert r.json()["error"]["type"] == "unauthorized"
    time.sleep(0.2)
    assert peer.paths("/api/chat") == []


def test_replays_and_retries_are_answered_once(slack: tuple[Service, Peer]) -> None:
    svc, peer = slack
    body = event("<@UBOT> cash?", event_id="EvR")
    headers = signed(body)
    assert post(svc, body, headers).status_code == 200
    assert post(svc, body, headers).status_code == 200  # the same signed request again
    retry = signed(body, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert post(svc, body, retry).status_code == 200  # Slack's retry of the same event
    peer.wait_for("/api/chat.postMessage")
    time.sleep(0.5)
    assert len(peer.bodies("/api/chat.postMessage")) == 1


def click(action: str, pid: str, user: str, message: dict) -> str:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": user},
        "api_app_id": "A1",
        "channel": {"id": "D1"},
        "message": message,
        "trigger_id": "tr",
        "actions": [
            {
                "action_id": action,
                "block_id": f"decide:{pid}",
                "value": pid,
                "action_ts": f"{time.time():.6f}",
                "type": "button",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def test_dm_proposal_buttons_decided_by_the_signed_user(slack: tuple[Service, Peer]) -> None:
    svc, peer = slack
    body = event("pay 5000", kind="message", channel_type="im", event_id="EvP")
    post(svc, body, signed(body))
    (reply,) = peer.wait_for("/api/chat.postMessage")
    blocks = json.loads(reply["blocks"]) if isinstance(reply["blocks"], str) else reply["blocks"]
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["wcm_approve", "wcm_reject"]
    pid = buttons[0]["value"]
    message = {"ts": "1700000001.000200", "text": reply["text"], "blocks": blocks}
    form = "application/x-www-form-urlencoded"
    for user in ("UVIC", "UNKNOWN", "UANN"):  # a viewer, a stranger, the requester
        payload = click("wcm_approve", pid, user, message)
        assert post(svc, payload, signed(payload), form).status_code == 200
    peer.wait_for("/api/chat.postEphemeral", 3)
    notes = " ".join(b["text"] for b in peer.bodies("/api/chat.postEphemeral"))
    assert "cannot approve" in notes and "identities.yaml" in notes
    assert svc.assistant.proposal(pid).status == "pending"
    payload = click("wcm_approve", pid, "UBOB", message)
    assert post(svc, payload, signed(payload), form).status_code == 200
    (update,) = peer.wait_for("/api/chat.update")
    assert "Approved by <@UBOB> (bob)" in json.dumps(update) and "executed" in json.dumps(update)
    assert svc.assistant.executions == [pid]
    assert post(svc, payload, signed(payload), form).status_code == 200  # replayed click
    time.sleep(0.3)
    assert len(peer.bodies("/api/chat.update")) == 1 and svc.assistant.executions == [pid]


def test_slash_command_acks_then_answers(slack: tuple[Service, Peer]) -> None:
    svc, peer = slack
    form = urlencode(
        {
            "command": "/wcm",
            "text": "cash in 13 weeks?",
            "user_id": "UANN",
            "channel_id": "C9",
            "team_id": "T1",
            "channel_name": "treasury",
            "trigger_id": "t1",
            "response_url": "http://127.0.0.1:9/unused",
        }
    )
    r = post(svc, form, signed(form), "application/x-www-form-urlencoded")
    assert r.status_code == 200 and "Working on it" in r.text
    posts = peer.wait_for("/api/chat.postMessage", 2)
    assert posts[1]["thread_ts"] and "1,234,567 USD" in posts[1]["text"]
