"""Data import by upload, and the forecast, risk, scenario and chart endpoints on a small
synthetic forecast (the real forecast is covered by the forecasting tests)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from api.deps import get_forecaster
from tests.api.conftest import Service
from tests.conftest import AR_HEADER, AR_ROWS
from tools.forecasting import CashForecast
from tools.forecasting.outlook import CashOutlook, Position, empty_scheduled
from tools.workspace.forecast_runs import ForecastRun


def synthetic_run(drift: float = -8.0) -> ForecastRun:
    rng = np.random.default_rng(1)
    dates = pd.date_range("2026-07-01", periods=91, freq="D")
    pos = Position(
        key="US01/USD",
        entity_id="US01",
        currency="USD",
        opening=1_000.0,
        accounts=("A1",),
        minimum=600.0,
    )
    outlook = CashOutlook(
        as_of=date(2026, 6, 30),
        reporting_currency="USD",
        dates=dates,
        positions=(pos,),
        paths={
            ("US01/USD", "customer_receipt"): rng.normal(drift + 20, 15.0, (200, 91)),
            ("US01/USD", "supplier_payment"): np.full((200, 91), -20.0),
        },
        scheduled=empty_scheduled(),
    )
    # Every frame but the outlook empty, whatever frames the forecast carries.
    frames = {
        f.name: pd.DataFrame()
        for f in dataclasses.fields(CashForecast)
        if f.name not in ("outlook", "provenance")
    }
    forecast = CashForecast(outlook=outlook, **frames)
    return ForecastRun("run-test", datetime(2026, 7, 1, tzinfo=UTC), True, forecast)


@pytest.fixture
def analysed(service: Service) -> Service:
    run = synthetic_run()
    service.client.app.dependency_overrides[get_forecaster] = lambda: lambda _h: run
    return service


def test_upload_imports_as_one_batch(service: Service) -> None:
    csv = ("\n".join([AR_HEADER, *AR_ROWS]) + "\n").encode()
    r = service.client.post(
        "/v1/imports",
        files={"files": ("../../etc/ar_invoices.csv", csv)},
        headers=service.as_("ann"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "imported" and r.json()["files"][0]["inserted"] == 3
    status = service.client.get("/v1/status", headers=service.as_("vic")).json()
    assert {t["table"]: t["rows"] for t in status["tables"]}["ar_invoices"] == 3
    bad = service.client.post(
        "/v1/imports",
        files={"files": ("ar_invoices.csv", b"invoice_id\nX\n")},
        headers=service.as_("ann"),
    )
    assert bad.status_code == 200 and bad.json()["status"] == "failed"
    assert (
        service.client.post(
            "/v1/imports", files={"files": ("a.csv", csv)}, headers=service.as_("vic")
        ).status_code
        == 403
    )
    nameless = service.client.post(
        "/v1/imports", files={"files": ("...", csv)}, headers=service.as_("ann")
    )
    assert nameless.status_code == 400 and nameless.json()["error"]["type"] == "bad_request"


def test_forecast_risk_and_charts(analysed: Service) -> None:
    c, h = analysed.client, analysed.as_("vic")
    fc = c.get("/v1/forecast", params={"horizon_days": 28}, headers=h).json()
    assert fc["run_id"] == "run-test" and fc["positions"][0]["key"] == "US01/USD"
    assert len(fc["weekly"]) == 4
    risk = c.get("/v1/risk", params={"horizon_days": 60}, headers=h).json()
    assert risk["group"]["horizon_breach_probability"] > 0.5  # the drift takes cash below 600
    warnings = c.get("/v1/risk/warnings", headers=h)
    assert warnings.status_code == 200
    svg = c.get("/v1/forecast/chart", params={"key": "US01/USD", "kind": "position"}, headers=h)
    assert svg.status_code == 200 and "Breach risk" in svg.text
    png = c.get("/v1/forecast/chart", params={"key": "US01/USD", "format": "png"}, headers=h)
    assert png.content.startswith(b"\x89PNG")
    unknown = c.get("/v1/forecast/chart", params={"key": "XX/EUR"}, headers=h)
    assert unknown.status_code == 400 and "US01/USD" in unknown.json()["error"]["message"]


def test_scenarios(analysed: Service) -> None:
    c, h = analysed.client, analysed.as_("vic")
    r = c.post("/v1/scenarios", json={"scenario": "collections -30% for 6 weeks"}, headers=h)
    assert r.status_code == 200, r.text
    base, shocked = r.json()["results"]
    assert shocked["group_min_balance_q05"] < base["group_min_balance_q05"]
    nonsense = c.post("/v1/scenarios", json={"scenario": "the moon turns blue"}, headers=h)
    assert nonsense.status_code == 400 and nonsense.json()["error"]["type"] == "config_error"
    assert len(c.get("/v1/scenarios/library", headers=h).json()) > 0
