"""What share of an invoice a customer usually pays at once: the yardstick of short payments."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.forecasting.cash import CashForecast
from tools.forecasting.outlook import CashOutlook, Position, empty_scheduled
from tools.monitoring.variance_amounts import paid_share_record
from tools.monitoring.variance_items import receivable_parts

AS_OF = date(2026, 1, 9)
DAYS = 28


def _invoices(
    customer: str, shares: list[float], *, first: str = "2025-03-03"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Invoices of 1,000 each, a fortnight apart, first paid ``shares`` of their amount."""
    issued = pd.date_range(first, periods=len(shares), freq="14D")
    ids = [f"{customer}-{first}-{i}" for i in range(len(shares))]
    invoices = pd.DataFrame(
        {
            "invoice_id": ids,
            "customer_id": customer,
            "doc_type": "invoice",
            "issue_date": issued,
            "amount": 1000.0,
        }
    )
    receipts = pd.DataFrame(
        {
            "invoice_id": ids,
            "customer_id": customer,
            "payment_date": issued + pd.Timedelta(days=30),
            "amount": 1000.0 * np.asarray(shares),
        }
    )
    return invoices, receipts


SHORT = _invoices("C1", [0.5, 0.7] * 3)  # pays half or seven tenths at first
FULL = _invoices("C2", [1.0] * 6)  # always in full


def _tables(*parts: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {
        "ar_invoices": pd.concat([p[0] for p in parts], ignore_index=True),
        "ar_receipts": pd.concat([p[1] for p in parts], ignore_index=True),
    }


def test_each_customer_is_judged_by_its_own_record_else_the_companys() -> None:
    record = paid_share_record(_tables(SHORT, FULL), as_of=AS_OF, days=DAYS)
    short, var = record.of("C1")
    assert short == pytest.approx(-0.4) and var == pytest.approx(np.var([0.5, 0.7] * 3, ddof=1))
    assert record.of("C2") == (0.0, 0.0)
    shares = np.array([0.5, 0.7] * 3 + [1.0] * 6) - 1.0
    new_mean, new_var = record.of("C9")  # no record of its own: all the company's invoices
    assert new_mean == pytest.approx(shares.mean())
    assert new_var == pytest.approx(np.var(shares, ddof=1))


def test_a_remainder_paid_within_the_window_length_counts_as_paid() -> None:
    invoices, receipts = _invoices("C1", [0.5] * 6)
    rest = receipts.assign(payment_date=receipts["payment_date"] + pd.Timedelta(days=DAYS - 1))
    record = paid_share_record(
        _tables((invoices, pd.concat([receipts, rest], ignore_index=True))),
        as_of=AS_OF,
        days=DAYS,
    )
    assert record.of("C1") == (0.0, 0.0)
    later = rest.assign(payment_date=rest["payment_date"] + pd.Timedelta(days=1))
    record = paid_share_record(
        _tables((invoices, pd.concat([receipts, later], ignore_index=True))),
        as_of=AS_OF,
        days=DAYS,
    )
    assert record.of("C1")[0] == pytest.approx(-0.5)


def test_only_payments_known_at_the_forecast_date_count() -> None:
    # invoices first paid after the forecast date, or over a year before it, say nothing
    late = _invoices("C2", [0.1] * 6, first="2025-12-20")
    old = _invoices("C2", [0.1] * 6, first="2024-01-01")
    record = paid_share_record(_tables(FULL, late, old), as_of=AS_OF, days=DAYS)
    assert record.of("C2") == (0.0, 0.0)


def test_without_receipts_there_is_no_record() -> None:
    record = paid_share_record({"ar_invoices": SHORT[0]}, as_of=AS_OF, days=DAYS)
    assert record.of("C1") == (0.0, 0.0)


def test_an_invoice_paid_short_is_judged_by_its_customers_habit() -> None:
    a, b = pd.Timestamp(2026, 1, 19), pd.Timestamp(2026, 2, 15)  # a window of DAYS days
    invoices, receipts = _tables(SHORT, FULL).values()
    now = pd.DataFrame(
        {
            "invoice_id": ["N1", "N2"],
            "customer_id": ["C1", "C2"],
            "doc_type": "invoice",
            "issue_date": pd.Timestamp(2025, 12, 20),
            "amount": 1000.0,
        }
    )
    paid = pd.DataFrame(
        {
            "invoice_id": ["N1", "N2"],
            "customer_id": ["C1", "C2"],
            "payment_date": pd.Timestamp(2026, 1, 20),
            "amount": [600.0, 600.0],  # both paid short by 400
        }
    )
    tables = {
        "ar_invoices": pd.concat([invoices, now], ignore_index=True).assign(
            entity_id="US01",
            currency="USD",
            due_date=pd.Timestamp(2026, 1, 19),
            settled_date=None,  # all still open
        ),
        "ar_receipts": pd.concat([receipts, paid], ignore_index=True),
    }
    fc = CashForecast(
        outlook=CashOutlook(
            as_of=AS_OF,
            reporting_currency="USD",
            dates=pd.date_range("2026-01-10", periods=40, freq="D"),
            positions=(
                Position(
                    key="US01/USD", entity_id="US01", currency="USD", opening=0.0, accounts=()
                ),
            ),
            paths={},
            scheduled=empty_scheduled(),
        ),
        receivables=now.assign(key="US01/USD", open_amount=1000.0, due_date=a),
        receivables_daily=pd.DataFrame({"invoice_id": ["N1", "N2"], "ds": a, "expected": 1000.0}),
        recurring=pd.DataFrame(),
        categorized=pd.DataFrame(),
    )
    rows = receivable_parts(fc, tables, a, b)
    amount = {r["counterparty"]: r for r in rows if r["component"] == "amount"}
    assert amount["C1"]["amount"] == amount["C2"]["amount"] == pytest.approx(-400.0)
    # C1 usually pays four tenths short: expected, with its spread; C2 always pays in full
    assert amount["C1"]["ref"] == pytest.approx(-400.0)
    assert amount["C1"]["var"] == pytest.approx(1000.0**2 * np.var([0.5, 0.7] * 3, ddof=1))
    assert (amount["C2"]["ref"], amount["C2"]["var"]) == (0.0, 0.0)
