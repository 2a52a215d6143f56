"""Conformance: the IBM accounts-receivable sample export imports as AR invoices."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import SHARED_DATA
from tools.workspace import Workspace, import_files

IBM = SHARED_DATA / "ibm_accounts_receivable" / "WA_Fn-UseC_-Accounts-Receivable.csv"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not IBM.exists(), reason="../shared/data is not present"),
]


def test_ibm_export_imports_with_its_preset(ws: Workspace) -> None:
    report = import_files(ws, [IBM])
    assert report.status == "imported", report.problems[:3]
    assert report.files[0].mapping == "ibm-ar"
    assert report.files[0].inserted == 2466
    stored = ws.read("ar_invoices")
    source = pd.read_csv(IBM, dtype={"invoiceNumber": str})
    assert len(stored) == 2466
    assert stored["invoice_id"].str.len().eq(10).all()  # leading zeros kept
    assert set(stored["invoice_id"]) == set(source["invoiceNumber"])
    assert stored["customer_id"].nunique() == 100 == len(ws.read("customers"))
    assert int(stored["disputed"].sum()) == int((source["Disputed"] == "Yes").sum()) == 561
    assert ((stored["due_date"] - stored["issue_date"]).dt.days == 30).all()
    days_late = (stored["settled_date"] - stored["due_date"]).dt.days.clip(lower=0)
    merged = stored.assign(days_late=days_late).merge(
        source, left_on="invoice_id", right_on="invoiceNumber"
    )
    assert (merged["days_late"] == merged["DaysLate"]).all()
    assert stored["amount"].sum() == pytest.approx(source["InvoiceAmount"].sum(), abs=0.01)
    assert (stored["open_amount"] == 0).all()  # every invoice in the sample is settled
    customers = ws.read("customers")
    assert (customers["payment_terms_days"] == 30).all()  # read off the documents


def test_ibm_export_reimport_is_a_no_op(ws: Workspace) -> None:
    import_files(ws, [IBM])
    again = import_files(ws, [IBM])
    assert (again.files[0].inserted, again.files[0].unchanged) == (0, 2466)
