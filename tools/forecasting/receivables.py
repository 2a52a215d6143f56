"""Receipts from open invoices, invoice by invoice, from each customer's own payment history.

This is the fast, assumption-light bottom-up model: a customer's next payment delay is
drawn from the delays (days past due) of its own invoices settled in the lookback window,
conditioned on what is already known (an invoice 20 days overdue today will be paid more
than 20 days late). Customers with too little history borrow the delays of all customers;
disputed invoices settle on their own clock (weeks of negotiation), so their delays come
from settled disputed invoices.

What is open after credit notes and part payments, the share of a (disputed) invoice that
turns into cash and the customers gone silent come from ``receivables_book.py``, shared
with the fitted payment-date model (``receivables_model.py``).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tools.forecasting.receivables_book import MIN_HISTORY, NEVER_PAID_AFTER, open_book

__all__ = ["conditional_delays", "delay_pmf", "empirical_open_invoice_paths", "p_late_of"]


def empirical_open_invoice_paths(
    invoices: pd.DataFrame,
    *,
    as_of: date,
    dates: pd.DatetimeIndex,
    n_paths: int,
    seed: int,
    lookback_days: int = 365,
    receipts: pd.DataFrame | None = None,
) -> tuple[dict[str, np.ndarray], pd.DataFrame, pd.DataFrame]:
    """Sample paths of receipts from open invoices per position key, and per-invoice forecasts.

    Args:
        invoices: canonical ``ar_invoices`` plus a ``key`` column (position of the invoice).
        receipts: canonical ``ar_receipts`` (invoice_id, payment_date, amount), optional:
            part payments and the customers' payment dates; without it the invoices'
            settlement dates stand in.

    Returns:
        (paths, per_invoice, daily): ``paths[key]`` is ``(n_paths, len(dates))``;
        ``per_invoice`` has invoice_id, customer_id, key, open_amount, due_date,
        expected_date, p_in_horizon, expected_in_horizon, p_late, the number of history
        invoices used, ``cash_share`` (share of the open amount expected in cash) and
        ``p_collect`` (1 unless the customer has gone silent); ``daily`` is the expected
        receipt per invoice and day (invoice_id, ds, expected), the basis of variance
        analysis.
    """
    t = pd.Timestamp(as_of)
    rng = np.random.default_rng(seed)
    h = len(dates)
    book = open_book(invoices, as_of=as_of, lookback_days=lookback_days, receipts=receipts)
    share = book.cash_share
    paths: dict[str, np.ndarray] = {}
    rows = []
    daily: list[tuple[str, pd.Timestamp, float]] = []
    day_stamps = list(dates)
    records = book.open_.to_dict("records")
    for amount, in_dispute_now, p_collect, inv in zip(
        book.amounts, book.disputed, book.p_collect, records, strict=True
    ):
        history = None if in_dispute_now else book.lateness.get(inv["customer_id"])
        used = len(history) if history is not None else 0
        if history is not None and used >= MIN_HISTORY:
            sample_from = history
        else:
            sample_from = book.dispute_pool if in_dispute_now else book.pooled
        overdue = (t - inv["due_date"]).days
        p_collect = float(p_collect)
        delays = conditional_delays(sample_from, overdue, n_paths, rng, p_collect)
        in_dispute_now = bool(in_dispute_now)
        cash = amount * share[in_dispute_now]
        due_offset = (inv["due_date"] - dates[0]).days
        offset = np.where(np.isnan(delays), h, due_offset + np.nan_to_num(delays)).astype(int)
        offset = np.maximum(offset, 0)  # drawn before today: paid on the first day
        inside = (offset >= 0) & (offset < h)
        arr = paths.setdefault(inv["key"], np.zeros((n_paths, h)))
        arr[np.nonzero(inside)[0], offset[inside]] += cash
        days = np.bincount(offset[inside], minlength=h)
        for day in np.nonzero(days)[0]:
            daily.append((inv["invoice_id"], day_stamps[int(day)], cash * days[day] / n_paths))
        finite = delays[~np.isnan(delays)]
        expected = (
            inv["due_date"] + pd.Timedelta(days=float(np.median(finite))) if len(finite) else pd.NaT
        )
        rows.append(
            {
                "invoice_id": inv["invoice_id"],
                "customer_id": inv["customer_id"],
                "key": inv["key"],
                "open_amount": float(amount),
                "due_date": inv["due_date"],
                "expected_date": expected,
                "p_in_horizon": float(inside.mean()),
                "expected_in_horizon": float(inside.mean() * cash),
                "p_late": p_late_of(delays),
                "history": used,
                "cash_share": round(share[in_dispute_now], 4),
                "p_collect": round(p_collect, 4),
            }
        )
    return paths, pd.DataFrame(rows), pd.DataFrame(daily, columns=["invoice_id", "ds", "expected"])


def conditional_delays(
    history: np.ndarray,
    overdue: int,
    n: int,
    rng: np.random.Generator,
    p_collect: float = 1.0,
) -> np.ndarray:
    """Delays (days past due) given the invoice is unpaid ``overdue`` days past due; with
    ``p_collect`` below one, that share of the draws (the chance it is collected at all)
    keeps them.

    NaN means not paid at all (long overdue with no history of paying that late).
    """
    delays = _unpaid_delays(history, overdue, n, rng)
    if p_collect < 1.0:
        delays[rng.random(n) >= p_collect] = np.nan
    return delays


def p_late_of(delays: np.ndarray) -> float:
    """The share of draws paid after the due date (unpaid counts as late)."""
    return float(np.mean(np.nan_to_num(delays, nan=1e9) > 0))


def _unpaid_delays(
    history: np.ndarray, overdue: int, n: int, rng: np.random.Generator
) -> np.ndarray:
    if overdue < 0:
        return rng.choice(history, size=n).astype(float)
    beyond = history[history > overdue]
    if overdue >= NEVER_PAID_AFTER:
        return np.full(n, np.nan)
    if len(beyond) >= 3:
        return rng.choice(beyond, size=n).astype(float)
    # Later than anything seen: pay within the next weeks, or not at all, about evenly.
    delays = overdue + rng.exponential(30, size=n).round()
    return np.where(rng.random(n) < 0.5, delays, np.nan)


def delay_pmf(
    docs: pd.DataFrame,
    *,
    settled: str,
    as_of: date,
    max_days: int,
    lookback_days: int = 365,
    payments: pd.DataFrame | None = None,
) -> np.ndarray:
    """Share of the amount invoiced (or billed) that is paid ``d`` days after the document date.

    ``pmf[d]`` for ``d`` in ``0..max_days``: the cash paid ``d`` days after issue by the
    documents issued at least ``d`` days before ``as_of``, over what those documents
    amounted to. Documents still open count in every denominator they were observed for,
    so slow payers are not lost from recent cohorts (counting only settled documents biases
    the delays short); credit notes, write-offs and amounts still open after ``max_days``
    leave the array summing to less than one.

    Args:
        docs: invoices or bills with ``issue_date``, ``amount``, ``doc_type`` and ``settled``.
        payments: cash per document (``invoice_id``/``bill_id`` column of ``docs``'s first
            column name, ``date``, ``amount``), e.g. receipts with part payments; without it
            a settled document counts as paid in full on its settlement date.
    """
    t = pd.Timestamp(as_of)
    pmf = np.zeros(max_days + 1)
    issued = docs.loc[
        (docs["doc_type"] != "credit_note")
        & (docs["issue_date"] <= t)
        & (docs["issue_date"] > t - pd.Timedelta(days=lookback_days))
    ]
    if issued.empty:
        return pmf
    id_col = str(docs.columns[0])
    exposure = (t - issued["issue_date"]).dt.days.to_numpy()
    weights = issued["amount"].abs().to_numpy(float)
    if payments is not None and id_col in payments:
        issue = issued.set_index(id_col)["issue_date"]
        mine = payments.loc[payments[id_col].isin(issue.index) & (payments["date"] <= t)]
        lag = pd.to_datetime(mine["date"]).to_numpy() - mine[id_col].map(issue).to_numpy()
        days = lag.astype("timedelta64[D]").astype(int)
        cash = mine["amount"].abs().to_numpy(float)
    else:
        done = issued.loc[issued[settled].notna() & (issued[settled] <= t)]
        days = (done[settled] - done["issue_date"]).dt.days.to_numpy()
        cash = done["amount"].abs().to_numpy(float)
    days = np.clip(days, 0, None)
    inside = days <= max_days
    np.add.at(pmf, days[inside], cash[inside])
    # at_risk[d]: amount of the documents observed for at least d days
    observed = np.bincount(np.clip(exposure, 0, max_days), weights=weights, minlength=max_days + 1)
    at_risk = observed[::-1].cumsum()[::-1]
    return np.divide(pmf, at_risk, out=np.zeros_like(pmf), where=at_risk > 0)
