"""Receipts from open invoices, invoice by invoice, from each customer's own payment history.

This is the fast, assumption-light bottom-up model: a customer's next payment delay is
drawn from the delays (days past due) of its own invoices settled in the lookback window,
conditioned on what is already known (an invoice 20 days overdue today will be paid more
than 20 days late). Customers with too little history borrow the delays of all customers.

What a credit controller would also weigh:

- **credit notes and part payments**: what is open is the invoice less the receipts and the
  credit notes booked against it (matched by sales order) by the forecast date;
- **disputed invoices** settle on their own clock (weeks of negotiation) and often not in
  full (a credit note closes part of them): their delays come from settled disputed
  invoices, and they are expected to bring in the share of their amount that disputed
  invoices turned into cash in the lookback window;
- **customers gone silent**: a customer with invoices overdue that has not paid anything
  for more than three of its usual longest gaps between payments is doubtful; every further
  usual gap of silence halves the chance that any of its open invoices is paid.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["delay_pmf", "empirical_open_invoice_paths"]

_MIN_HISTORY = 5
_NEVER_PAID_AFTER = 180  # days overdue from which an invoice is treated as not collectible
_SILENT_GAPS = 3.0  # silence beyond this many usual longest gaps makes a customer doubtful
_MIN_GAP_DAYS = 7


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
    paid = _paid_lines(invoices, receipts, t)
    disputed = _flag(invoices, "disputed")
    settled_mask = (
        invoices["settled_date"].notna()
        & (invoices["settled_date"] <= t)
        & (invoices["settled_date"] > t - pd.Timedelta(days=lookback_days))
        & (invoices["doc_type"] != "credit_note")
    )
    settled = invoices.loc[settled_mask]
    late = (settled["settled_date"] - settled["due_date"]).dt.days
    plain = ~disputed.loc[settled.index]
    by_customer: dict[Any, np.ndarray] = {
        c: g.to_numpy() for c, g in late.loc[plain].groupby(settled.loc[plain, "customer_id"])
    }
    pooled = late.loc[plain].to_numpy() if plain.any() else late.to_numpy()
    if not len(pooled):
        pooled = np.array([0])
    in_dispute = late.loc[~plain].to_numpy()
    dispute_pool = in_dispute if len(in_dispute) >= _MIN_HISTORY else pooled
    share = _cash_share(settled, paid, disputed.loc[settled.index])
    open_amount = _open_after_credits(invoices, paid, t)
    collect = _collectability(invoices, paid, open_amount, by_customer, t)
    open_ = invoices.loc[(open_amount > 0) & (invoices["doc_type"] != "credit_note")]
    paths: dict[str, np.ndarray] = {}
    rows = []
    daily: list[tuple[str, pd.Timestamp, float]] = []
    day_stamps = list(dates)
    amounts = open_amount.loc[open_.index].to_numpy(float)
    flags = disputed.loc[open_.index].to_numpy(bool)
    for amount, in_dispute_now, inv in zip(amounts, flags, open_.to_dict("records"), strict=True):
        history = None if in_dispute_now else by_customer.get(inv["customer_id"])
        used = len(history) if history is not None else 0
        if history is not None and used >= _MIN_HISTORY:
            sample_from = history
        else:
            sample_from = dispute_pool if in_dispute_now else pooled
        overdue = (t - inv["due_date"]).days
        delays = _conditional_draws(sample_from, overdue, n_paths, rng)
        in_dispute_now = bool(in_dispute_now)
        p_collect = float(collect.get(inv["customer_id"], 1.0))
        if p_collect < 1.0:
            delays[rng.random(n_paths) >= p_collect] = np.nan
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
                "p_late": float(np.mean(np.nan_to_num(delays, nan=1e9) > 0)),
                "history": used,
                "cash_share": round(share[in_dispute_now], 4),
                "p_collect": round(p_collect, 4),
            }
        )
    return paths, pd.DataFrame(rows), pd.DataFrame(daily, columns=["invoice_id", "ds", "expected"])


def _flag(invoices: pd.DataFrame, column: str) -> pd.Series:
    if column not in invoices:
        return pd.Series(False, index=invoices.index)
    return invoices[column].fillna(False).astype(bool)


def _paid_lines(
    invoices: pd.DataFrame, receipts: pd.DataFrame | None, t: pd.Timestamp
) -> pd.DataFrame:
    """Cash received per invoice and day up to ``t``: ``invoice_id, date, amount``."""
    if receipts is not None and not receipts.empty and "invoice_id" in receipts:
        when = pd.to_datetime(receipts["payment_date"])
        mine = receipts.loc[when <= t]
        return pd.DataFrame(
            {
                "invoice_id": mine["invoice_id"].to_numpy(),
                "date": when.loc[mine.index].to_numpy(),
                "amount": mine["amount"].astype(float).to_numpy(),
            }
        )
    done = invoices.loc[
        invoices["settled_date"].notna()
        & (invoices["settled_date"] <= t)
        & (invoices["doc_type"] != "credit_note")
    ]
    return pd.DataFrame(
        {
            "invoice_id": done["invoice_id"].to_numpy(),
            "date": done["settled_date"].to_numpy(),
            "amount": done["amount"].astype(float).to_numpy(),
        }
    )


def _open_after_credits(invoices: pd.DataFrame, paid: pd.DataFrame, t: pd.Timestamp) -> pd.Series:
    """Open amounts less the credit notes (matched by sales order) and receipts booked by
    ``t``; never more than the ledger's own open amount (which may already net them)."""
    open_amount = invoices["open_amount"].astype(float)
    if "sales_order_id" not in invoices:
        return open_amount
    notes = invoices.loc[
        (invoices["doc_type"] == "credit_note")
        & (invoices["issue_date"] <= t)
        & invoices["sales_order_id"].notna()
    ]
    if notes.empty:
        return open_amount
    credited = invoices["sales_order_id"].map(
        notes.groupby("sales_order_id")["amount"].apply(lambda a: a.abs().sum())
    )
    received = invoices["invoice_id"].map(paid.groupby("invoice_id")["amount"].sum())
    left = invoices["amount"].astype(float) - received.fillna(0.0) - credited.fillna(0.0)
    is_invoice = invoices["doc_type"] != "credit_note"
    cap = left.clip(lower=0.0).where(is_invoice, 0.0)
    return open_amount.where(is_invoice, 0.0).clip(upper=cap)


def _cash_share(
    settled: pd.DataFrame, paid: pd.DataFrame, disputed: pd.Series
) -> dict[bool, float]:
    """Share of the amount of settled invoices that came in as cash, plain and disputed."""
    received = settled["invoice_id"].map(paid.groupby("invoice_id")["amount"].sum()).fillna(0.0)
    out = {}
    for flag in (False, True):
        mine = disputed.to_numpy() == flag
        amount = float(settled.loc[mine, "amount"].abs().sum())
        if mine.sum() < _MIN_HISTORY or amount <= 0:
            out[flag] = 1.0
        else:
            out[flag] = float(np.clip(received.loc[mine].sum() / amount, 0.0, 1.0))
    return out


def _collectability(
    invoices: pd.DataFrame,
    paid: pd.DataFrame,
    open_amount: pd.Series,
    lateness: dict[Any, np.ndarray],
    t: pd.Timestamp,
) -> dict[Any, float]:
    """Chance that a customer pays anything at all, from how long it has been silent.

    Silence counts from the customer's last payment or from when its oldest open invoice
    was due to be paid (due date plus its usual lateness), whichever is later.
    """
    if paid.empty:
        return {}
    customer = invoices.set_index("invoice_id")["customer_id"]
    pays = paid.assign(customer_id=paid["invoice_id"].map(customer)).dropna(subset=["customer_id"])
    is_open = (open_amount > 0) & (invoices["doc_type"] != "credit_note")
    oldest_due = invoices.loc[is_open].groupby("customer_id")["due_date"].min()
    pay_days = {
        c: np.unique(g.to_numpy())
        for c, g in pd.to_datetime(pays["date"]).groupby(pays["customer_id"])
    }
    out: dict[Any, float] = {}
    for cust, due in oldest_due.items():
        days = pay_days.get(cust, np.array([], dtype="datetime64[ns]"))
        if len(days) < _MIN_HISTORY:
            continue
        gaps = np.diff(days).astype("timedelta64[D]").astype(float)
        usual = max(float(np.quantile(gaps, 0.9)), _MIN_GAP_DAYS)
        late = lateness.get(cust)
        expected = due + pd.Timedelta(days=float(np.median(late)) if late is not None else 0.0)
        since = max(pd.Timestamp(days[-1]), expected)
        silent = (t - since).days / usual
        if silent > _SILENT_GAPS:
            out[cust] = float(0.5 ** (silent - _SILENT_GAPS))
    return out


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
