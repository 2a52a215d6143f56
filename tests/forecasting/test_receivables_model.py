"""Receipts from open invoices timed by the fitted payment-date model, against the empirical
method, on synthetic ledgers whose customers' behaviour is known."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tools.forecasting.receivables import empirical_open_invoice_paths
from tools.forecasting.receivables_model import (
    MIN_SETTLED,
    OpenInvoiceReceipts,
    open_invoice_receipts,
)

AS_OF = date(2024, 12, 31)
T = pd.Timestamp(AS_OF)
DATES = pd.date_range(T + pd.Timedelta(days=1), periods=91, freq="D")
# customer -> (days late at the start, drift in days late per year)
BEHAVIOUR = {
    "STEADY1": (0.0, 0.0),
    "STEADY2": (6.0, 0.0),
    "STEADY3": (12.0, 0.0),
    "DRIFT1": (0.0, 30.0),
    "DRIFT2": (6.0, 30.0),
    "DRIFT3": (12.0, 30.0),
}


def _ledger(weeks: int = 100, seed: int = 0) -> pd.DataFrame:
    """Two net-30 invoices a week per customer from 2023-01-02, paid as the customer
    behaves; those paid after AS_OF are open (their settlement unknown)."""
    rng = np.random.default_rng(seed)
    start = T - pd.Timedelta(weeks=weeks)
    rows = []
    for customer, (level, drift) in BEHAVIOUR.items():
        for k in range(2 * weeks):
            issue = start + pd.Timedelta(days=int(k * 3.5))
            years = (issue - start).days / 365
            late = round(level + drift * years + 2 * rng.standard_normal())
            due = issue + pd.Timedelta(days=30)
            paid = max(due + pd.Timedelta(days=late), issue + pd.Timedelta(days=1))
            rows.append(
                {
                    "invoice_id": f"{customer}-{k:04d}",
                    "customer_id": customer,
                    "entity_id": "E1",
                    "currency": "EUR",
                    "doc_type": "invoice",
                    "issue_date": issue,
                    "due_date": due,
                    "amount": 1000.0,
                    "open_amount": 1000.0 if paid > T else 0.0,
                    "settled_date": paid if paid <= T else pd.NaT,
                    "disputed": False,
                    "sales_order_id": f"SO-{customer}-{k:04d}",
                }
            )
    frame = pd.DataFrame(rows)
    frame = frame.loc[frame["issue_date"] <= T].reset_index(drop=True)
    frame["settled_date"] = pd.to_datetime(frame["settled_date"])
    frame["key"] = "E1/EUR"
    return frame


def _receipts(invoices: pd.DataFrame, *, seed: int = 3, method: str = "payment_model"):
    return open_invoice_receipts(
        invoices,
        as_of=AS_OF,
        dates=DATES,
        n_paths=400,
        seed=seed,
        method=method,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return _ledger()


@pytest.fixture(scope="module")
def modelled(book: pd.DataFrame) -> OpenInvoiceReceipts:
    return _receipts(book)


@pytest.fixture(scope="module")
def empirical(book: pd.DataFrame) -> OpenInvoiceReceipts:
    return _receipts(book, method="empirical")


def _days_late(result: OpenInvoiceReceipts) -> pd.Series:
    table = result.per_invoice
    late = (table["expected_date"] - table["due_date"]).dt.days
    return late.groupby(table["customer_id"]).mean()


def _mean_payment_day(result: OpenInvoiceReceipts, invoice_ids: set[str]) -> float:
    daily = result.daily.loc[result.daily["invoice_id"].isin(invoice_ids)]
    days = (daily["ds"] - DATES[0]).dt.days
    return float((days * daily["expected"]).sum() / daily["expected"].sum())


def test_model_is_used_and_recorded(modelled: OpenInvoiceReceipts) -> None:
    p = modelled.provenance
    assert p["open_invoices"] == "payment_model" and p["fallback"] is None
    assert p["payment_model"]["n_train"] >= MIN_SETTLED
    assert p["payment_model"]["mae_days"] < p["payment_model"]["mae_days_customer_mean"]


def test_customers_paying_later_and_later_are_expected_later(
    modelled: OpenInvoiceReceipts, empirical: OpenInvoiceReceipts, book: pd.DataFrame
) -> None:
    # A drifting customer pays about 30 + 2 * 30 = 60 days late now; the delays of its last
    # year (30 to 60 days) put the empirical median near 45.
    model, seen = _days_late(modelled), _days_late(empirical)
    for customer, (level, drift) in BEHAVIOUR.items():
        now = level + 2 * drift
        if drift:
            assert model[customer] > seen[customer] + 6, customer
            assert abs(model[customer] - now) < abs(seen[customer] - now), customer
        else:
            assert abs(model[customer] - seen[customer]) < 4, customer
    drifting = set(book.loc[book["customer_id"].str.startswith("DRIFT"), "invoice_id"])
    assert _mean_payment_day(modelled, drifting) > _mean_payment_day(empirical, drifting) + 5


def test_paths_agree_with_the_expected_receipts(modelled: OpenInvoiceReceipts) -> None:
    paths = modelled.paths["E1/EUR"]
    table = modelled.per_invoice
    assert paths.shape == (400, 91)
    expected = modelled.daily["expected"].sum()
    assert expected == pytest.approx(table["expected_in_horizon"].sum())
    assert paths.sum(axis=1).mean() == pytest.approx(expected, rel=0.02)
    assert (paths.sum(axis=1) <= table["open_amount"].sum() + 1e-6).all()  # each paid once
    assert (table["expected_date"] > T).all()  # nothing is paid before tomorrow


def test_same_seed_same_paths_other_seed_other_paths(
    book: pd.DataFrame, modelled: OpenInvoiceReceipts
) -> None:
    a, b, c = modelled, _receipts(book, seed=3), _receipts(book, seed=4)
    np.testing.assert_array_equal(a.paths["E1/EUR"], b.paths["E1/EUR"])
    pd.testing.assert_frame_equal(a.per_invoice, b.per_invoice)
    assert not np.array_equal(a.paths["E1/EUR"], c.paths["E1/EUR"])
    pd.testing.assert_frame_equal(a.daily, c.daily)  # expectations do not depend on the seed


def _with_open(book: pd.DataFrame, invoice_id: str = "X1", **changes: Any) -> pd.DataFrame:
    """The ledger with one more open invoice of a punctual customer."""
    row = book.loc[book["invoice_id"] == "STEADY1-0000"].copy()
    fields: dict[str, Any] = {
        "invoice_id": invoice_id,
        "open_amount": 1000.0,
        "settled_date": pd.NaT,
        "sales_order_id": f"SO-{invoice_id}",
        **changes,
    }
    for column, value in fields.items():
        row[column] = value
    return pd.concat([book, row], ignore_index=True)


@pytest.fixture(scope="module")
def overdue(book: pd.DataFrame) -> pd.DataFrame:
    """Per-invoice figures with two more open invoices, 40 and 200 days past due."""
    ledger = book
    for days in (40, 200):
        due = T - pd.Timedelta(days=days)
        ledger = _with_open(
            ledger, f"X{days}", due_date=due, issue_date=due - pd.Timedelta(days=30)
        )
    return _receipts(ledger).per_invoice.set_index("invoice_id")


@pytest.mark.parametrize(
    ("invoice", "in_horizon"),
    [
        ("X40", (0.2, 1.0)),  # a punctual customer 40 days late: paid after today, if at all
        ("X200", (0.0, 0.0)),  # past the 180 days overdue the ledger treats as not collectible
    ],
)
def test_overdue_invoices_are_conditioned_on_being_unpaid_today(
    overdue: pd.DataFrame, invoice: str, in_horizon: tuple[float, float]
) -> None:
    got = overdue.loc[invoice]
    assert in_horizon[0] <= got["p_in_horizon"] <= in_horizon[1]
    if got["p_in_horizon"] > 0:
        assert got["expected_date"] > T and got["p_late"] == 1.0


def test_disputes_keep_their_own_clock_and_cash_share(book: pd.DataFrame) -> None:
    # twelve settled disputes of a punctual customer took 60 to 100 days and brought in
    # half their amount; an open dispute 20 days overdue follows them, not the customer
    due = book["due_date"]
    settled = book.loc[
        (book["customer_id"] == "STEADY1") & (due >= "2024-03-01") & (due <= "2024-06-30")
    ].index[:12]
    ledger = _with_open(
        book,
        disputed=True,
        due_date=T - pd.Timedelta(days=20),
        issue_date=T - pd.Timedelta(days=50),
    )
    ledger.loc[settled, "disputed"] = True
    lags = pd.to_timedelta(np.linspace(60, 100, len(settled)).round(), unit="D")
    ledger.loc[settled, "settled_date"] = ledger.loc[settled, "due_date"] + lags
    paid = ledger.loc[ledger["settled_date"].notna()]
    receipts = pd.DataFrame(
        {
            "invoice_id": paid["invoice_id"],
            "payment_date": paid["settled_date"],
            "amount": np.where(paid["disputed"], 500.0, 1000.0),
        }
    )
    got = open_invoice_receipts(
        ledger, as_of=AS_OF, dates=DATES, n_paths=200, seed=1, receipts=receipts
    )
    assert got.provenance["open_invoices"] == "payment_model"
    row = got.per_invoice.set_index("invoice_id").loc["X1"]
    assert row["cash_share"] == 0.5
    assert 60 <= (row["expected_date"] - row["due_date"]).days <= 100
    assert row["expected_in_horizon"] == pytest.approx(500.0)


def test_short_history_falls_back_to_the_empirical_method() -> None:
    short = _ledger(weeks=12)
    assert short["settled_date"].notna().sum() < MIN_SETTLED
    got = _receipts(short)
    assert got.provenance["open_invoices"] == "empirical"
    assert f"needs {MIN_SETTLED}" in got.provenance["fallback"]
    paths, per_invoice, daily = empirical_open_invoice_paths(
        short, as_of=AS_OF, dates=DATES, n_paths=400, seed=3
    )
    np.testing.assert_array_equal(got.paths["E1/EUR"], paths["E1/EUR"])
    pd.testing.assert_frame_equal(got.per_invoice, per_invoice)
    pd.testing.assert_frame_equal(got.daily, daily)


def test_both_methods_give_the_same_table(
    modelled: OpenInvoiceReceipts, empirical: OpenInvoiceReceipts
) -> None:
    assert list(modelled.per_invoice.columns) == list(empirical.per_invoice.columns)
    assert list(modelled.daily.columns) == list(empirical.daily.columns)
    assert set(modelled.per_invoice["invoice_id"]) == set(empirical.per_invoice["invoice_id"])
