"""/v1/alerts: list and filter, acknowledge with the analyst role, one error shape;
alerts pushed once to Slack; the daily scheduler's timing and lifespan."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from api.deps import ServiceOptions
from api.main import create_app
from api.notify import push_alerts
from api.scheduler import next_run, parse_time
from tests.api.conftest import Service, make_service
from tests.api.peers import serve, slack_api
from tools.errors import ConfigError
from tools.monitoring.alerts_store import MonitorAlert, record_alerts
from tools.settings import Settings


def _seed(svc: Service) -> None:
    alerts = [
        MonitorAlert(
            dedupe_key=f"test:{sev}",
            source="kpi",
            severity=sev,
            scope="dso",
            title=f"{sev} alert",
            cause="because",
        )
        for sev in ("info", "warning", "critical")
    ]
    record_alerts(svc.ws.engine, alerts, now=datetime.now(UTC))


def test_list_filter_and_acknowledge(service: Service) -> None:
    _seed(service)
    listed = service.client.get("/v1/alerts", headers=service.as_("vic")).json()
    assert listed["count"] == 3
    assert [a["severity"] for a in listed["data"]] == ["critical", "warning", "info"]
    worse = service.client.get("/v1/alerts?min_severity=warning", headers=service.as_("vic"))
    assert [a["title"] for a in worse.json()["data"]] == ["critical alert", "warning alert"]
    one = listed["data"][0]["alert_id"]
    refused = service.client.post(f"/v1/alerts/{one}/acknowledge", headers=service.as_("vic"))
    assert refused.status_code == 403 and refused.json()["error"]["type"] == "forbidden"
    done = service.client.post(f"/v1/alerts/{one}/acknowledge", headers=service.as_("ann"))
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["acknowledged_by"]) == ("acknowledged", "ann")
    missing = service.client.post("/v1/alerts/nope/acknowledge", headers=service.as_("ann"))
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found"
    assert service.client.get("/v1/alerts").status_code == 401
    bad = service.client.get("/v1/alerts?severity=loud", headers=service.as_("vic"))
    assert bad.status_code == 422 and bad.json()["error"]["type"] == "invalid_request"


def test_alerts_go_to_slack_once(tmp_path: Path) -> None:
    with serve(slack_api) as peer:
        svc = make_service(
            tmp_path / "ws",
            options=ServiceOptions(slack_api_url=f"{peer.url}/api/"),
            slack_bot_token="xoxb-test",
            slack_signing_secret="slack-signing-secret-for-tests-0123",
        )
        with svc.client:
            _seed(svc)
            app = svc.client.app
            first = push_alerts(app, svc.ws, slack_channel="#treasury", min_severity="warning")  # type: ignore[arg-type]
            again = push_alerts(app, svc.ws, slack_channel="#treasury", min_severity="warning")  # type: ignore[arg-type]
    posts = peer.bodies("/api/chat.postMessage")
    assert (first["slack"], again["slack"]) == (2, 0)
    assert [p["channel"] for p in posts] == ["#treasury", "#treasury"]
    assert "critical alert" in posts[0]["text"]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 2, 5, 0), datetime(2026, 3, 2, 6, 30)),  # later today
        (datetime(2026, 3, 2, 6, 30), datetime(2026, 3, 3, 6, 30)),  # just ran: tomorrow
        (datetime(2026, 3, 2, 23, 0), datetime(2026, 3, 3, 6, 30)),
    ],
)
def test_next_run(now: datetime, expected: datetime) -> None:
    assert next_run(now, time(6, 30)) == expected


def test_bad_time_is_refused() -> None:
    assert parse_time("06:30") == time(6, 30)
    with pytest.raises(ConfigError, match="HH:MM"):
        parse_time("6.30am")


class _Scheduled(Settings):
    daily_job_enabled: bool = True
    daily_job_time: str = "06:30"


def test_scheduler_starts_and_stops_with_the_app(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from tools.workspace import init_workspace

    init_workspace(tmp_path / "ws")
    app = create_app(_Scheduled(workspace=tmp_path / "ws"))
    with TestClient(app):
        scheduler = app.state.scheduler
        assert scheduler is not None and not scheduler._task.done()
    assert scheduler._task.done()
    plain = create_app(Settings(workspace=tmp_path / "ws"))
    with TestClient(plain):
        assert plain.state.scheduler is None
