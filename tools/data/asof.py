"""The ledger as it was known on a past date: for backtests, early-warning replays and variance.

Documents issued after ``as_of`` disappear; settlements after ``as_of`` are undone (the
document is open again, for its amount minus the receipts booked by then); bank lines and
balances after ``as_of`` are dropped. Master data and rate tables are cut at ``as_of`` where
they have dates. The credit facilities' ``drawn`` amounts (known only as of the export) are
set back by the revolver drawings and repayments booked after ``as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

__all__ = ["REVOLVER", "facilities_as_of", "tables_as_of"]

# Bank-line texts of revolving-credit drawings and repayments.
REVOLVER = (
    r"(?i)\b(?:draw\s?down|drawing|repayment)\b.*\b(?:revolv\w*|credit (?:line|facility)|rcf)\b"
)

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
    if {"credit_facilities", "bank_transactions", "bank_accounts"} <= set(tables):
        out["credit_facilities"] = facilities_as_of(tables, as_of)
    if "purchase_orders" in out and "status" in out["purchase_orders"]:
        po = out["purchase_orders"]
        late = pd.to_datetime(po["expected_date"]) > t
        po.loc[late & po["status"].eq("received"), "status"] = "open"
    return out


def facilities_as_of(
    tables: Mapping[str, pd.DataFrame], as_of: date, pattern: str = REVOLVER
) -> pd.DataFrame:
    """``credit_facilities`` with ``drawn`` at the close of ``as_of``: less the drawings and
    plus the repayments (bank lines matching ``pattern``) of each entity and currency booked
    after it."""
    fac = tables["credit_facilities"].copy()
    if fac.empty or "drawn" not in fac:
        return fac
    acc = tables["bank_accounts"][["account_id", "entity_id"]]
    bt = tables["bank_transactions"].merge(acc, on="account_id")
    later = bt.loc[
        bt["description"].fillna("").astype(str).str.contains(pattern, regex=True)
        & (pd.to_datetime(bt["booking_date"]) > pd.Timestamp(as_of))
    ]
    net = later.groupby(["entity_id", "currency"])["amount"].sum()
    fac["drawn"] = [
        max(float(drawn) - float(net.get((e, c), 0.0)), 0.0)
        for e, c, drawn in zip(fac["entity_id"], fac["currency"], fac["drawn"], strict=True)
    ]
    return fac


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
