"""Receipts from open invoices timed by the fitted per-invoice payment-date model.

The alternative to each customer's own empirical delays (``receivables.py``): the
payment-date model (``payments.py``) is fitted once per outlook on the invoices settled by
the forecast date and gives every open invoice its own distribution of the payment day
from the customer's behaviour (level, trend and volatility of its days late, disputes,
amount, terms, season, payment-run weekday), conditioned on the invoice being unpaid
today, with a ledger-counted chance of never being paid that grows with the days overdue.

What the empirical method knows stays: the open amount after credit notes and part
payments, the share of a (disputed) invoice expected in cash, customers gone silent,
invoices 180 days overdue treated as not collectible (``receivables_book.py``), and
disputed invoices settling on their own clock, drawn from the delays of settled disputes.
Each path draws every invoice's payment day independently, as the empirical method does.

With too little settled history, invalid invoices, or a model that does not beat the
customers' own average lateness on its validation period, the empirical method is used and
the reason is recorded in the provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from tools.errors import DataError
from tools.forecasting.payments import PaymentModel, fit_payment_model
from tools.forecasting.payments_data import day_number
from tools.forecasting.payments_predict import Prediction, predict_core
from tools.forecasting.payments_weekday import place_on_weekdays, weekday_habits
from tools.forecasting.receivables import (
    conditional_delays,
    empirical_open_invoice_paths,
    p_late_of,
)
from tools.forecasting.receivables_book import (
    MIN_HISTORY,
    NEVER_PAID_AFTER,
    OpenBook,
    open_book,
)

__all__ = [
    "MIN_SETTLED",
    "OpenInvoiceMethod",
    "OpenInvoiceReceipts",
    "model_open_invoice_paths",
    "open_invoice_receipts",
]

OpenInvoiceMethod = Literal["payment_model", "empirical"]
MIN_SETTLED = 200  # settled invoices before the fitted model is trusted over the empirical one
# Fitting for an outlook: one tree shape, at most 150 rounds (validation picks fewer), no
# late classifier (the outlook needs the payment day, not p_late): about 1 s on two years
# of a mid-size company's invoices.
_MAX_ITER = 150
_DAILY_COLUMNS = ["invoice_id", "ds", "expected"]
_MIN_ALIVE = 3  # own delays still possible today before the customer's spread is used


@dataclass(frozen=True)
class OpenInvoiceReceipts:
    """Sample paths of receipts from open invoices per position key, and their explanation.

    ``per_invoice`` and ``daily`` are as ``empirical_open_invoice_paths`` returns them;
    ``provenance`` says which method timed the receipts and why (``open_invoices``,
    ``requested``, ``fallback`` and the fitted model's data and validation scores).
    """

    paths: dict[str, np.ndarray]
    per_invoice: pd.DataFrame
    daily: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


def open_invoice_receipts(
    invoices: pd.DataFrame,
    *,
    as_of: date,
    dates: pd.DatetimeIndex,
    n_paths: int,
    seed: int,
    method: OpenInvoiceMethod = "payment_model",
    receipts: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
) -> OpenInvoiceReceipts:
    """Receipts from the invoices open at ``as_of``, timed by ``method``.

    Args:
        invoices: canonical ``ar_invoices`` (dates as datetimes) plus a ``key`` column.
        method: ``payment_model`` (fitted per-invoice model, falling back to the empirical
            method when it cannot be trusted) or ``empirical`` (each customer's delays).
        receipts: canonical ``ar_receipts``, optional (part payments, payment dates).
        customers: ``customers`` master data, optional (segments for new customers).
    """
    provenance: dict[str, Any] = {"requested": method, "fallback": None}
    if method == "payment_model":
        model, reason = _fit(invoices, as_of, customers)
        if model is not None:
            try:
                paths, per_invoice, daily = model_open_invoice_paths(
                    model,
                    invoices,
                    as_of=as_of,
                    dates=dates,
                    n_paths=n_paths,
                    seed=seed,
                    receipts=receipts,
                )
            except DataError as err:
                reason = f"open invoices the payment model cannot read: {err}"
            else:
                provenance |= {"open_invoices": "payment_model", "payment_model": _info(model)}
                return OpenInvoiceReceipts(paths, per_invoice, daily, provenance)
        provenance["fallback"] = reason
    paths, per_invoice, daily = empirical_open_invoice_paths(
        invoices, as_of=as_of, dates=dates, n_paths=n_paths, seed=seed, receipts=receipts
    )
    provenance["open_invoices"] = "empirical"
    return OpenInvoiceReceipts(paths, per_invoice, daily, provenance)


def _fit(
    invoices: pd.DataFrame, as_of: date, customers: pd.DataFrame | None
) -> tuple[PaymentModel | None, str | None]:
    """The fitted model, or None and the reason it is not used."""
    t = pd.Timestamp(as_of)
    is_invoice = invoices["doc_type"] != "credit_note" if "doc_type" in invoices else True
    settled = int(
        (is_invoice & invoices["settled_date"].notna() & (invoices["settled_date"] <= t)).sum()
    )
    if settled < MIN_SETTLED:
        return None, (
            f"only {settled} invoices settled by {as_of}; the payment model needs {MIN_SETTLED}"
        )
    try:
        model = fit_payment_model(
            invoices,
            as_of=as_of,
            customers=customers,
            tune=False,
            max_iter=_MAX_ITER,
            late_classifier=False,
        )
    except DataError as err:
        return None, f"invoices the payment model cannot learn from: {err}"
    except ValueError as err:  # a learner refusing degenerate data: the outlook goes on
        return None, f"the payment model could not be fitted: {err}"
    scores = model.info.backtest
    if not scores:
        return None, "too little history to validate the payment model on a later period"
    if scores["mae_days"] >= scores["mae_days_customer_mean"]:
        return None, (
            f"the payment model ({scores['mae_days']} days) did not beat the customers' own "
            f"average lateness ({scores['mae_days_customer_mean']} days) on its validation period"
        )
    return model, None


def _info(model: PaymentModel) -> dict[str, Any]:
    i = model.info
    return {
        "n_train": i.n_train,
        "n_customers": i.n_customers,
        "train_issue": [i.train_issue_from.isoformat(), i.train_issue_to.isoformat()],
        "validation_from": None if i.validation_from is None else i.validation_from.isoformat(),
        "n_validation": i.n_validation,
        **i.backtest,
        "members": i.params["members"],
        "unpaid_after_days": i.unpaid_after_days,
    }


def model_open_invoice_paths(
    model: PaymentModel,
    invoices: pd.DataFrame,
    *,
    as_of: date,
    dates: pd.DatetimeIndex,
    n_paths: int,
    seed: int,
    receipts: pd.DataFrame | None = None,
    lookback_days: int = 365,
) -> tuple[dict[str, np.ndarray], pd.DataFrame, pd.DataFrame]:
    """Sample paths of receipts from open invoices timed by a fitted payment model.

    Same inputs and outputs as ``empirical_open_invoice_paths``; ``dates`` must start the
    day after ``as_of``. ``history`` in ``per_invoice`` is the number of the customer's
    settled invoices the model saw; ``daily`` holds exact expectations (sampled ones for
    disputed invoices).

    Raises:
        DataError: an open invoice the model cannot read (see ``predict_payments``).
    """
    book = open_book(invoices, as_of=as_of, lookback_days=lookback_days, receipts=receipts)
    h = len(dates)
    if book.open_.empty:
        return {}, _per_invoice(book, {}), pd.DataFrame(columns=_DAILY_COLUMNS)
    unpaid = book.open_.assign(
        settled_date=pd.Series(pd.NaT, index=book.open_.index, dtype="datetime64[ns]"),
        open_amount=book.amounts,
    )
    core = predict_core(model, unpaid, as_of=as_of)
    first = core.first_late.astype(np.int64)  # days late of index 0 (the day after as_of)
    dist = replace(core.dist, late=_customer_shape(model, core, book, first))
    late = dist.late
    overdue = (pd.Timestamp(as_of) - book.open_["due_date"]).dt.days.to_numpy()
    p_pay = (1 - dist.p_never) * book.p_collect * (overdue < NEVER_PAID_AFTER)
    n, m = late.shape
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, m, size=(n_paths, n))
    paid = rng.random((n_paths, n)) < p_pay[None, :]
    offset = np.maximum(late[np.arange(n)[None, :], pick] - first[None, :], 0)
    pmf = replace(dist, p_never=np.zeros(n)).pmf(first, h) * p_pay[:, None]
    median = np.where(p_pay > 0, dist.quantile(0.5), np.nan)
    p_late = 1 - p_pay * np.mean(late <= 0, axis=1)
    # Disputes settle on their own clock (weeks of negotiation, whatever the customer's
    # habits): as in the empirical method, their delays come from settled disputes.
    for j in np.flatnonzero(book.disputed):
        delays = conditional_delays(
            book.dispute_pool, int(overdue[j]), n_paths, rng, float(book.p_collect[j])
        )
        paid[:, j] = ~np.isnan(delays)
        offset[:, j] = np.maximum(np.nan_to_num(delays) - first[j], 0)
        counts = np.bincount(offset[paid[:, j], j], minlength=h)[:h]
        pmf[j] = counts / n_paths
        finite = delays[paid[:, j]]
        median[j] = np.median(finite) if len(finite) else np.nan
        p_late[j] = p_late_of(delays)

    cash, keys = book.cash(), book.open_["key"].to_numpy()
    inside = paid & (offset < h)
    paths: dict[str, np.ndarray] = {}
    for key in dict.fromkeys(keys):
        cols = keys == key
        path_id, col = np.nonzero(inside[:, cols])
        flat = path_id * h + offset[:, cols][inside[:, cols]]
        sums = np.bincount(flat, weights=cash[cols][col], minlength=n_paths * h)
        paths[str(key)] = sums.reshape(n_paths, h)
    row, day = np.nonzero(pmf)
    daily = pd.DataFrame(
        {
            "invoice_id": book.open_["invoice_id"].to_numpy()[row],
            "ds": dates[day],
            "expected": cash[row] * pmf[row, day],
        }
    )
    due = day_number(book.open_["due_date"])
    figures = {
        "expected_date": np.asarray(pd.to_datetime(due + median, unit="D")),
        "p_in_horizon": pmf.sum(axis=1),
        "p_late": p_late,
        "history": core.features["hist_n"].astype(int).to_numpy(),
    }
    return paths, _per_invoice(book, figures), daily


def _customer_shape(
    model: PaymentModel, core: Prediction, book: OpenBook, first: np.ndarray
) -> np.ndarray:
    """Days late per invoice and atom: the model's median, with the spread of the customer's
    own settled invoices around theirs where it has enough of them still possible today.

    The model's error shape is pooled over all customers; a punctual customer's own record
    is far tighter, a chronic late payer's more skewed. Rows keep their length and order.
    """
    late = core.dist.late.copy()
    m = late.shape[1]
    level = model.location_of(core.features)
    probs = (np.arange(m) + 0.5) / m
    for j, customer in enumerate(book.open_["customer_id"]):
        own = book.lateness.get(customer)
        if book.disputed[j] or own is None or len(own) < MIN_HISTORY:
            continue
        shifted = own + np.round(level[j] - np.median(own))
        alive = shifted[shifted >= first[j]]  # still possible: not before tomorrow
        if len(alive) >= _MIN_ALIVE:
            late[j] = np.quantile(alive, probs, method="inverted_cdf")
    due = day_number(book.open_["due_date"])
    run_day, closed = weekday_habits(model.ledger, book.open_["customer_id"].astype(str))
    return place_on_weekdays(late, due, run_day, closed, first)


def _per_invoice(book: OpenBook, figures: dict[str, np.ndarray]) -> pd.DataFrame:
    """The per-invoice table with the empirical method's columns."""
    o = book.open_
    share = np.where(book.disputed, book.cash_share[True], book.cash_share[False])
    p_in = figures.get("p_in_horizon", np.zeros(len(o)))
    return pd.DataFrame(
        {
            "invoice_id": o["invoice_id"].to_numpy(),
            "customer_id": o["customer_id"].to_numpy(),
            "key": o["key"].to_numpy(),
            "open_amount": book.amounts,
            "due_date": o["due_date"].to_numpy(),
            "expected_date": figures.get("expected_date", np.full(len(o), pd.NaT)),
            "p_in_horizon": p_in,
            "expected_in_horizon": p_in * book.cash(),
            "p_late": figures.get("p_late", np.zeros(len(o))),
            "history": figures.get("history", np.zeros(len(o), dtype=int)),
            "cash_share": np.round(share, 4),
            "p_collect": np.round(book.p_collect, 4),
        }
    )
