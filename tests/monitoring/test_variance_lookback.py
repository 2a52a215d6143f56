"""Actuals against the forecasts made 1, 5 and 20 business days before: causes persist."""

from __future__ import annotations

from datetime import date

import pytest

from evals.variance import delay_customer, top_customers
from tools.data.asof import tables_as_of
from tools.data.simulator import Shock, SimConfig, generate_company
from tools.forecasting.cash import build_outlook
from tools.monitoring import explain_variance
from tools.monitoring.lookback import LookbackReport, lag_origin, lookback_variance

START, END, REVIEW = date(2026, 1, 12), date(2026, 1, 23), date(2026, 2, 13)
SMALL = {"n_customers": 40, "n_suppliers": 20, "n_skus": 10, "start": date(2024, 7, 1)}


@pytest.fixture(scope="module")
def lost() -> tuple[str, LookbackReport]:
    company = generate_company(
        SimConfig(seed=3, shocks=(Shock(kind="customer_default", start=START),))
    )
    report = lookback_variance(
        tables_as_of(company.tables, REVIEW), company.policy, start=START, end=END, n_paths=20
    )
    return str(company.truth["shocks"][0]["customer_id"]), report


@pytest.mark.parametrize(
    ("start", "lag", "origin"),
    [
        (date(2026, 1, 12), 1, date(2026, 1, 9)),  # Monday: the Friday before
        (date(2026, 1, 14), 5, date(2026, 1, 7)),  # a week of business days
        (date(2026, 1, 12), 20, date(2025, 12, 15)),  # four weeks
    ],
)
def test_lag_origin_counts_business_days(start: date, lag: int, origin: date) -> None:
    assert lag_origin(start, lag) == origin


def test_a_lost_customer_is_the_largest_driver_at_every_lag(
    lost: tuple[str, LookbackReport],
) -> None:
    customer, report = lost
    assert [item.lag for item in report.lags] == [1, 5, 20]
    for item in report.lags:
        assert item.forecast_as_of == lag_origin(START, item.lag)
        assert item.report.lag_business_days == item.lag
        top3 = [(d.component, d.counterparty) for d in item.report.drivers[:3]]
        assert ("missing", customer) in top3
    top = report.drivers[0]
    assert (top.component, top.counterparty) == ("missing", customer)
    assert "did not arrive" in report.summary and "20 business days before" in report.summary
    assert all(d.category != "financing" for d in report.drivers)
    surprise = [abs(d.surprise) for d in report.drivers]
    assert surprise == sorted(surprise, reverse=True)
    assert top.surprise < -3  # far outside what the forecast allowed


def test_combined_amount_is_the_median_across_lags(lost: tuple[str, LookbackReport]) -> None:
    _, report = lost
    top = report.drivers[0]
    per_lag = sorted(
        next(
            d.amount
            for d in item.report.drivers
            if (d.component, d.key, d.counterparty) == (top.component, top.key, top.counterparty)
        )
        for item in report.lags
    )
    assert report.drivers[0].amount == pytest.approx(per_lag[1], abs=0.01)


def test_bad_lags_are_refused() -> None:
    company = generate_company(SimConfig(seed=3, **SMALL))
    with pytest.raises(ValueError, match="lags must be business days"):
        lookback_variance(company.tables, company.policy, start=START, end=END, lags=(0,))


def test_a_customer_who_pays_after_the_window_was_late_not_missing() -> None:
    company = generate_company(SimConfig(seed=3, **SMALL))
    customer = top_customers(company.tables, START)[0]
    late = delay_customer(company.tables, customer, START, 30)
    origin = lag_origin(START, 5)
    fc = build_outlook(
        tables_as_of(late, origin), company.policy, as_of=origin, n_paths=20, quality="fast"
    )
    at_end = explain_variance(fc, tables_as_of(late, END), start=START, end=END, top=50)
    # the customer pays in monthly batches: the first late batch comes in March
    later = explain_variance(
        fc, tables_as_of(late, date(2026, 3, 31)), start=START, end=END, top=50
    )
    mine = [d.component for d in at_end.drivers if d.counterparty == customer]
    assert "missing" in mine  # nothing came yet: indistinguishable from a lost customer
    mine = [d.component for d in later.drivers if d.counterparty == customer]
    assert "timing" in mine and "missing" not in mine


def test_revaluation_translates_the_balance_held() -> None:
    company = generate_company(
        SimConfig(seed=3, shocks=(Shock(kind="fx_move", start=START, pct=-10),), **SMALL)
    )
    origin = lag_origin(START, 5)
    fc = build_outlook(
        tables_as_of(company.tables, origin),
        company.policy,
        as_of=origin,
        n_paths=20,
        quality="fast",
    )
    flow = explain_variance(fc, company.tables, start=START, end=END)
    both = explain_variance(fc, company.tables, start=START, end=END, revalue=True)
    eur = next(p for p in fc.outlook.positions if p.key == "DE01/EUR")
    assert flow.revaluation == 0.0 and both.revaluation < 0  # EUR fell against USD
    assert eur.opening > 0
    fx_added = both.by_component["fx"] - flow.by_component.get("fx", 0.0)
    assert fx_added == pytest.approx(both.revaluation, abs=0.05)
    assert both.variance == flow.variance
    assert both.position_variance == pytest.approx(both.variance + both.revaluation, abs=0.01)
    # the balance held and the flows of the currency move together: one driver per currency
    fx = [d for d in both.drivers if d.component == "fx"]
    assert [d.key for d in fx] == ["group/EUR"]
    moved = fx[0]
    assert moved.amount == pytest.approx(both.by_component["fx"], abs=0.05)
    assert moved.amount < 0 and moved.surprise < -3  # a 10 % step: far beyond its usual move
    assert "DE01/EUR" in moved.explanation and "EUR held" in moved.explanation
    assert both.drivers[0] == moved
    assert sum(both.by_entity.values()) == pytest.approx(both.position_variance, abs=0.05)
