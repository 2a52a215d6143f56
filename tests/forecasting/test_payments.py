"""The per-invoice payment-date model on synthetic receivables with known behaviour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.errors import DataError
from tools.forecasting.payments import (
    PaymentModel,
    expected_receipts,
    fit_payment_model,
    open_invoices_at,
    predict_payments,
)
from tools.forecasting.payments_data import day_number
from tools.forecasting.payments_weekday import place_on_weekdays, weekday_habits

AS_OF = date(2024, 12, 31)
T = pd.Timestamp(AS_OF)
# customer -> (mean days late, spread, segment)
BEHAVIOUR = {
    "ONTIME1": (-1.0, 2.0, "prompt"),
    "ONTIME2": (0.0, 2.0, "prompt"),
    "ONTIME3": (1.0, 2.0, "prompt"),
    "LATE1": (30.0, 4.0, "slow"),
    "LATE2": (35.0, 4.0, "slow"),
    "LATE3": (40.0, 4.0, "slow"),
}


def _ledger(seed: int = 0, weeks: int = 100) -> pd.DataFrame:
    """Two invoices a week per customer, net 30, paid per the customer's behaviour; the
    ones paid after AS_OF are still open at the end of the data."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, (customer, (mu, sd, _)) in enumerate(BEHAVIOUR.items()):
        entity, currency = ("US01", "USD") if i % 2 == 0 else ("DE01", "EUR")
        for k in range(2 * weeks):
            issue = pd.Timestamp("2023-01-02") + pd.Timedelta(days=int(k * 3.5) + i % 3)
            due = issue + pd.Timedelta(days=30)
            paid = max(due + pd.Timedelta(days=round(mu + sd * rng.standard_normal())), issue)
            amount = round(float(rng.lognormal(8, 0.5)), 2)
            rows.append(
                (f"{customer}-{k:04d}", customer, entity, currency, issue, due, amount, paid)
            )
    df = pd.DataFrame(
        rows,
        columns=[
            "invoice_id",
            "customer_id",
            "entity_id",
            "currency",
            "issue_date",
            "due_date",
            "amount",
            "settled_date",
        ],
    ).assign(doc_type="invoice", disputed=False)
    df = df.loc[df["issue_date"] <= T].reset_index(drop=True)
    still_open = df["settled_date"] > T
    df["open_amount"] = df["amount"].where(still_open, 0.0)
    df.loc[still_open, "settled_date"] = pd.NaT
    return df


def _customers() -> pd.DataFrame:
    ids = [*BEHAVIOUR, "NEWPROMPT", "NEWSLOW"]
    segments = [b[2] for b in BEHAVIOUR.values()] + ["prompt", "slow"]
    return pd.DataFrame({"customer_id": ids, "segment": segments})


def _invoice(invoice_id: str, customer: str, issue: str, amount: float = 1000.0) -> dict:
    day = pd.Timestamp(issue)
    return {
        "invoice_id": invoice_id,
        "customer_id": customer,
        "entity_id": "US01",
        "currency": "USD",
        "doc_type": "invoice",
        "issue_date": day,
        "due_date": day + pd.Timedelta(days=30),
        "amount": amount,
        "settled_date": pd.NaT,
        "disputed": False,
        "open_amount": amount,
    }


def _fit(invoices: pd.DataFrame, as_of: date = AS_OF) -> PaymentModel:
    return fit_payment_model(invoices, as_of=as_of, customers=_customers(), tune=False, max_iter=60)


@pytest.fixture(scope="module")
def book() -> pd.DataFrame:
    return _ledger()


@pytest.fixture(scope="module")
def model(book: pd.DataFrame) -> PaymentModel:
    return _fit(book)


def test_chronic_late_customer_is_predicted_later_than_on_time_one(model: PaymentModel) -> None:
    fresh = pd.DataFrame(
        [_invoice("N1", "ONTIME2", "2024-12-30"), _invoice("N2", "LATE2", "2024-12-30")]
    )
    out = predict_payments(model, fresh, as_of=AS_OF).set_index("invoice_id")
    on_time, late = out.loc["N1"], out.loc["N2"]
    assert abs(on_time["expected_days_late"]) < 6
    assert 25 < late["expected_days_late"] < 45
    assert late["expected_date"] > on_time["expected_date"]
    assert on_time["p_late"] < 0.7 < 0.95 < late["p_late"]
    assert "LATE2 pays" in late["drivers"] and "days late on average" in late["drivers"]
    assert (out["date_q10"] <= out["date_q50"]).all() and (out["date_q50"] <= out["date_q90"]).all()


def test_future_settlements_never_change_the_model(book: pd.DataFrame) -> None:
    """Fitting at a cut-off on the full history must equal fitting on the history as it was:
    rewriting every settlement after the cut-off (or deleting it) changes nothing."""
    cut = date(2024, 6, 30)
    after = book["settled_date"] > pd.Timestamp(cut)
    rewritten = book.copy()
    rewritten.loc[after, "settled_date"] = rewritten.loc[after, "due_date"] + pd.Timedelta(days=90)
    as_known = book.copy()
    as_known.loc[after | book["settled_date"].isna(), "settled_date"] = pd.NaT
    open_then = open_invoices_at(book, cut)
    tables = [
        predict_payments(_fit(frame, cut), open_then, as_of=cut, explain_drivers=False)
        for frame in (book, rewritten, as_known)
    ]
    assert len(open_then) > 20
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


def test_features_do_not_see_payments_after_the_prediction_day(model: PaymentModel) -> None:
    """An invoice's history may only hold invoices settled by its as_of."""
    fresh = pd.DataFrame([_invoice("N1", "LATE1", "2024-09-02")])
    history = model.ledger.drop(columns="segment")
    before = predict_payments(
        model, fresh, as_of=date(2024, 9, 1), history=history, explain_drivers=False
    )
    moved = history.copy()
    later = moved["settled_date"] > pd.Timestamp("2024-09-01")
    moved.loc[later, "settled_date"] += pd.Timedelta(days=120)  # paid even later
    gone = history.assign(settled_date=history["settled_date"].where(~later))  # or not yet
    for other in (moved, gone):
        after = predict_payments(
            model, fresh, as_of=date(2024, 9, 1), history=other, explain_drivers=False
        )
        pd.testing.assert_frame_equal(before, after)
    assert before.loc[0, "history_n"] == int(
        (history["customer_id"].eq("LATE1") & (history["settled_date"] <= "2024-09-01")).sum()
    )


def test_overdue_invoices_are_paid_after_as_of(model: PaymentModel, book: pd.DataFrame) -> None:
    overdue = pd.DataFrame(
        [
            _invoice("O1", "ONTIME1", "2024-09-01"),  # 91 days past due
            _invoice("O2", "LATE1", "2024-10-15"),
        ]
    )
    open_ = pd.concat([open_invoices_at(book, AS_OF), overdue], ignore_index=True)
    out = predict_payments(model, open_, as_of=AS_OF, quantiles=(0.01, 0.5, 0.99))
    for col in ("expected_date", "date_q1", "date_q50", "date_q99"):
        assert (out[col] > T).all(), col
    o1 = out.set_index("invoice_id").loc["O1"]
    assert o1["p_late"] == 1.0 and o1["days_overdue"] == 91 and o1["p_never"] > 0
    assert "already 91 days past due" in o1["drivers"]
    receipts = expected_receipts(model, open_, as_of=AS_OF, horizon_days=30)
    assert receipts.daily["ds"].min() == T + pd.Timedelta(days=1)


def test_paths_agree_with_expected_receipts(model: PaymentModel, book: pd.DataFrame) -> None:
    open_ = open_invoices_at(book, AS_OF)
    r = expected_receipts(model, open_, as_of=AS_OF, horizon_days=45, n_paths=3000, seed=1)
    assert set(r.paths) == {"US01/USD", "DE01/EUR"}
    for key, paths in r.paths.items():
        assert paths.shape == (3000, 45)
        daily = r.daily.loc[r.daily["key"] == key, "expected"].to_numpy()
        total = r.totals.set_index("key").loc[key]
        assert daily.sum() == pytest.approx(total["expected"])
        assert paths.sum(axis=1).mean() == pytest.approx(daily.sum(), rel=0.03)
        assert (paths.sum(axis=1) <= total["open_amount"] + 1e-6).all()  # each paid once
        assert total["lo-95"] <= total["lo-80"] <= total["hi-80"] <= total["hi-95"]
        assert paths.sum(axis=1).min() <= total["expected"] <= paths.sum(axis=1).max()
    assert r.totals["open_amount"].sum() == pytest.approx(open_["open_amount"].sum())
    again = expected_receipts(model, open_, as_of=AS_OF, horizon_days=45, n_paths=3000, seed=1)
    np.testing.assert_array_equal(again.paths["US01/USD"], r.paths["US01/USD"])
    assert (
        r.model.n_train == model.info.n_train
        and r.top_payments["expected_in_horizon"].is_monotonic_decreasing
    )


def test_new_customers_borrow_their_segment(model: PaymentModel) -> None:
    fresh = pd.DataFrame(
        [
            _invoice("N1", "NEWPROMPT", "2024-12-30"),
            _invoice("N2", "NEWSLOW", "2024-12-30"),
            _invoice("N3", "UNKNOWN", "2024-12-30"),
        ]
    )
    out = predict_payments(model, fresh, as_of=AS_OF).set_index("invoice_id")
    late = out["expected_days_late"].astype(float)
    assert out["cold_start"].all()
    assert late["N2"] > late["N1"] + 15
    assert np.isfinite(late["N3"])
    assert "no payment history for NEWSLOW" in str(out.loc["N2", "drivers"])


def _without(column: str) -> pd.DataFrame:
    return _ledger(weeks=20).drop(columns=column)


def _blank(column: str, value: str | float) -> pd.DataFrame:
    df = _ledger(weeks=20)
    df[column] = df[column].astype(object)
    df.loc[3, column] = value
    return df


def _blank_all(column: str) -> pd.DataFrame:
    df = _ledger(weeks=20)
    df[column] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return df


@pytest.mark.parametrize(
    ("frame", "column", "words"),
    [
        (lambda: _without("due_date"), "due_date", "column is missing"),  # no due dates at all
        (lambda: _blank("due_date", ""), "due_date", "date is empty"),  # one missing
        (lambda: _blank("amount", -5.0), "amount", "amount is negative"),  # negative amount
        (lambda: _blank("issue_date", "soon"), "issue_date", "not a date"),  # unparsable date
        (lambda: _blank_all("settled_date"), "settled_date", "only 0"),  # none settled
    ],
)
def test_bad_input_names_the_column(
    frame: Callable[[], pd.DataFrame], column: str, words: str
) -> None:
    with pytest.raises(DataError) as err:
        _fit(frame())
    assert err.value.problems[0].column == column
    assert words in str(err.value)


def test_no_open_invoices_gives_empty_results(model: PaymentModel, book: pd.DataFrame) -> None:
    r = expected_receipts(model, book.head(0), as_of=AS_OF, horizon_days=10, n_paths=5)
    assert r.n_open == 0 and r.paths == {} and r.daily.empty and r.totals.empty
    assert "expected" in r.totals.columns and "p_late" in r.invoices.columns


def test_settled_invoice_cannot_be_predicted(model: PaymentModel, book: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="not open") as err:
        predict_payments(model, book.head(3), as_of=AS_OF)
    assert err.value.problems[0].column == "settled_date"
    with pytest.raises(ValueError, match="quantiles"):
        predict_payments(model, open_invoices_at(book, AS_OF), as_of=AS_OF, quantiles=(0.5, 1.0))


def test_payments_land_on_payment_runs_and_never_at_closed_weekends() -> None:
    wednesdays = pd.date_range("2024-01-03", periods=10, freq="7D")
    weekdays = pd.bdate_range("2024-01-01", periods=12)
    ledger = pd.DataFrame(
        {
            "customer_id": ["RUN"] * 10 + ["ANY"] * 12,
            "settled_date": [*wednesdays, *weekdays],
        }
    )
    run_day, closed = weekday_habits(ledger, pd.Series(["RUN", "ANY", "NEW"]))
    assert run_day.tolist() == [2, -1, -1]  # Wednesday; no run; unknown customer
    assert closed  # nobody ever settled on a Saturday or Sunday
    monday = day_number(pd.Series([pd.Timestamp("2024-06-03")] * 3))
    late = np.tile(np.arange(14), (3, 1))
    min_late = np.array([3, 0, 0])
    placed = place_on_weekdays(late, monday, run_day, closed, min_late)
    days = (monday[:, None] + placed).astype("int64")
    weekday = days.astype("datetime64[D]").astype(object)
    weekday = np.vectorize(lambda d: d.weekday())(weekday)
    assert set(weekday[0]) == {2} and (placed[0] >= 3).all()
    assert not np.isin(weekday[1:], (5, 6)).any()
    assert abs(placed[1:].mean() - late[1:].mean()) < 1  # nearest day: no drift on average
