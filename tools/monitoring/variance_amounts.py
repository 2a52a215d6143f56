"""How much of an invoice a customer usually pays at once: the yardstick of short payments.

Some customers pay every invoice in full; others pay part now and the rest later, or keep a
deduction. An invoice paid short in the window is a surprise only beyond what its customer
usually does. The record is the customer's invoices first paid in the year before the
forecast: for each, the share of its amount received within a window's length of its first
payment, less one (zero: paid in full; -0.4: four tenths still unpaid a window later). The
customer's own mean and variance of that shortfall (at least ``MIN_HISTORY`` invoices), else
the company's, give the short payment expected anyway (``ref``) and its spread (``var``) of
each invoice's amount part.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

__all__ = ["MIN_HISTORY", "PaidShareRecord", "paid_share_record"]

MIN_HISTORY = 5  # invoices of its own a customer needs for a record of its own
_YEAR = pd.Timedelta(days=365)


@dataclass(frozen=True)
class PaidShareRecord:
    """Mean and variance of the shortfall (share paid within a window, less one)."""

    own: dict[str, tuple[float, float]] = field(default_factory=dict)
    pooled: tuple[float, float] = (0.0, 0.0)

    def of(self, customer: str) -> tuple[float, float]:
        """The customer's own mean and variance, else the company's."""
        return self.own.get(customer, self.pooled)


def paid_share_record(
    tables: Mapping[str, pd.DataFrame], *, as_of: date, days: int
) -> PaidShareRecord:
    """The record of short payments known at ``as_of``, for windows of ``days`` days.

    Args:
        tables: ``ar_invoices`` (``invoice_id, customer_id, amount``, optional ``doc_type``)
            and ``ar_receipts`` (``invoice_id, payment_date, amount``); without receipts
            there is no record (nothing is expected short).
    """
    inv = tables.get("ar_invoices")
    receipts = tables.get("ar_receipts")
    if inv is None or receipts is None or inv.empty or receipts.empty:
        return PaidShareRecord()
    t0 = pd.Timestamp(as_of)
    when = pd.to_datetime(receipts["payment_date"])
    paid = receipts.assign(when=when).loc[when.notna() & (when <= t0)]
    first = paid.groupby("invoice_id")["when"].transform("min")
    # the whole window after the first payment must be known at the forecast date
    known = (first > t0 - _YEAR) & (first <= t0 - pd.Timedelta(days=days - 1))
    within = paid.loc[known & (paid["when"] <= first + pd.Timedelta(days=days - 1))]
    got = within.groupby("invoice_id")["amount"].sum()
    invoices = inv.set_index("invoice_id")
    if "doc_type" in invoices:
        invoices = invoices.loc[invoices["doc_type"] != "credit_note"]
    amount = invoices["amount"].astype(float).reindex(got.index)
    ok = amount > 0
    short = (got[ok] / amount[ok] - 1.0).astype(float)
    if short.empty:
        return PaidShareRecord()
    customer = invoices["customer_id"].astype(str).reindex(short.index)
    pooled = (float(short.mean()), float(np.var(short, ddof=1)) if len(short) > 1 else 0.0)
    own = {
        str(c): (float(s.mean()), float(np.var(s, ddof=1)))
        for c, s in short.groupby(customer)
        if len(s) >= MIN_HISTORY
    }
    return PaidShareRecord(own=own, pooled=pooled)
