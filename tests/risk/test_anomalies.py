"""Bank-flow anomalies on small hand-written statements."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tools.errors import DataError
from tools.risk import bank_anomalies
from tools.risk.bank_details import account_paid

SINCE = date(2026, 3, 1)
VALID_IBAN = "DE89370400440532013000"  # the standard example IBAN, checksum valid
OTHER_IBAN = "GB82WEST12345698765432"  # also valid


def _line(i: int, day: str, amount: float, who: str, ref: str = "", **kw: object) -> dict:
    return {
        "txn_id": f"T{i:03d}",
        "account_id": "US01-OP",
        "booking_date": pd.Timestamp(day),
        "amount": amount,
        "currency": "USD",
        "counterparty": who,
        "reference": ref or None,
        "description": kw.pop("description", "Payment"),
        "category": kw.pop("category", "supplier_payment"),
        **kw,
    }


def _history() -> list[dict]:
    # ten monthly rent payments of about 1,000 and some customer receipts
    rows = [
        _line(i, f"2025-{i + 1:02d}-05", -1000.0 - 10 * (i % 3), "Acme Property LLC", f"RENT{i}")
        for i in range(10)
    ]
    rows += [
        _line(
            20 + i,
            f"2025-{i + 1:02d}-15",
            500.0 + i,
            "Beta Corp",
            f"INV{i}",
            category="customer_receipt",
        )
        for i in range(10)
    ]
    return rows


def _tables(recent: list[dict], suppliers: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    tables = {"bank_transactions": pd.DataFrame(_history() + recent)}
    if suppliers is not None:
        tables["suppliers"] = suppliers
    return tables


def _kinds(report) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[no-untyped-def]
    return [(a.kind, a.txn_ids) for a in report.anomalies]


def test_unusual_amount_for_a_counterparty() -> None:
    recent = [
        _line(100, "2026-03-05", -1010.0, "ACME PROPERTY, LLC", "RENT10"),  # typical
        _line(101, "2026-03-06", -9500.0, "Acme Property LLC", "RENT11"),  # ten times usual
    ]
    report = bank_anomalies(_tables(recent), since=SINCE)
    found = [a for a in report.anomalies if a.kind == "unusual_amount"]
    assert [a.txn_ids for a in found] == [("T101",)]
    assert found[0].severity == "warning"
    assert found[0].score > 3.5
    assert found[0].data["typical"] == pytest.approx(1010.0, rel=0.02)


def test_new_counterparty_with_a_large_payment() -> None:
    recent = [
        _line(100, "2026-03-05", -5000.0, "Unknown Trading Ltd", "X1"),  # large, never seen
        _line(101, "2026-03-05", -20.0, "Coffee Shop", "X2"),  # new but small
    ]
    report = bank_anomalies(_tables(recent), since=SINCE)
    assert _kinds(report) == [("new_counterparty", ("T100",))]


def test_duplicate_payment_within_a_few_days() -> None:
    recent = [
        _line(100, "2026-03-05", -1000.0, "Acme Property LLC", "RENT-MAR"),
        _line(101, "2026-03-07", -1000.0, "Acme Property LLC", "RENT-MAR"),  # 2 days later
        _line(102, "2026-03-20", -1000.0, "Acme Property LLC", "RENT-MAR"),  # 13 days later
    ]
    report = bank_anomalies(_tables(recent), since=SINCE, duplicate_days=5)
    dupes = [a for a in report.anomalies if a.kind == "duplicate_payment"]
    assert [a.txn_ids for a in dupes] == [("T100", "T101")]
    assert dupes[0].severity == "critical"


def test_changed_bank_details_against_the_supplier_master() -> None:
    suppliers = pd.DataFrame(
        {
            "supplier_id": ["S1"],
            "name": ["Acme Property LLC"],
            "bank_account": [VALID_IBAN[:4] + " " + VALID_IBAN[4:]],  # spaced in the master
        }
    )
    recent = [
        _line(
            100, "2026-03-05", -1000.0, "Acme Property LLC", "R1", counterparty_account=VALID_IBAN
        ),
        _line(
            101, "2026-03-06", -1000.0, "Acme Property LLC", "R2", counterparty_account=OTHER_IBAN
        ),
    ]
    report = bank_anomalies(_tables(recent, suppliers), since=SINCE)
    found = [a for a in report.anomalies if a.kind == "bank_details"]
    assert [a.txn_ids for a in found] == [("T101",)]
    assert found[0].data["basis"] == "supplier master"
    assert report.checks["bank_details"]["status"] == "checked"
    assert report.checks["bank_details"]["with_account"] == 2


def test_bank_details_from_the_text_and_unchecked_without_account_data() -> None:
    lines = pd.DataFrame(
        [
            _line(1, "2026-03-01", -1.0, "A", description=f"Payment to {OTHER_IBAN} thanks"),
            _line(2, "2026-03-01", -1.0, "B", description="IBAN DE00370400440532013000 typo"),
            _line(3, "2026-03-01", -1.0, "C", description="Wire to 071000013-2620012638"),
            _line(4, "2026-03-01", -1.0, "D", description="Supplier payment run"),
        ]
    )
    assert list(account_paid(lines)) == [OTHER_IBAN, None, "071000013-2620012638", None]
    report = bank_anomalies(_tables([]), since=SINCE)
    assert report.checks["bank_details"]["status"] == "not_checked"
    assert "counterparty_account" in report.checks["bank_details"]["reason"]


def test_quiet_month_has_no_findings_and_empty_bank_is_refused() -> None:
    recent = [_line(100, "2026-03-05", -1000.0, "Acme Property LLC", "RENT10")]
    assert bank_anomalies(_tables(recent), since=SINCE).anomalies == ()
    with pytest.raises(DataError, match="no bank lines"):
        bank_anomalies({"bank_transactions": pd.DataFrame()})
