"""Canonical AR and AP tables for the window ``start..end``, plus their bank flows.

Documents issued before ``start`` appear only if still open then; a receivable partly
settled before ``start`` is carried at its open balance, so receipts always add up.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import operating_account
from .dates import Horizon
from .flows import flows


def _per_entity_ids(prefix: str, entity: pd.Series, width: int = 6) -> list[str]:
    seq = entity.groupby(entity).cumcount().to_numpy() + 1
    return [f"{prefix}-{e}-{s:0{width}d}" for e, s in zip(entity, seq, strict=True)]


def receivable_tables(
    h: Horizon,
    inv: pd.DataFrame,
    events: pd.DataFrame,
    disputed: np.ndarray,
    customers: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``ar_invoices`` (with credit notes), ``ar_receipts`` and the receipt flows."""
    lo, hi = h.start_idx, h.end_idx
    ev = events[events["day"] <= hi]
    n = len(inv)
    idx, day, cents = (ev[c].to_numpy() for c in ("inv_idx", "day", "cents"))
    amount = inv["amount_cents"].to_numpy()
    settled = np.round(np.bincount(idx, weights=cents, minlength=n)).astype(np.int64)
    before = day < lo
    pre = np.round(np.bincount(idx[before], weights=cents[before], minlength=n)).astype(np.int64)
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, idx, day)
    issue = inv["issue_day"].to_numpy()
    open_cents = amount - settled
    keep = (issue >= lo) | (amount - pre > 0)
    c = inv["customer_idx"].to_numpy()
    invoices = pd.DataFrame(
        {
            "invoice_id": inv["invoice_id"],
            "customer_id": customers["customer_id"].to_numpy()[c],
            "entity_id": inv["entity_id"],
            "doc_type": "invoice",
            "issue_date": h.timestamps(issue),
            "due_date": h.timestamps(inv["due_day"].to_numpy()),
            "amount": (amount - np.where(issue < lo, pre, 0)) / 100,
            "currency": inv["currency"],
            "open_amount": open_cents / 100,
            "settled_date": h.timestamps(np.where(open_cents == 0, last, -1)),
            "disputed": disputed,
            "sales_order_id": inv["so_id"],
        }
    )[keep]
    credit = ev[ev["kind"] == "credit"]
    ci = credit["inv_idx"].to_numpy()
    stamps = h.timestamps(credit["day"].to_numpy())
    notes = pd.DataFrame(
        {
            "invoice_id": _per_entity_ids("CN", inv["entity_id"].iloc[ci].reset_index(drop=True)),
            "customer_id": customers["customer_id"].to_numpy()[c[ci]],
            "entity_id": inv["entity_id"].to_numpy()[ci],
            "doc_type": "credit_note",
            "issue_date": stamps,
            "due_date": stamps,
            "amount": credit["cents"].to_numpy() / 100,
            "currency": inv["currency"].to_numpy()[ci],
            "open_amount": 0.0,
            "settled_date": stamps,
            "disputed": False,
            "sales_order_id": inv["so_id"].to_numpy()[ci],
        }
    )[credit["day"].to_numpy() >= lo]
    ar = pd.concat([invoices, notes], ignore_index=True).sort_values(
        ["issue_date", "invoice_id"], kind="stable", ignore_index=True
    )
    paid = ev[ev["kind"] == "receipt"].reset_index(drop=True)
    pi = paid["inv_idx"].to_numpy()
    receipts = pd.DataFrame(
        {
            "receipt_id": [f"RCT-{i:07d}" for i in range(1, len(paid) + 1)],
            "invoice_id": inv["invoice_id"].to_numpy()[pi],
            "customer_id": customers["customer_id"].to_numpy()[c[pi]],
            "payment_date": h.timestamps(paid["day"].to_numpy()),
            "amount": paid["cents"].to_numpy() / 100,
            "currency": inv["currency"].to_numpy()[pi],
        }
    )[paid["day"].to_numpy() >= lo]
    shown = paid[paid["day"].to_numpy() >= lo]
    si = shown["inv_idx"].to_numpy()
    refs = inv["invoice_id"].to_numpy()[si]
    cash = flows(
        account_id=customers["account_id"].to_numpy()[c[si]],
        day=shown["day"].to_numpy(),
        cents=shown["cents"].to_numpy(),
        counterparty=customers["name"].to_numpy()[c[si]],
        reference=refs,
        description=[f"Remittance {r}" for r in refs],
        category="customer_receipt",
    )
    return ar, receipts.reset_index(drop=True), cash


def payable_tables(
    h: Horizon, bills: pd.DataFrame, po_ids: np.ndarray, suppliers: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """``ap_bills``, the supplier-payment flows and which purchase orders the bills cite."""
    lo, hi = h.start_idx, h.end_idx
    b = bills[(bills["issue_day"] <= hi) & (bills["pay_day"] >= lo)]
    s = b["supplier_idx"].to_numpy()
    pay = b["pay_day"].to_numpy()
    paid = pay <= hi
    po_idx = b["po_idx"].to_numpy()
    po = np.where(po_idx >= 0, po_ids[np.maximum(po_idx, 0)], None)
    table = pd.DataFrame(
        {
            "bill_id": b["bill_id"].to_numpy(),
            "supplier_id": suppliers["supplier_id"].to_numpy()[s],
            "entity_id": b["entity_id"].to_numpy(),
            "doc_type": "bill",
            "issue_date": h.timestamps(b["issue_day"].to_numpy()),
            "due_date": h.timestamps(b["due_day"].to_numpy()),
            "amount": b["amount_cents"].to_numpy() / 100,
            "currency": b["currency"].to_numpy(),
            "open_amount": np.where(paid, 0, b["amount_cents"].to_numpy()) / 100,
            "paid_date": h.timestamps(np.where(paid, pay, -1)),
            "discount_pct": b["discount_pct"].to_numpy(),
            "discount_days": b["discount_days"].to_numpy().astype(np.int64),
            "purchase_order_id": po,
        }
    )
    out = b[paid]
    prepaid = out["prepaid"].to_numpy()
    text = np.where(prepaid, "Prepayment for order " + po[paid].astype(str), "Supplier payment run")
    cash = flows(
        account_id=[operating_account(e) for e in out["entity_id"]],
        day=out["pay_day"].to_numpy(),
        cents=-out["paid_cents"].to_numpy(),
        counterparty=suppliers["name"].to_numpy()[out["supplier_idx"].to_numpy()],
        reference=out["bill_id"].to_numpy(),
        description=text,
        category="supplier_payment",
    )
    return table.reset_index(drop=True), cash, po_idx[po_idx >= 0]
