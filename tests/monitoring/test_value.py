"""Value created: one shape per decision and in total, replayed on what really happened."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from tools.data.asof import tables_as_of
from tools.data.simulator import SimConfig, generate_company
from tools.forecasting.cash import build_outlook
from tools.monitoring.value import ValueBreakdown, actual_path_outlook, cumulative


def test_value_adds_gains_and_subtracts_costs() -> None:
    v = ValueBreakdown(
        discounts_captured=100, yield_earned=50, financing_cost=20, late_fees=5, shortfall_cost=1
    )
    assert v.value == 124.0
    parts = {
        "discounts": 100,
        "term_yield": 30,
        "liquid_yield": 20,
        "credit_interest": -15,
        "restore_credit": -5,
        "late_fees": -5,
        "restore_overdraft": -1,
    }
    assert ValueBreakdown.from_parts(parts) == v
    total = cumulative([v, v.model_copy(update={"breach_days": 2})])
    assert total.value == 248.0 and total.breach_days == 2


def test_actual_path_holds_the_booked_flows_without_replaced_bills() -> None:
    company = generate_company(
        SimConfig(
            seed=5,
            n_customers=30,
            n_suppliers=15,
            n_skus=5,
            start=date(2025, 1, 1),
            end=date(2025, 12, 31),
        )
    )
    as_of = date(2025, 10, 1)
    outlook = build_outlook(
        tables_as_of(company.tables, as_of),
        company.policy,
        as_of=as_of,
        horizon_days=60,
        n_paths=10,
        quality="fast",
    ).outlook
    bills = set(outlook.scheduled["item_id"])
    full = actual_path_outlook(outlook, company.tables)
    less = actual_path_outlook(outlook, company.tables, replaced_items=bills)
    bt = company.tables["bank_transactions"]
    end = pd.Timestamp(as_of) + pd.Timedelta(days=60)
    paid = bt.loc[
        bt["reference"].isin(bills)
        & (bt["booking_date"] > pd.Timestamp(as_of))
        & (bt["booking_date"] <= end)
    ]
    removed = sum(
        float(full.paths[(k, "actual")].sum() - less.paths[(k, "actual")].sum())
        for k in outlook.keys
    )
    assert full.n_paths == 1 and removed == pytest.approx(float(paid["amount"].sum()), abs=0.01)
    assert np.isfinite(full.balance_paths(outlook.keys[0])).all()
    with pytest.raises(ValueError, match="import the statements"):
        actual_path_outlook(outlook, tables_as_of(company.tables, as_of + timedelta(days=20)))
