"""How much the cash of new documents moved from one window to the next in the company's year."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.monitoring.variance_history import new_document_variance

AS_OF = date(2026, 1, 9)
A, B = pd.Timestamp(2026, 1, 19), pd.Timestamp(2026, 2, 13)


def _bills(
    issued: pd.DatetimeIndex, amount: float, *, days: int = 10, entity: str = "US01"
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "bill_id": [f"{entity}-{i}-{amount}" for i in range(len(issued))],
            "entity_id": entity,
            "currency": "USD",
            "issue_date": issued,
            "paid_date": issued + pd.Timedelta(days=days),
            "amount": amount,
        }
    )


DAILY = pd.date_range("2024-12-01", "2026-01-20", freq="D")


def _variance(bills: pd.DataFrame) -> dict[str, float]:
    return new_document_variance({"ap_bills": bills}, "supplier_payment", as_of=AS_OF, a=A, b=B)


def test_a_steady_stream_of_bills_does_not_vary() -> None:
    got = _variance(_bills(DAILY, 100.0))
    assert got == {"US01/USD": pytest.approx(0.0, abs=1e-6)}


def test_lumpy_bills_vary_and_only_in_their_own_position() -> None:
    steady = _bills(DAILY, 100.0)
    lumps = _bills(pd.date_range("2025-02-03", periods=6, freq="56D"), 50_000.0, entity="DE01")
    got = _variance(pd.concat([steady, _bills(DAILY, 100.0, entity="DE01"), lumps]))
    assert got["US01/USD"] == pytest.approx(0.0, abs=1e-6)
    # some windows of the year hold a lump and some none: the spread is of its size
    assert 10_000.0 < np.sqrt(got["DE01/USD"]) < 50_000.0


def test_only_what_was_known_at_the_forecast_date_counts() -> None:
    steady = _bills(DAILY, 100.0)
    after = _bills(pd.date_range("2026-01-01", periods=3, freq="D"), 90_000.0)  # paid after
    ancient = _bills(pd.date_range("2024-01-01", periods=3, freq="D"), 90_000.0)  # too old
    got = _variance(pd.concat([steady, after, ancient]))
    assert got == {"US01/USD": pytest.approx(0.0, abs=1e-6)}


def test_receipts_of_new_invoices_are_measured_the_same_way() -> None:
    issued = pd.date_range("2025-01-06", periods=50, freq="7D")
    invoices = pd.DataFrame(
        {
            "invoice_id": [f"I{i}" for i in range(50)],
            "entity_id": "US01",
            "currency": "USD",
            "issue_date": issued,
            "amount": np.where(np.arange(50) % 5 == 0, 10_000.0, 1_000.0),
        }
    )
    receipts = pd.DataFrame(
        {
            "invoice_id": invoices["invoice_id"],
            "payment_date": issued + pd.Timedelta(days=30),
            "amount": invoices["amount"],
        }
    )
    tables = {"ar_invoices": invoices, "ar_receipts": receipts}
    got = new_document_variance(tables, "customer_receipt", as_of=AS_OF, a=A, b=B)
    assert got["US01/USD"] > 0
    # without receipts, the invoices' settlement dates tell the same story
    settled = invoices.assign(settled_date=receipts["payment_date"])
    alone = new_document_variance(
        {"ar_invoices": settled}, "customer_receipt", as_of=AS_OF, a=A, b=B
    )
    assert alone["US01/USD"] == pytest.approx(got["US01/USD"])


def test_unknown_categories_are_refused() -> None:
    with pytest.raises(ValueError, match="customer_receipt or supplier_payment"):
        new_document_variance({}, "payroll", as_of=AS_OF, a=A, b=B)
