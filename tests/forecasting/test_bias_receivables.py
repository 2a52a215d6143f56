"""Receipts from open and future invoices: censoring, credit notes, disputes, silent customers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tools.forecasting.receivables import delay_pmf, empirical_open_invoice_paths

AS_OF = date(2025, 6, 30)
T = pd.Timestamp(AS_OF)


def _invoices(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for col in ("issue_date", "due_date", "settled_date"):
        frame[col] = pd.to_datetime(frame[col])
    frame["key"] = "E1/EUR"
    return frame


def _cohorts(n_days: int = 300) -> pd.DataFrame:
    """One 100-unit invoice a day; half paid after 10 days, half after 60 days."""
    rows = []
    for i in range(n_days):
        issue = T - pd.Timedelta(days=n_days - i)
        lag = 10 if i % 2 == 0 else 60
        paid = issue + pd.Timedelta(days=lag)
        rows.append(
            {
                "invoice_id": f"I{i:04d}",
                "customer_id": "C1",
                "doc_type": "invoice",
                "issue_date": issue,
                "due_date": issue + pd.Timedelta(days=30),
                "amount": 100.0,
                "open_amount": 0.0 if paid <= T else 100.0,
                "settled_date": paid if paid <= T else pd.NaT,
            }
        )
    return _invoices(rows)


def test_delay_pmf_counts_still_open_documents_in_their_cohort() -> None:
    pmf = delay_pmf(_cohorts(), settled="settled_date", as_of=AS_OF, max_days=90)
    # the truth is 0.5 at 10 and 0.5 at 60; counting only settled documents gives the
    # recent (fast-paid) cohorts too much weight at 10 days
    assert abs(pmf[10] - 0.5) < 0.01
    assert abs(pmf[60] - 0.5) < 0.01
    assert abs(pmf.sum() - 1.0) < 0.02


def test_delay_pmf_uses_cash_received_so_credit_notes_lower_the_conversion() -> None:
    docs = _cohorts()
    paid = docs.loc[docs["settled_date"].notna()]
    payments = pd.DataFrame(
        {
            "invoice_id": paid["invoice_id"],
            "date": paid["settled_date"],
            "amount": 80.0,  # 20 % of each invoice closed by a credit note
        }
    )
    pmf = delay_pmf(docs, settled="settled_date", as_of=AS_OF, max_days=90, payments=payments)
    assert abs(pmf.sum() - 0.8) < 0.02


def _history(customer: str, n: int, *, start: str = "2024-07-01", every: int = 7) -> list[dict]:
    rows = []
    for i in range(n):
        issue = pd.Timestamp(start) + pd.Timedelta(days=every * i)
        rows.append(
            {
                "invoice_id": f"H-{customer}-{i:03d}",
                "customer_id": customer,
                "doc_type": "invoice",
                "issue_date": issue,
                "due_date": issue + pd.Timedelta(days=30),
                "amount": 100.0,
                "open_amount": 0.0,
                "settled_date": issue + pd.Timedelta(days=32),
                "disputed": False,
                "sales_order_id": f"SO-{customer}-{i:03d}",
            }
        )
    return rows


def _open(customer: str, invoice_id: str, due: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "invoice_id": invoice_id,
        "customer_id": customer,
        "doc_type": "invoice",
        "issue_date": pd.Timestamp(due) - pd.Timedelta(days=30),
        "due_date": pd.Timestamp(due),
        "amount": 1000.0,
        "open_amount": 1000.0,
        "settled_date": pd.NaT,
        "disputed": False,
        "sales_order_id": f"SO-{invoice_id}",
    }
    row.update(extra)
    return row


def _run(
    invoices: pd.DataFrame, receipts: pd.DataFrame | None = None
) -> dict[str, dict[str, float]]:
    """Per open invoice: its forecast figures."""
    dates = pd.date_range(T + pd.Timedelta(days=1), periods=91, freq="D")
    _, per_invoice, _ = empirical_open_invoice_paths(
        invoices, as_of=AS_OF, dates=dates, n_paths=400, seed=3, receipts=receipts
    )
    numbers = ["open_amount", "p_in_horizon", "expected_in_horizon", "cash_share", "p_collect"]
    return {
        str(r["invoice_id"]): {c: float(r[c]) for c in numbers}
        for r in per_invoice.to_dict("records")
    }


def test_credit_notes_booked_before_today_reduce_what_is_open() -> None:
    rows = [*_history("C1", 40), _open("C1", "X1", "2025-07-15")]
    note = {
        **_open("C1", "CN1", "2025-06-20", amount=300.0, open_amount=0.0),
        "doc_type": "credit_note",
        "settled_date": pd.Timestamp("2025-06-20"),
        "sales_order_id": "SO-X1",
    }
    got = _run(_invoices([*rows, note]))
    assert got["X1"]["open_amount"] == 700.0
    assert "CN1" not in got


def test_silent_customer_is_doubtful_and_active_one_is_not() -> None:
    # C1 paid weekly until 2025-03, then nothing although invoices fell due; C2 pays on
    rows = _history("C1", 35) + _history("C2", 50)
    rows += [_open("C1", "S1", "2025-03-15"), _open("C2", "A1", "2025-07-10")]
    got = _run(_invoices(rows))
    assert got["S1"]["p_collect"] < 0.2
    assert got["S1"]["p_in_horizon"] < 0.2
    assert got["A1"]["p_collect"] == 1.0
    assert got["A1"]["p_in_horizon"] > 0.9


def test_disputed_invoices_expect_only_the_share_disputes_turned_into_cash() -> None:
    rows = _history("C1", 40)
    for i in range(10):  # settled disputes: 60 % came in as cash
        issue = pd.Timestamp("2024-09-01") + pd.Timedelta(days=10 * i)
        rows.append(
            {
                **_open("C1", f"D{i}", str((issue + pd.Timedelta(days=30)).date())),
                "open_amount": 0.0,
                "settled_date": issue + pd.Timedelta(days=120),
                "disputed": True,
            }
        )
    rows.append(_open("C1", "Z1", "2025-06-01", disputed=True))
    invoices = _invoices(rows)
    settled = invoices.loc[invoices["settled_date"].notna()]
    share = np.where(settled["disputed"], 0.6, 1.0)
    receipts = pd.DataFrame(
        {
            "invoice_id": settled["invoice_id"],
            "payment_date": settled["settled_date"],
            "amount": settled["amount"] * share,
        }
    )
    got = _run(invoices, receipts)
    assert abs(got["Z1"]["cash_share"] - 0.6) < 1e-6
    assert got["Z1"]["expected_in_horizon"] <= 600.0 + 1e-6
