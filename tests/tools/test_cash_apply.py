"""Cash application on a workspace: matches booked once, receipts recorded."""

from __future__ import annotations

from tests.conftest import AR_HEADER, AR_ROWS
from tools.workspace import Workspace, import_files
from tools.workspace.cash_apply import apply_matches, reconcile_workspace

BANK = """account_id,booking_date,amount,currency,counterparty,reference,description
US-OP,2024-02-20,250.50,USD,C1 Buyer,INV-002,Remittance INV-002
US-OP,2024-02-21,1000.00,USD,C2 Buyer,,Payment for INV 003
US-OP,2024-02-22,99.99,USD,Somebody,,Gift
"""


def test_reconcile_apply_and_reapply(ws: Workspace, write) -> None:
    files = [
        write("ar_invoices.csv", "\n".join([AR_HEADER, *AR_ROWS]) + "\n"),
        write("bank_accounts.csv", "account_id,entity_id,currency\nUS-OP,US01,USD\n"),
        write("bank_transactions.csv", BANK),
    ]
    assert import_files(ws, files).status == "imported"
    result = reconcile_workspace(ws, since=None)
    assert {m.documents for m in result.matches} == {("INV-002",), ("INV-003",)}
    assert [e.amount for e in result.exceptions] == [99.99]
    assert apply_matches(ws, result, user="ana") == 2
    stored = ws.read("ar_invoices").set_index("invoice_id")
    assert stored.loc["INV-002", "open_amount"] == 0
    assert str(stored.loc["INV-002", "settled_date"].date()) == "2024-02-20"
    assert stored.loc["INV-003", "open_amount"] == 3000.0  # partly paid
    assert sorted(ws.read("ar_receipts")["amount"]) == [250.5, 1000.0]
    # Applied lines are not offered again, and booking the same result twice changes nothing.
    again = reconcile_workspace(ws, since=None)
    assert again.matches == ()
    assert apply_matches(ws, result, user="ana") == 0
    assert len(ws.read("ar_receipts")) == 2
