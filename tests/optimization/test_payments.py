"""Supplier payment scheduling: hand-checkable cases, invariants and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.optimization.factory import ALL_DAYS, bill, day, make_outlook
from tools.domain.policy import Policy
from tools.errors import ConfigError, DataError
from tools.optimization import SolverParams, optimize_payments

FAST = SolverParams(time_limit_s=60, workers=1, seed=0)  # a bound, not a target: CI is busy
COF = {"USD": 4.0}


def _run(outlook, **kw):
    kw.setdefault("cost_of_funds_pct", COF)
    kw.setdefault("payment_run_weekdays", ALL_DAYS)
    kw.setdefault("solver", FAST)
    return optimize_payments(outlook, None, None, Policy(), **kw)


def test_discount_taken_with_ample_cash() -> None:
    # 2/10 net 30, plenty of cash: pay on day 10, gain 2 % minus 20 days of funding at 4 %.
    r = _run(make_outlook([bill("B1", 10_000, due=30, discount_day=10, discount_pct=2)]))
    row = r.plan.iloc[0]
    assert r.status == "feasible"
    assert row["pay_date"].date() == day(10)
    assert row["kind"] == "discount"
    assert r.objective["discounts"] == pytest.approx(200.0)
    assert r.objective["total"] == pytest.approx(200 - 10_000 * 0.04 * 20 / 365, abs=0.01)


def test_no_cash_costly_credit_pays_on_due_date() -> None:
    # No cash, credit at 80 %: the discount is not worth 20 days of credit; pay when due.
    o = make_outlook(
        [bill("B1", 10_000, due=30, discount_day=10, discount_pct=2)],
        opening=0.0,
        credit_limit=50_000,
        credit_rate=80.0,
    )
    r = _run(o, max_days_late=0)
    assert r.plan.iloc[0]["pay_date"].date() == day(30)
    assert r.draws["drawn"].max() == pytest.approx(10_000)
    assert r.objective["credit_interest"] == pytest.approx(-10_000 * 0.8 * 12 / 365, abs=0.01)


def test_critical_supplier_never_late_and_uses_credit() -> None:
    # Tight cash: the non-critical bill slips within the window, the critical one is paid
    # on time with a draw.
    o = make_outlook(
        [bill("C1", 8_000, due=7, critical=True), bill("N1", 8_000, due=7)],
        opening=0.0,
        daily=500.0,
        credit_limit=8_000,
        credit_rate=10.0,
    )
    r = _run(o, max_days_late=14)
    plan = r.plan.set_index("bill_id")
    assert plan.loc["C1", "days_late"] == 0
    assert plan.loc["C1", "pay_date"].date() <= day(7)
    assert plan.loc["N1", "days_late"] > 0
    assert r.draws["drawn"].max() > 0
    assert any(p.action == "credit_line_draw" for p in r.proposals)


def test_payment_runs_respected() -> None:
    o = make_outlook([bill(f"B{i}", 1_000, due=5 + i) for i in range(10)])
    r = _run(o, payment_run_weekdays=(1, 3))
    inside = r.plan.loc[r.plan["in_horizon"]]
    assert set(pd.to_datetime(inside["pay_date"]).dt.weekday) <= {1, 3}


def test_infeasible_returns_smallest_credit_relaxation() -> None:
    # A critical 10k bill on day 5 with 5k of credit and no cash: 5k more credit needed.
    o = make_outlook([bill("C1", 10_000, due=5, critical=True)], opening=0.0, credit_limit=5_000)
    r = _run(o)
    assert r.status == "infeasible"
    (relax,) = r.relaxation
    assert relax.amount == pytest.approx(5_000, abs=1)
    assert relax.first_date == day(5)
    assert "more credit line" in relax.message
    assert r.proposals == ()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    amounts=st.lists(st.floats(100, 50_000), min_size=1, max_size=8),
    dues=st.lists(st.integers(-5, 40), min_size=8, max_size=8),
    opening=st.floats(0, 100_000),
    credit=st.floats(0, 50_000),
    critical=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_plans_keep_floor_or_report_relaxation(amounts, dues, opening, credit, critical) -> None:
    bills = [
        bill(
            f"B{i}",
            a,
            due=dues[i],
            discount_day=max(dues[i] - 20, 0),
            discount_pct=2 * (i % 2),
            critical=critical[i],
        )
        for i, a in enumerate(amounts)
    ]
    o = make_outlook(
        bills,
        opening=opening,
        floor=5_000.0,
        credit_limit=credit,
        daily=1_000.0,
        noise=300.0,
        n_paths=50,
    )
    r = _run(o, payment_run_weekdays=(1, 3))
    assert r.status in ("feasible", "infeasible")
    if r.status == "feasible":
        assert (r.balances["balance"] >= r.balances["floor"] - 1e-3).all()
        runs = [p for p in r.proposals if p.action == "payment_run"]
        paid = r.plan.loc[r.plan["in_horizon"], "amount"].sum()
        assert sum(p.amount for p in runs) == pytest.approx(paid, abs=0.05)
        assert sum(i.amount for p in runs for i in p.items) == pytest.approx(paid, abs=0.05)
        assert (
            not r.plan.loc[r.plan["critical"], "days_late"].gt(0).any()
            or (np.array(dues) < 0).any()
        )
    else:
        assert r.relaxation and all(x.amount > 0 for x in r.relaxation)


def test_bill_without_due_date_is_a_data_error() -> None:
    b = bill("B1", 1_000, due=10)
    b["due_date"] = pd.NaT
    with pytest.raises(DataError, match="B1 has no due date"):
        _run(make_outlook([b]))


def test_positive_scheduled_amount_is_a_data_error() -> None:
    b = bill("B1", 1_000, due=10)
    b["amount"] = 1_000.0
    with pytest.raises(DataError, match="negative amount"):
        _run(make_outlook([b]))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"payment_run_weekdays": ()}, "payment_run_weekdays"),  # no run day at all
        ({"confidence": 1.0}, "confidence"),  # certainty is not a quantile
        ({"max_days_late": -1}, "max_days_late"),  # contradictory window
        ({"cost_of_funds_pct": None, "rates": None}, "money-market rates"),  # no rates
    ],
)
def test_bad_settings_are_config_errors(kwargs, match) -> None:
    with pytest.raises(ConfigError, match=match):
        _run(make_outlook([bill("B1", 1_000, due=10)]), **kwargs)


def test_result_serialises_and_records_solver() -> None:
    r = _run(make_outlook([bill("B1", 1_000, due=10)]))
    doc = r.model_dump(mode="json")
    assert doc["plan"][0]["bill_id"] == "B1"
    assert doc["solve"]["seed"] == 0 and doc["solve"]["time_limit_s"] == FAST.time_limit_s
    assert doc["solve"]["gap"] == pytest.approx(0.0, abs=1e-9)
