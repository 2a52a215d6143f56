"""Liquidity risk read off sample paths, on outlooks with known answers."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.risk.helpers import outlook, position, random_outlook, scheduled, steady
from tools.domain.policy import EarlyWarningPolicy, MinimumCash, Policy
from tools.errors import DataError
from tools.risk import liquidity_risk

POLICY = Policy(early_warning=EarlyWarningPolicy(warning_probability=0.2, horizon_days=91))
KEY = "US01/USD"


def _falling(n_paths: int = 10, n_days: int = 30) -> dict[tuple[str, str], np.ndarray]:
    # 100 - 5 * (i + 1) < 50 from day index 10 on: 45 at the end of day 10
    return {(KEY, "supplier_payment"): steady(n_paths, n_days, -5.0)}


def test_deterministic_crossing_on_day_ten() -> None:
    risk = liquidity_risk(outlook(_falling(), [position()]), POLICY)
    s = risk.scope(KEY)
    assert s.breach_probability[:10] == (0.0,) * 10
    assert s.breach_probability[10:] == (1.0,) * 20
    assert s.first_breach_date == risk.dates[10] == date(2026, 1, 13)
    assert s.horizon_breach_probability == 1.0
    # worst balance 100 - 150 = -50, 100 below the floor on every path
    assert s.expected_shortfall == 100.0
    assert s.shortfall_given_breach == 100.0
    assert s.cash_flow_at_risk == 0.0  # no uncertainty
    assert s.expected_net_flow == -150.0
    assert s.min_balance_q05 == -50.0
    assert s.min_balance_q05_date == risk.dates[-1]


def test_half_of_the_paths_breach() -> None:
    flows = np.zeros((10, 30))
    flows[:5] = -5.0
    risk = liquidity_risk(outlook({(KEY, "supplier_payment"): flows}, [position()]), POLICY)
    s = risk.scope(KEY)
    assert s.breach_probability[10] == 0.5
    assert s.first_breach_date == risk.dates[10]
    assert s.expected_shortfall == 50.0
    strict = POLICY.model_copy(
        update={"early_warning": EarlyWarningPolicy(warning_probability=0.6)}
    )
    assert (
        liquidity_risk(outlook({(KEY, "supplier_payment"): flows}, [position()]), strict)
        .scope(KEY)
        .first_breach_date
        is None
    )


def test_credit_line_is_reported_as_a_mitigant() -> None:
    # worst balance -50 against a floor of 50: a 100 line covers it, a 60 line does not
    covered = liquidity_risk(outlook(_falling(), [position(credit=100.0)]), POLICY).scope(KEY)
    assert covered.max_breach_probability == 1.0
    assert covered.horizon_breach_probability_with_credit == 0.0
    assert covered.first_breach_date_with_credit is None
    short = liquidity_risk(outlook(_falling(), [position(credit=60.0)]), POLICY).scope(KEY)
    # 100 - 5(i+1) + 60 < 50 from i = 22 on
    assert short.breach_probability_with_credit.index(1.0) == 22
    assert short.first_breach_date_with_credit == date(2026, 1, 25)


def test_horizon_is_the_policy_horizon() -> None:
    policy = POLICY.model_copy(update={"early_warning": EarlyWarningPolicy(horizon_days=8)})
    risk = liquidity_risk(outlook(_falling(), [position()]), policy)
    assert risk.horizon_days == 8
    assert risk.scope(KEY).max_breach_probability == 0.0


def test_drivers_name_the_category_that_differs_on_breaching_paths() -> None:
    receipts = np.zeros((10, 30))
    receipts[5:] = 5.0  # half the paths collect, half do not
    flows = {
        (KEY, "customer_receipt"): receipts,
        (KEY, "payroll"): steady(10, 30, -5.0),
    }
    s = liquidity_risk(outlook(flows, [position()]), POLICY).scope(KEY)
    assert s.tail == "breaching"
    assert s.tail_paths == 5
    top = s.drivers[0]
    assert top.category == "customer_receipt"
    # to day 10: 55 received on an average path, none on the breaching ones
    assert top.contribution == -27.5
    assert top.share == 1.0
    payroll = next(d for d in s.drivers if d.category == "payroll")
    assert payroll.contribution == 0.0


def test_largest_bills_before_the_breach() -> None:
    bills = scheduled(
        [
            {
                "key": KEY,
                "item_id": "B1",
                "counterparty_id": "S1",
                "category": "supplier_payment",
                "due_date": date(2026, 1, 5),
                "amount": -30.0,
                "discount_date": None,
                "discount_pct": 0.0,
                "critical": False,
            },
            {
                "key": KEY,
                "item_id": "B2",
                "counterparty_id": "S2",
                "category": "supplier_payment",
                "due_date": date(2026, 1, 6),
                "amount": -45.0,
                "discount_date": None,
                "discount_pct": 0.0,
                "critical": True,
            },
            {
                "key": KEY,
                "item_id": "B3",
                "counterparty_id": "S3",
                "category": "supplier_payment",
                "due_date": date(2026, 1, 30),
                "amount": -90.0,
                "discount_date": None,
                "discount_pct": 0.0,
                "critical": False,
            },
        ]
    )
    o = outlook({(KEY, "other"): steady(4, 30, 0.0)}, [position()], bills=bills)
    s = liquidity_risk(o, POLICY).scope(KEY)
    # 100 - 30 on Jan 5 (day 2) = 70, - 45 on Jan 6 = 25 < 50
    assert s.first_breach_date == date(2026, 1, 6)
    assert [b.item_id for b in s.largest_bills] == ["B2", "B1"]
    assert s.largest_bills[0].critical


def test_entities_and_group_in_reporting_currency() -> None:
    eur = position("DE01/EUR", opening=100.0, minimum=40.0, credit=10.0, fx=2.0)
    usd = position("DE01/USD", opening=30.0, minimum=0.0)
    us = position("US01/USD", opening=500.0, minimum=100.0)
    flows = {
        ("DE01/EUR", "other"): steady(5, 20, -1.0),
        ("DE01/USD", "other"): steady(5, 20, 1.0),
        ("US01/USD", "other"): steady(5, 20, 0.0),
    }
    policy = POLICY.model_copy(update={"minimum_cash": MinimumCash(group=300.0)})
    risk = liquidity_risk(outlook(flows, [eur, usd, us]), policy)
    de = risk.scope("DE01")
    assert de.keys == ("DE01/EUR", "DE01/USD")
    assert de.opening == 230.0  # 100 EUR x 2 + 30 USD
    assert de.minimum == 80.0
    assert de.credit_available == 20.0
    assert de.balance_q50[-1] == 230.0 - 40.0 + 20.0
    group = risk.group
    assert group.opening == 730.0
    assert group.minimum == 300.0  # the policy's group floor
    # tightest point: DE01/EUR ends at 80 EUR, 40 above its floor = 80 USD; US01 has 400
    assert risk.binding.scope == "DE01/EUR"
    assert risk.binding.headroom_reporting == 80.0
    assert [s.scope for s in risk.policy_scopes] == ["DE01/EUR", "US01/USD", "DE01", "group"]


def test_provenance_and_thresholds() -> None:
    risk = liquidity_risk(outlook(_falling(), [position()]), POLICY)
    assert risk.provenance["n_paths"] == 10
    assert risk.provenance["outlook"] == {"source": "test"}
    assert risk.thresholds["warning_probability"] == 0.2
    with pytest.raises(KeyError, match="known: US01/USD"):
        risk.scope("XX")


def test_outlook_without_positions_is_refused() -> None:
    o = outlook({(KEY, "other"): steady(2, 5, 0.0)}, [position()])
    empty = o.with_paths({}, positions=())
    with pytest.raises(DataError, match="no cash positions"):
        liquidity_risk(empty, POLICY)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), low=st.floats(0, 150), extra=st.floats(0, 100))
def test_breach_probability_is_a_probability_and_monotone_in_the_floor(
    seed: int, low: float, extra: float
) -> None:
    base = random_outlook(seed)
    lower = liquidity_risk(base, POLICY.model_copy()).scope(KEY)
    higher_floor = base.with_paths(
        base.paths, positions=(position(opening=100.0, minimum=low + extra, credit=20.0),)
    )
    lower_floor = base.with_paths(
        base.paths, positions=(position(opening=100.0, minimum=low, credit=20.0),)
    )
    hi = liquidity_risk(higher_floor, POLICY).scope(KEY)
    lo = liquidity_risk(lower_floor, POLICY).scope(KEY)
    for p_hi, p_lo in zip(hi.breach_probability, lo.breach_probability, strict=True):
        assert 0.0 <= p_lo <= p_hi <= 1.0
    assert all(
        c <= p
        for c, p in zip(hi.breach_probability_with_credit, hi.breach_probability, strict=True)
    )
    assert lower.cumulative_breach_probability == tuple(sorted(lower.cumulative_breach_probability))
    assert hi.expected_shortfall >= lo.expected_shortfall


def test_forecast_drivers_are_passed_on_per_scope_and_date() -> None:
    o = outlook(_falling(), [position()])
    drivers = (
        {
            "kind": "expected_customer_payment",
            "key": KEY,
            "counterparty": "C1",
            "expected_date": date(2026, 1, 8),
            "amount": 40.0,
        },
        {
            "kind": "expected_customer_payment",
            "key": KEY,
            "counterparty": "C2",
            "expected_date": date(2026, 1, 28),
            "amount": 90.0,
        },
        {"kind": "known_flow", "key": "DE01/EUR", "date": date(2026, 1, 5), "amount": -5.0},
    )
    risk = liquidity_risk(dataclasses.replace(o, drivers=drivers), POLICY)
    got = risk.scope(KEY).counterparties
    assert [d["counterparty"] for d in got] == ["C1"]  # C2 is after the breach, DE01 elsewhere
    assert got[0]["expected_date"] == "2026-01-08"
