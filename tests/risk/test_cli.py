"""``wcm risk|scenario|stress|alerts`` on a synthetic forecast (no workspace needed)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import api.cli.risk_cmds as risk_cmds
from api.cli.main import app
from tests.risk.helpers import outlook, position, steady
from tools.domain.policy import Policy
from tools.risk.episodes import ScopeWatch, WatchState

KEY = "US01/USD"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    rng = np.random.default_rng(0)
    o = outlook(
        {
            (KEY, "customer_receipt"): rng.gamma(2.0, 5.0, (100, 40)),
            (KEY, "supplier_payment"): steady(100, 40, -11.0),
        },
        [position(opening=100.0, minimum=60.0, credit=30.0)],
    )
    bank = pd.DataFrame(
        {
            "txn_id": ["T1", "T2"],
            "account_id": ["OP", "OP"],
            "booking_date": pd.to_datetime(["2026-01-01", "2026-01-02"]),
            "amount": [-500.0, -500.0],
            "currency": ["USD", "USD"],
            "counterparty": ["Acme", "Acme"],
            "reference": ["R1", "R1"],
            "description": ["Payment", "Payment"],
        }
    )
    receivables = pd.DataFrame(
        {
            "customer_id": ["C1"],
            "key": [KEY],
            "open_amount": [40.0],
            "expected_date": pd.to_datetime(["2026-01-10"]),
        }
    )

    def load(workspace: Any, **kw: Any) -> risk_cmds.Context:
        seen.update(kw)
        return risk_cmds.Context({"bank_transactions": bank}, Policy(), o, receivables)

    monkeypatch.setattr(risk_cmds, "load_context", load)
    return seen


runner = CliRunner()


def test_risk_json_and_table(fake: dict[str, Any]) -> None:
    result = runner.invoke(app, ["risk", "--json", "--horizon", "30", "--as-of", "2026-01-02"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["horizon_days"] == 30
    assert body["positions"][0]["scope"] == KEY
    assert fake["as_of"].isoformat() == "2026-01-02" and fake["horizon"] == 30
    table = runner.invoke(app, ["risk"])
    assert table.exit_code == 0 and "binding: US01/USD" in table.stdout


def test_scenario_compares_with_the_baseline(fake: dict[str, Any]) -> None:
    result = runner.invoke(
        app, ["scenario", "collections -20% for 4 weeks", "customer C1 pays 30 days late", "--json"]
    )
    assert result.exit_code == 0, result.output
    names = [r["name"] for r in json.loads(result.stdout)["results"]]
    assert names == ["baseline", "collections -20% for 4 weeks", "customer C1 pays 30 days late"]


def test_bad_scenario_text_is_a_clear_error(fake: dict[str, Any]) -> None:
    result = runner.invoke(app, ["scenario", "make it rain", "--json"])
    assert result.exit_code == 3
    assert json.loads(result.stdout)["error"]["type"] == "config_error"
    assert fake == {}  # refused before forecasting


def test_stress_and_alerts(fake: dict[str, Any]) -> None:
    stress = runner.invoke(app, ["stress", "--severity", "severe"])
    assert stress.exit_code == 0, stress.output
    assert "combined downturn" in stress.stdout
    alerts = runner.invoke(app, ["alerts", "--json"])
    assert alerts.exit_code == 0, alerts.output
    body = json.loads(alerts.stdout)
    assert body["liquidity"]["alerts"][0]["scope"] == KEY
    assert body["anomalies"]["anomalies"][0]["kind"] == "duplicate_payment"
    text = runner.invoke(app, ["alerts"])
    assert "bank details not checked" in text.stdout


def test_alerts_carry_the_daily_jobs_watch(
    fake: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = json.loads(runner.invoke(app, ["alerts", "--json"]).stdout)["liquidity"]
    alert = first["alerts"][0]
    as_of = date.fromisoformat(first["as_of"])
    # the daily job warned about this scope yesterday: today the warning is confirmed
    streak = ScopeWatch(scope=alert["scope"], severity=alert["severity"], streak=1)
    state = WatchState(as_of=as_of - timedelta(days=1), scopes=(streak,))
    load = risk_cmds.load_context

    def with_watch(workspace: Any, **kw: Any) -> risk_cmds.Context:
        return replace(load(workspace, **kw), watch=state)

    monkeypatch.setattr(risk_cmds, "load_context", with_watch)
    second = json.loads(runner.invoke(app, ["alerts", "--json"]).stdout)["liquidity"]
    statuses = (alert["data"]["status"], second["alerts"][0]["data"]["status"])
    assert statuses[0] != statuses[1]
    assert statuses[1] in ("new", "ongoing", "escalated")
    text = runner.invoke(app, ["alerts"]).stdout
    assert "status" in text and statuses[1] in text
    # a state from a later day than the forecast (a rerun on older data) is not used
    later = WatchState(as_of=as_of + timedelta(days=3), scopes=(streak,))
    monkeypatch.setattr(
        risk_cmds, "load_context", lambda w, **kw: replace(load(w, **kw), watch=later)
    )
    third = json.loads(runner.invoke(app, ["alerts", "--json"]).stdout)["liquidity"]
    assert third["alerts"][0]["data"]["status"] == statuses[0]
