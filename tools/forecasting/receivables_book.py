"""What the receivables ledger says at the forecast date, whichever model times the receipts.

Both open-invoice models (each customer's own delays in ``receivables.py``, the fitted
payment-date model in ``receivables_model.py``) start from the same facts a credit
controller would check:

- **what is still open**: the invoice less the receipts and the credit notes (matched by
  sales order) booked by the forecast date;
- **how much of it turns into cash**: disputed invoices often close partly by a credit
  note, so they are expected to bring in the share of their amount that settled disputed
  invoices turned into cash in the lookback window;
- **customers gone silent**: a customer with invoices overdue that has not paid anything
  for more than three of its usual longest gaps between payments is doubtful; every
  further usual gap of silence halves the chance that any of its open invoices is paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MIN_HISTORY",
    "NEVER_PAID_AFTER",
    "OpenBook",
    "open_book",
    "receipts_by_invoice",
]

MIN_HISTORY = 5
NEVER_PAID_AFTER = 180  # days overdue from which an invoice is treated as not collectible
_SILENT_GAPS = 3.0  # silence beyond this many usual longest gaps makes a customer doubtful
_MIN_GAP_DAYS = 7


@dataclass(frozen=True)
class OpenBook:
    """The open invoices at the forecast date and what the ledger says about collecting them.

    Arrays run over the rows of ``open_`` (credit notes excluded, open amount above zero).
    """

    open_: pd.DataFrame
    amounts: np.ndarray  # open amount after credit notes and receipts booked by as_of
    disputed: np.ndarray  # bool
    p_collect: np.ndarray  # chance the customer pays at all (below 1 once gone silent)
    cash_share: dict[bool, float]  # share of the amount that came in as cash: plain, disputed
    lateness: dict[Any, np.ndarray]  # days late of each customer's undisputed settled invoices
    pooled: np.ndarray  # days late of every undisputed settled invoice
    dispute_pool: np.ndarray  # days late of settled disputed invoices (pooled when too few)

    def cash(self) -> np.ndarray:
        """Cash expected per open invoice if it is paid: its open amount times the share."""
        share = np.where(self.disputed, self.cash_share[True], self.cash_share[False])
        return np.asarray(self.amounts * share, dtype=float)


def receipts_by_invoice(receipts: pd.DataFrame | None, as_of: date) -> pd.DataFrame | None:
    """Customer receipts per invoice booked by ``as_of`` (``invoice_id, date, amount``)."""
    if receipts is None or receipts.empty or "invoice_id" not in receipts:
        return None
    when = pd.to_datetime(receipts["payment_date"])
    mine = receipts.loc[when <= pd.Timestamp(as_of)]
    return pd.DataFrame(
        {
            "invoice_id": mine["invoice_id"].to_numpy(),
            "date": when.loc[mine.index].to_numpy(),
            "amount": mine["amount"].astype(float).to_numpy(),
        }
    )


def open_book(
    invoices: pd.DataFrame,
    *,
    as_of: date,
    lookback_days: int = 365,
    receipts: pd.DataFrame | None = None,
) -> OpenBook:
    """The open invoices at ``as_of`` with their amounts, cash share and collectability.

    Args:
        invoices: canonical ``ar_invoices`` (dates as datetimes).
        receipts: canonical ``ar_receipts``, optional: part payments and the customers'
            payment dates; without it the invoices' settlement dates stand in.
    """
    t = pd.Timestamp(as_of)
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
    lateness: dict[Any, np.ndarray] = {
        c: g.to_numpy() for c, g in late.loc[plain].groupby(settled.loc[plain, "customer_id"])
    }
    pooled = late.loc[plain].to_numpy() if plain.any() else late.to_numpy()
    if not len(pooled):
        pooled = np.array([0])
    in_dispute = late.loc[~plain].to_numpy()
    open_amount = _open_after_credits(invoices, paid, t)
    collect = _collectability(invoices, paid, open_amount, lateness, t)
    open_ = invoices.loc[(open_amount > 0) & (invoices["doc_type"] != "credit_note")]
    return OpenBook(
        open_=open_,
        amounts=open_amount.loc[open_.index].to_numpy(float),
        disputed=disputed.loc[open_.index].to_numpy(bool),
        p_collect=open_["customer_id"].map(collect).fillna(1.0).to_numpy(float),
        cash_share=_cash_share(settled, paid, disputed.loc[settled.index]),
        lateness=lateness,
        pooled=pooled,
        dispute_pool=in_dispute if len(in_dispute) >= MIN_HISTORY else pooled,
    )


def _flag(invoices: pd.DataFrame, column: str) -> pd.Series:
    if column not in invoices:
        return pd.Series(False, index=invoices.index)
    return invoices[column].fillna(False).astype(bool)


def _paid_lines(
    invoices: pd.DataFrame, receipts: pd.DataFrame | None, t: pd.Timestamp
) -> pd.DataFrame:
    """Cash received per invoice and day up to ``t``: ``invoice_id, date, amount``."""
    booked = receipts_by_invoice(receipts, t.date())
    if booked is not None:
        return booked
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
        if mine.sum() < MIN_HISTORY or amount <= 0:
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
        if len(days) < MIN_HISTORY:
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
