"""Forecast-versus-actual variance names the cause injected into the simulated company."""

from __future__ import annotations

from datetime import date

import pytest

from tools.data.asof import tables_as_of
from tools.data.simulator import Company, Shock, SimConfig, generate_company
from tools.forecasting.cash import build_outlook
from tools.monitoring import VarianceReport, explain_variance

AS_OF, START, END = date(2025, 12, 31), date(2026, 1, 5), date(2026, 2, 13)


def _report(shocks: tuple[Shock, ...]) -> tuple[Company, VarianceReport]:
    company = generate_company(SimConfig(seed=3, shocks=shocks))
    fc = build_outlook(
        tables_as_of(company.tables, AS_OF), company.policy, as_of=AS_OF, n_paths=100
    )
    return company, explain_variance(fc, company.tables, start=START, end=END)


def test_a_customer_that_stops_paying_is_the_largest_driver() -> None:
    company, report = _report((Shock(kind="customer_default", start=START),))
    lost = company.truth["shocks"][0]["customer_id"]
    top = report.drivers[0]
    assert (top.component, top.category, top.counterparty) == ("missing", "customer_receipt", lost)
    assert top.amount < 0 and "did not arrive" in report.summary


def test_components_add_up_to_the_variance() -> None:
    _, report = _report(())
    assert sum(report.by_component.values()) == pytest.approx(report.variance, abs=1.0)
    assert report.actual - report.forecast == pytest.approx(report.variance, abs=0.01)
    # ranked by surprise, each measured against at least the materiality floor
    surprise = [abs(d.surprise) for d in report.drivers]
    assert surprise == sorted(surprise, reverse=True)
    assert report.materiality > 0
    assert all(d.spread >= report.materiality - 0.01 for d in report.drivers)


def test_window_outside_the_horizon_is_refused() -> None:
    company = generate_company(SimConfig(seed=3))
    tables = tables_as_of(company.tables, AS_OF)
    fc = build_outlook(tables, company.policy, as_of=AS_OF, n_paths=20, quality="fast")
    with pytest.raises(ValueError, match="within the forecast horizon"):
        explain_variance(fc, company.tables, start=date(2026, 6, 1), end=date(2026, 6, 30))
