"""KPI time series on a small ledger whose month-end figures are worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tools.domain.policy import MinimumCash, Policy
from tools.errors import ConfigError
from tools.kpi import drawn_at, inventory_at, kpi_series

T = pd.Timestamp
POLICY = Policy(minimum_cash=MinimumCash(group=1000.0, entities={"US01": 1000.0}))


def _ledger() -> dict[str, pd.DataFrame]:
    return {
        "entities": pd.DataFrame(
            {"entity_id": ["US01"], "name": ["Co"], "base_currency": ["USD"], "country": ["US"]}
        ),
        "bank_accounts": pd.DataFrame(
            {"account_id": ["OP"], "entity_id": ["US01"], "currency": ["USD"]}
        ),
        "bank_balances": pd.DataFrame(
            {
                "account_id": ["OP", "OP"],
                "date": [T("2024-01-31"), T("2024-02-29")],
                "balance_type": ["closing", "closing"],
                "amount": [10_000.0, 8_000.0],
                "currency": ["USD", "USD"],
            }
        ),
        "bank_transactions": pd.DataFrame(
            {
                "txn_id": ["T1", "T2", "T3", "T4"],
                "account_id": ["OP"] * 4,
                "booking_date": [
                    T("2024-01-20"),
                    T("2024-01-25"),
                    T("2024-02-14"),
                    T("2024-02-15"),
                ],
                "amount": [3_000.0, -600.0, -2_000.0, 1_000.0],
                "currency": ["USD"] * 4,
                "counterparty": ["Cust", "Payroll", "Supp", "Bank"],
                "reference": ["R1", "R2", "B1", "RCF"],
                "description": [
                    "Remittance",
                    "Salaries",
                    "Bill B1",
                    "Drawdown revolving credit facility",
                ],
                "category": ["customer_receipt", "payroll", "supplier_payment", "financing"],
            }
        ),
        "ar_invoices": pd.DataFrame(
            {
                "invoice_id": ["I1", "I2"],
                "customer_id": ["C1", "C1"],
                "entity_id": ["US01", "US01"],
                "doc_type": ["invoice", "invoice"],
                "issue_date": [T("2024-01-10"), T("2024-02-10")],
                "due_date": [T("2024-02-09"), T("2024-03-11")],
                "amount": [3_000.0, 6_000.0],
                "currency": ["USD", "USD"],
                "open_amount": [0.0, 6_000.0],
                "settled_date": [T("2024-02-05"), pd.NaT],
                "disputed": [False, False],
            }
        ),
        "ar_receipts": pd.DataFrame(
            columns=[
                "receipt_id",
                "invoice_id",
                "customer_id",
                "payment_date",
                "amount",
                "currency",
            ]
        ),
        "ap_bills": pd.DataFrame(
            {
                "bill_id": ["B1"],
                "supplier_id": ["S1"],
                "entity_id": ["US01"],
                "doc_type": ["bill"],
                "issue_date": [T("2024-01-15")],
                "due_date": [T("2024-02-14")],
                "amount": [2_000.0],
                "currency": ["USD"],
                "open_amount": [0.0],
                "paid_date": [T("2024-02-14")],
            }
        ),
        "inventory_items": pd.DataFrame(
            {
                "sku": ["K1"],
                "entity_id": ["US01"],
                "unit_cost": [10.0],
                "currency": ["USD"],
                "on_hand": [100.0],
            }
        ),
        "inventory_demand": pd.DataFrame(
            {
                "sku": ["K1", "K1"],
                "date": [T("2024-01-20"), T("2024-02-10")],
                "quantity": [30.0, 20.0],
            }
        ),
        "purchase_orders": pd.DataFrame(
            {
                "po_id": ["P1"],
                "sku": ["K1"],
                "expected_date": [T("2024-02-20")],
                "quantity": [50.0],
                "status": ["received"],
            }
        ),
        "credit_facilities": pd.DataFrame(
            {
                "facility_id": ["RCF"],
                "entity_id": ["US01"],
                "currency": ["USD"],
                "limit": [5_000.0],
                "drawn": [1_000.0],
            }
        ),
        "fx_rates": pd.DataFrame(columns=["date", "base", "quote", "rate"]),
    }


def test_inventory_and_drawn_credit_roll_back_to_the_date() -> None:
    tables = _ledger()
    # today 100; +20 demanded after Jan 31, -50 received after it
    assert inventory_at(tables, T("2024-01-31"))["on_hand"].tolist() == [70.0]
    assert inventory_at(tables, T("2024-02-29"))["on_hand"].tolist() == [100.0]
    fac = tables["credit_facilities"]
    assert drawn_at(fac, tables["bank_transactions"], tables["bank_accounts"], T("2024-01-31"))[
        "drawn"
    ].tolist() == [0.0]


def test_month_end_series_by_hand() -> None:
    series = kpi_series(
        _ledger(), POLICY, start=date(2024, 1, 1), end=date(2024, 2, 29), window_days=30
    )
    assert series.dates == (date(2024, 1, 31), date(2024, 2, 29))
    frame = series.frame().set_index(["date", "scope"])
    jan = frame.loc[(date(2024, 1, 31), "group")]
    # revenue 3,000 in the window and 3,000 open -> DSO 30; bill 2,000 open -> DPO 30
    assert jan["dso"] == 30.0 and jan["dpo"] == 30.0
    # inventory 70 x 10 = 700 against 30 x 10 = 300 of demand in 30 days -> DIO 70
    assert jan["inventory_value"] == 700.0 and jan["dio"] == 70.0
    assert jan["ccc"] == 70.0
    # (10,000 cash + 3,000 AR + 700 stock) / (2,000 AP + 0 drawn)
    assert jan["current_ratio"] == 6.85 and jan["quick_ratio"] == 6.5
    assert jan["drawn_credit"] == 0.0 and jan["credit_headroom"] == 5_000.0
    # 10,000 - 1,000 floor + 5,000 undrawn
    assert jan["liquidity_headroom"] == 14_000.0
    # operating outflow 600 in 30 days; operating flows net +2,400: no runway needed
    assert jan["days_cash_on_hand"] == 500.0 and pd.isna(jan["cash_runway_days"])
    assert jan["working_capital"] == 1_700.0
    assert jan["working_capital_to_revenue"] == pytest.approx(round(1_700 / (3_000 * 365 / 30), 4))
    feb = frame.loc[(date(2024, 2, 29), "group")]
    # I2 open 6,000; B1 paid; 1,000 drawn on Feb 15
    assert feb["ar_open"] == 6_000.0 and feb["ap_open"] == 0.0
    assert feb["current_ratio"] == 15.0 and feb["quick_ratio"] == 14.0
    assert feb["credit_headroom"] == 4_000.0
    # net operating outflow 2,000 over 30 days: 8,000 lasts 120 days
    assert feb["cash_runway_days"] == 120.0
    assert frame.loc[(date(2024, 2, 29), "US01"), "dso"] == feb["dso"]


def test_long_format_and_trend() -> None:
    series = kpi_series(_ledger(), POLICY, start=date(2024, 1, 1), end=date(2024, 2, 29))
    long = series.long()
    assert list(long.columns) == ["unique_id", "ds", "y"]
    assert "group/dso" in set(long["unique_id"])
    assert series.trend("cash").tolist() == [10_000.0, 8_000.0]
    with pytest.raises(KeyError, match="no KPI"):
        series.trend("nope")


def test_empty_range_is_refused() -> None:
    with pytest.raises(ConfigError, match="widen the range"):
        kpi_series(_ledger(), POLICY, start=date(2024, 1, 2), end=date(2024, 1, 20))
