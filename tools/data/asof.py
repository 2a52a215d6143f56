"""The ledger as it was known on a past date: for backtests, early-warning replays and variance.

Documents issued after ``as_of`` disappear; settlements after ``as_of`` are undone (the
document is open again, for its amount minus the receipts booked by then); bank lines and
balances after ``as_of`` are dropped. Master data and rate tables are cut at ``as_of`` where
they have dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

__all__ = ["tables_as_of"]

_DATED = {
    "bank_transactions": "booking_date",
    "bank_balances": "date",
    "ar_receipts": "payment_date",
    "inventory_demand": "date",
    "interest_rates": "date",
    "fx_rates": "date",
    "purchase_orders": "order_date",
    "sales_orders": "order_date",
}


def tables_as_of(tables: Mapping[str, pd.DataFrame], as_of: date) -> dict[str, pd.DataFrame]:
    """Each table cut to what was known at the end of ``as_of``."""
    t = pd.Timestamp(as_of)
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name in _DATED and _DATED[name] in frame:
            out[name] = frame.loc[pd.to_datetime(frame[_DATED[name]]) <= t].copy()
        else:
            out[name] = frame.copy()
    receipts = out.get("ar_receipts")
    if "ar_invoices" in out:
        out["ar_invoices"] = _reopen(
            out["ar_invoices"], t, settled="settled_date", key="invoice_id", receipts=receipts
        )
    if "ap_bills" in out:
        out["ap_bills"] = _reopen(out["ap_bills"], t, settled="paid_date", key="bill_id")
    if "purchase_orders" in out and "status" in out["purchase_orders"]:
        po = out["purchase_orders"]
        late = pd.to_datetime(po["expected_date"]) > t
        po.loc[late & po["status"].eq("received"), "status"] = "open"
    return out


def _reopen(
    docs: pd.DataFrame,
    t: pd.Timestamp,
    *,
    settled: str,
    key: str,
    receipts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    docs = docs.loc[pd.to_datetime(docs["issue_date"]) <= t].copy()
    when = pd.to_datetime(docs[settled]) if settled in docs else pd.Series(pd.NaT, docs.index)
    later = when.notna() & (when > t)
    if settled in docs:
        docs[settled] = when.where(~later)
    unsettled = docs[settled].isna() if settled in docs else pd.Series(True, docs.index)
    open_amount = docs["amount"].where(unsettled, 0.0)
    if receipts is not None and not receipts.empty and key in receipts:
        paid = docs[key].map(receipts.groupby(key)["amount"].sum()).fillna(0.0)
        open_amount = (open_amount - paid.where(unsettled, 0.0)).clip(lower=0.0)
    docs["open_amount"] = open_amount.round(2)
    return docs
