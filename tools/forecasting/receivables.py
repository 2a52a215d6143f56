"""Receipts from open invoices, invoice by invoice, from each customer's own payment history.

This is the fast, assumption-light bottom-up model: a customer's next payment delay is
drawn from the delays (days past due) of its own invoices settled in the lookback window,
conditioned on what is already known (an invoice 20 days overdue today will be paid more
than 20 days late). Customers with too little history borrow the delays of all customers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["delay_pmf", "empirical_open_invoice_paths"]

_MIN_HISTORY = 5
_NEVER_PAID_AFTER = 180  # days overdue from which an invoice is treated as not collectible


def empirical_open_invoice_paths(
    invoices: pd.DataFrame,
    *,
    as_of: date,
    dates: pd.DatetimeIndex,
    n_paths: int,
    seed: int,
    lookback_days: int = 365,
) -> tuple[dict[str, np.ndarray], pd.DataFrame, pd.DataFrame]:
    """Sample paths of receipts from open invoices per position key, and per-invoice forecasts.

    Args:
        invoices: canonical ``ar_invoices`` plus a ``key`` column (position of the invoice).

    Returns:
        (paths, per_invoice, daily): ``paths[key]`` is ``(n_paths, len(dates))``;
        ``per_invoice`` has invoice_id, customer_id, key, open_amount, due_date,
        expected_date, p_in_horizon, expected_in_horizon, p_late and the number of history
        invoices used; ``daily`` is the expected receipt per invoice and day (invoice_id, ds,
        expected), the basis of variance analysis.
    """
    t = pd.Timestamp(as_of)
    rng = np.random.default_rng(seed)
    h = len(dates)
    settled = invoices.loc[
        invoices["settled_date"].notna()
        & (invoices["settled_date"] <= t)
        & (invoices["settled_date"] > t - pd.Timedelta(days=lookback_days))
        & (invoices["doc_type"] != "credit_note")
    ]
    late = (settled["settled_date"] - settled["due_date"]).dt.days
    by_customer: dict[Any, np.ndarray] = {
        c: g.to_numpy() for c, g in late.groupby(settled["customer_id"])
    }
    pooled = late.to_numpy() if len(late) else np.array([0])
    open_ = invoices.loc[(invoices["open_amount"] > 0) & (invoices["doc_type"] != "credit_note")]
    paths: dict[str, np.ndarray] = {}
    rows = []
    daily: list[tuple[str, pd.Timestamp, float]] = []
    for inv in open_.to_dict("records"):
        history = by_customer.get(inv["customer_id"])
        used = len(history) if history is not None else 0
        sample_from = history if history is not None and used >= _MIN_HISTORY else pooled
        overdue = (t - inv["due_date"]).days
        delays = _conditional_draws(sample_from, overdue, n_paths, rng)
        due_offset = (inv["due_date"] - dates[0]).days
        offset = np.where(np.isnan(delays), h, due_offset + np.nan_to_num(delays)).astype(int)
        offset = np.maximum(offset, 0)  # drawn before today: paid on the first day
        inside = (offset >= 0) & (offset < h)
        arr = paths.setdefault(inv["key"], np.zeros((n_paths, h)))
        arr[np.nonzero(inside)[0], offset[inside]] += inv["open_amount"]
        days = np.bincount(offset[inside], minlength=h)
        for day in np.nonzero(days)[0]:
            daily.append(
                (inv["invoice_id"], dates[int(day)], inv["open_amount"] * days[day] / n_paths)
            )
        finite = delays[~np.isnan(delays)]
        expected = (
            inv["due_date"] + pd.Timedelta(days=float(np.median(finite))) if len(finite) else pd.NaT
        )
        rows.append(
            {
                "invoice_id": inv["invoice_id"],
                "customer_id": inv["customer_id"],
                "key": inv["key"],
                "open_amount": inv["open_amount"],
                "due_date": inv["due_date"],
                "expected_date": expected,
                "p_in_horizon": float(inside.mean()),
                "expected_in_horizon": float(inside.mean() * inv["open_amount"]),
                "p_late": float(np.mean(np.nan_to_num(delays, nan=1e9) > 0)),
                "history": used,
            }
        )
    return paths, pd.DataFrame(rows), pd.DataFrame(daily, columns=["invoice_id", "ds", "expected"])


def _conditional_draws(
    history: np.ndarray, overdue: int, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Delays (days past due) given the invoice is unpaid ``overdue`` days past due.

    NaN means not paid at all (long overdue with no history of paying that late).
    """
    if overdue < 0:
        return rng.choice(history, size=n).astype(float)
    beyond = history[history > overdue]
    if overdue >= _NEVER_PAID_AFTER:
        return np.full(n, np.nan)
    if len(beyond) >= 3:
        return rng.choice(beyond, size=n).astype(float)
    # Later than anything seen: pay within the next weeks, or not at all, about evenly.
    delays = overdue + rng.exponential(30, size=n).round()
    return np.where(rng.random(n) < 0.5, delays, np.nan)


def delay_pmf(
    docs: pd.DataFrame, *, settled: str, as_of: date, max_days: int, lookback_days: int = 365
) -> np.ndarray:
    """Share of the amount invoiced that is paid ``d`` days after the document date.

    ``pmf[d]`` for ``d`` in ``0..max_days``; the mass paid later than ``max_days`` is left
    out (the array sums to less than one).
    """
    t = pd.Timestamp(as_of)
    done = docs.loc[
        docs[settled].notna()
        & (docs[settled] <= t)
        & (docs["issue_date"] > t - pd.Timedelta(days=lookback_days))
    ]
    pmf = np.zeros(max_days + 1)
    if done.empty:
        return pmf
    days = (done[settled] - done["issue_date"]).dt.days.clip(lower=0).to_numpy()
    weights = done["amount"].abs().to_numpy(float)
    inside = days <= max_days
    np.add.at(pmf, days[inside], weights[inside])
    # Only documents old enough to have been settled count in the denominator, else recent
    # (still open) documents would bias the delay short.
    return pmf / max(weights.sum(), 1e-9)
