"""End to end on the demo company: forecast, risk, alerts, stress test and KPI series."""

from __future__ import annotations

from datetime import date

import pytest

from tools.data.asof import tables_as_of
from tools.data.simulator import Shock, SimConfig, generate_company
from tools.forecasting.cash import build_outlook
from tools.kpi import kpi_series
from tools.risk import bank_anomalies, early_warnings, liquidity_risk
from tools.scenarios import (
    compare_scenarios,
    expected_receipts_from,
    parse_scenario,
    stress_test,
)

pytestmark = pytest.mark.slow


def test_simulated_company_end_to_end() -> None:
    start = date(2025, 11, 3)
    company = generate_company(
        SimConfig(seed=3, shocks=(Shock(kind="customer_default", start=start),))
    )
    as_of = date(2025, 12, 1)
    forecast = build_outlook(
        tables_as_of(company.tables, as_of),
        company.policy,
        as_of=as_of,
        n_paths=200,
        quality="fast",
    )
    risk = liquidity_risk(forecast.outlook, company.policy)
    assert {s.scope for s in risk.positions} == {"US01/USD", "DE01/EUR", "DE01/USD"}
    for scope in risk.scopes:
        assert all(0.0 <= p <= 1.0 for p in scope.breach_probability)
        assert scope.horizon_breach_probability_with_credit <= scope.horizon_breach_probability
    warnings = early_warnings(risk)
    assert all(a.lead_time_days is not None and a.lead_time_days >= 0 for a in warnings.alerts)
    receipts = expected_receipts_from(forecast.receivables)
    top = receipts.groupby("customer_id")["amount"].sum().idxmax()
    stress = stress_test(forecast.outlook, company.policy, expected_receipts=receipts)
    assert stress.results[0].name == "baseline" and len(stress.results) == 11
    late = parse_scenario(f"customer {top} pays 60 days late")
    rows = compare_scenarios(
        forecast.outlook, company.policy, [late], expected_receipts=receipts
    ).results
    assert rows[1].group_min_balance_q05 <= rows[0].group_min_balance_q05
    anomalies = bank_anomalies(company.tables)
    assert anomalies.checks["bank_details"]["status"] == "not_checked"
    series = kpi_series(company.tables, company.policy, start=date(2025, 10, 1), end=as_of)
    assert len(series.dates) == 2
    assert set(series.frame()["scope"]) == {"US01", "DE01", "group"}
