"""Cash application against the ledger: which bank lines to match, and booking the matches.

Matching itself is pure (``tools.reconcile``); this module reads the lines still to apply
from the workspace and writes accepted matches back in one transaction: receipts for
invoices, open amounts reduced, settlement dates set. A line is applied at most once
(the ``cash_applications`` key), so re-running is harmless.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from tools.reconcile import Reconciliation, reconcile
from tools.workspace.db import CASH_APPLICATIONS
from tools.workspace.workspace import Workspace

__all__ = ["apply_matches", "reconcile_workspace"]


def reconcile_workspace(
    ws: Workspace, *, since: date | None = None, min_confidence: float = 0.8
) -> Reconciliation:
    """Match the workspace's unapplied bank lines booked on or after ``since`` (default:
    30 days before the latest line) to its open receivables and payables."""
    tables = ws.read_all()
    lines = tables["bank_transactions"]
    if lines.empty:
        return reconcile(lines, tables["ar_invoices"], tables["ap_bills"])
    start = pd.Timestamp(since) if since else lines["booking_date"].max() - pd.Timedelta(days=30)
    with ws.engine.connect() as conn:
        done = {r[0] for r in conn.execute(sa.select(CASH_APPLICATIONS.c.txn_id))}
    todo = lines.loc[(lines["booking_date"] >= start) & ~lines["txn_id"].isin(done)]
    todo = todo.loc[
        ~todo["category"].isin(
            ["payroll", "tax", "fees", "financing", "investment", "intercompany"]
        )
    ]
    todo = todo.loc[~_recorded_in_erp(todo, tables)]
    return reconcile(
        todo,
        tables["ar_invoices"],
        tables["ap_bills"],
        customers=tables["customers"],
        suppliers=tables["suppliers"],
        fx_rates=tables["fx_rates"],
        min_confidence=min_confidence,
    )


def _recorded_in_erp(lines: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Lines the ERP export already accounts for: a receipt, or a bill paid, on the same
    day for the same amount and currency."""
    receipts = tables["ar_receipts"][["payment_date", "amount", "currency"]]
    bills = tables["ap_bills"].loc[tables["ap_bills"]["paid_date"].notna()]
    paid = pd.concat(
        [
            receipts.rename(columns={"payment_date": "day"}),
            bills.assign(day=bills["paid_date"], amount=-bills["amount"])[
                ["day", "amount", "currency"]
            ],
        ]
    )
    known = set(zip(paid["day"], paid["amount"].round(2), paid["currency"], strict=True))
    keys = zip(lines["booking_date"], lines["amount"].round(2), lines["currency"], strict=True)
    return pd.Series([k in known for k in keys], index=lines.index, dtype=bool)


def apply_matches(ws: Workspace, result: Reconciliation, *, user: str = "cli") -> int:
    """Book ``result.matches`` in the ledger; returns how many documents were updated."""
    if not result.matches:
        return 0
    lines = ws.read("bank_transactions").set_index("txn_id")
    now = datetime.now(UTC)
    updated = 0
    with ws.engine.begin() as conn:
        for match in result.matches:
            day = str(lines.at[match.txn_id, "booking_date"])[:10]
            for doc, amount in zip(match.documents, match.applied, strict=True):
                inserted = conn.execute(
                    sa.insert(CASH_APPLICATIONS).prefix_with("OR IGNORE")
                    if conn.dialect.name == "sqlite"
                    else postgresql.insert(CASH_APPLICATIONS).on_conflict_do_nothing(),
                    {
                        "txn_id": match.txn_id,
                        "document_id": doc,
                        "side": match.side,
                        "amount": amount,
                        "method": match.method,
                        "confidence": match.confidence,
                        "applied_at": now,
                        "user_id": user,
                    },
                ).rowcount
                if not inserted:
                    continue  # applied before: exactly once
                updated += _book(conn, match.side, doc, amount, day, match.txn_id)
    return updated


def _book(conn: sa.Connection, side: str, doc: str, amount: float, day: str, txn_id: str) -> int:
    table, key, settled = (
        ("ar_invoices", "invoice_id", "settled_date")
        if side == "ar"
        else ("ap_bills", "bill_id", "paid_date")
    )
    conn.execute(
        sa.text(
            f'UPDATE "{table}" SET open_amount = CASE WHEN open_amount - :a < 0.005 THEN 0 '
            f"ELSE open_amount - :a END, {settled} = CASE WHEN open_amount - :a < 0.005 "
            f"THEN :d ELSE {settled} END WHERE {key} = :k"
        ),
        {"a": amount, "d": day, "k": doc},
    )
    if side == "ar":
        conn.execute(
            sa.text(
                'INSERT INTO "ar_receipts" (receipt_id, invoice_id, customer_id, payment_date, '
                "amount, currency) SELECT :r, invoice_id, customer_id, :d, :a, currency "
                'FROM "ar_invoices" WHERE invoice_id = :k'
            ),
            {"r": f"{txn_id}:{doc}", "d": day, "a": amount, "k": doc},
        )
    return 1
