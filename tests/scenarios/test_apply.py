"""Scenarios applied to synthetic outlooks: exact effects and invariants."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.risk.helpers import outlook, position, random_outlook, scheduled, steady
from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.scenarios import (
    CreditCut,
    FlowShock,
    FxShock,
    LatePayment,
    Prepayment,
    RevenueShock,
    TermsChange,
    apply_scenario,
    compare_scenarios,
    expected_receipts_from,
    parse_scenario,
    stress_test,
)

KEY = "US01/USD"
RECEIPTS = (KEY, "customer_receipt")


def _base(n_days: int = 70) -> pd.DataFrame:
    return outlook(
        {RECEIPTS: steady(3, n_days, 10.0), (KEY, "payroll"): steady(3, n_days, -4.0)},
        [position(opening=100.0, minimum=50.0, credit=40.0)],
    )


def test_collections_shock_scales_only_its_window() -> None:
    shocked = apply_scenario(_base(), parse_scenario("collections -15% for 6 weeks"))
    receipts = shocked.paths[RECEIPTS][0]
    assert np.allclose(receipts[:42], 8.5) and np.allclose(receipts[42:], 10.0)
    assert shocked.paths[(KEY, "payroll")] is _base().paths[(KEY, "payroll")] or np.allclose(
        shocked.paths[(KEY, "payroll")], -4.0
    )
    assert shocked.provenance["scenario_name"] == "collections -15% for 6 weeks"
    assert shocked.provenance["scenario"][0]["kind"] == "flow_shock"
    assert not shocked.flows.empty  # summary recomputed for the shocked paths


def test_shock_keeps_daily_and_weekly_pattern() -> None:
    pattern = np.tile([5.0, 9.0, 9.0, 9.0, 12.0, 0.0, 0.0], 10)[None, :].repeat(4, axis=0)
    o = outlook({RECEIPTS: pattern}, [position()])
    shocked = apply_scenario(o, FlowShock(category="customer_receipt", pct=-20))
    assert np.allclose(shocked.paths[RECEIPTS], pattern * 0.8)


def test_revenue_drop_reaches_receipts_with_the_collection_lag() -> None:
    shocked = apply_scenario(_base(), RevenueShock(pct=-20, lag_days=10))
    receipts = shocked.paths[RECEIPTS][0]
    # day i: (i + 1) of the last 10 days of sales fell 20 % -> 10 x (1 - 0.02 (i + 1))
    assert receipts[0] == pytest.approx(9.8)
    assert receipts[4] == pytest.approx(9.0)
    assert np.allclose(receipts[9:], 8.0)


def test_customer_paying_late_moves_its_expected_receipts() -> None:
    expected = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2"],
            "key": [KEY, KEY, KEY],
            "ds": pd.to_datetime(["2026-01-05", "2026-02-20", "2026-01-05"]),
            "amount": [30.0, 50.0, 7.0],
        }
    )
    shocked = apply_scenario(
        _base(), LatePayment(customer_id="C1", days=45), expected_receipts=expected
    )
    diff = shocked.paths[RECEIPTS][0] - 10.0
    # Jan 5 is day 2: 30 moves to day 47; Feb 20 (day 48) moves past the 70-day horizon
    assert diff[2] == -30.0 and diff[47] == 30.0 and diff[48] == -50.0
    assert diff.sum() == -50.0
    with pytest.raises(ConfigError, match="expected_receipts"):
        apply_scenario(_base(), LatePayment(customer_id="C1", days=45))
    with pytest.raises(ConfigError, match="no expected receipts"):
        apply_scenario(_base(), LatePayment(customer_id="C9", days=5), expected_receipts=expected)


def test_expected_receipts_are_what_the_forecast_holds() -> None:
    receivables = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "key": [KEY] * 3,
            "open_amount": [100.0, 50.0, 70.0],
            "expected_in_horizon": [40.0, 50.0, 0.0],
            "expected_date": pd.to_datetime(["2026-01-10", "2026-01-20", None]),
        }
    )
    got = expected_receipts_from(receivables)
    # a customer gone silent is expected to pay 40 of its 100; none beyond the horizon
    assert got["amount"].tolist() == [40.0, 50.0]
    assert got["customer_id"].tolist() == ["C1", "C2"]
    assert expected_receipts_from(receivables.drop(columns="expected_in_horizon"))[
        "amount"
    ].tolist() == [100.0, 50.0]


def test_tighter_terms_bring_cash_sooner_but_lose_orders() -> None:
    expected = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "key": [KEY, KEY],
            "ds": pd.to_datetime(["2026-01-10"] * 2),
            "amount": [50.0, 50.0],
        }
    )
    spec = TermsChange(customer_id="C1", days=10, current_days=30, elasticity=0.01)
    shocked = apply_scenario(_base(), spec, expected_receipts=expected)
    receipts = shocked.paths[RECEIPTS][0]
    assert np.allclose(receipts[:20], 10.0)  # before new-terms invoices are paid
    assert np.allclose(receipts[20:30], 10.0 + 0.9 * 5.0)  # old and new terms overlap
    assert np.allclose(receipts[30:], 5.0 + 0.9 * 5.0)  # C1 orders 10 % less


def test_prepayment_moves_the_suppliers_bills_forward() -> None:
    bills = scheduled(
        [
            {
                "key": KEY,
                "item_id": "B1",
                "counterparty_id": "S1",
                "category": "supplier_payment",
                "due_date": date(2026, 2, 1),
                "amount": -20.0,
                "discount_date": None,
                "discount_pct": 0.0,
                "critical": False,
            },
            {
                "key": KEY,
                "item_id": "B2",
                "counterparty_id": "S2",
                "category": "supplier_payment",
                "due_date": date(2026, 2, 1),
                "amount": -5.0,
                "discount_date": None,
                "discount_pct": 0.0,
                "critical": False,
            },
        ]
    )
    o = outlook({RECEIPTS: steady(2, 40, 0.0)}, [position()], bills=bills)
    now = apply_scenario(o, Prepayment(supplier_id="S1"))
    assert now.scheduled["due_date"].tolist() == [date(2026, 1, 3), date(2026, 2, 1)]
    earlier = apply_scenario(o, Prepayment(supplier_id="S1", days=10))
    assert earlier.scheduled["due_date"].tolist() == [date(2026, 1, 22), date(2026, 2, 1)]
    assert o.scheduled["due_date"].tolist() == [date(2026, 2, 1)] * 2  # original untouched
    with pytest.raises(ConfigError, match="S9 has no open bills"):
        apply_scenario(o, Prepayment(supplier_id="S9"))


def test_fx_and_credit_cut_change_positions() -> None:
    eur = position("DE01/EUR", fx=1.1, credit=100.0)
    o = outlook(
        {("DE01/EUR", "other"): steady(2, 5, 0.0), (KEY, "other"): steady(2, 5, 0.0)},
        [eur, position(credit=50.0)],
    )
    fx = apply_scenario(o, FxShock(pct=-10))
    assert fx.position("DE01/EUR").fx_to_reporting == pytest.approx(0.99)
    assert fx.position(KEY).fx_to_reporting == 1.0  # the reporting currency does not move
    cut = apply_scenario(o, CreditCut(pct=50, entity="DE01"))
    assert cut.position("DE01/EUR").credit_limit == 50.0
    assert cut.position(KEY).credit_limit == 50.0


def test_comparison_table_and_stress_library() -> None:
    o = random_outlook(3, n_days=60)
    policy = Policy()
    table = compare_scenarios(o, policy, [parse_scenario("collections -30%")]).frame()
    assert list(table["name"]) == ["baseline", "collections -30%"]
    base, shocked = table.to_dict("records")
    assert shocked["breach_probability"] >= base["breach_probability"]
    assert shocked["group_min_balance_q05"] < base["group_min_balance_q05"]
    stress = stress_test(o, policy, severity="severe")
    assert stress.results[0].severity == "baseline"
    assert {r.severity for r in stress.results[1:]} == {"severe"}
    cut = next(r for r in stress.results if r.name == "credit withdrawn")
    assert cut.breach_probability_with_credit == cut.breach_probability


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), kind=st.sampled_from(["flow", "revenue", "fx", "credit"]))
def test_zero_shock_leaves_the_outlook_unchanged(seed: int, kind: str) -> None:
    o = random_outlook(seed)
    spec = {
        "flow": FlowShock(category="customer_receipt", pct=0, days=10),
        "revenue": RevenueShock(pct=0, cost_share=0.5),
        "fx": FxShock(pct=0),
        "credit": CreditCut(pct=0),
    }[kind]
    shocked = apply_scenario(o, spec)
    for key, arr in o.paths.items():
        assert np.array_equal(shocked.paths[key], arr)
    assert shocked.positions == o.positions
    assert shocked.scheduled.equals(o.scheduled)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    pct=st.floats(-100, 0),
    start=st.integers(0, 29),
    days=st.integers(1, 30),
)
def test_less_collected_never_raises_the_low_balance(
    seed: int, pct: float, start: int, days: int
) -> None:
    o = random_outlook(seed)
    shocked = apply_scenario(
        o, FlowShock(category="customer_receipt", pct=pct, start_day=start, days=days)
    )
    before = o.balance_quantile(KEY, 0.05).to_numpy()
    after = shocked.balance_quantile(KEY, 0.05).to_numpy()
    assert np.all(after <= before + 1e-9)
