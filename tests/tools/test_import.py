"""Importing exports: good files land whole, bad input is refused with exact locations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import AR_HEADER, AR_ROWS
from tools.data.mapping import ColumnMapping
from tools.workspace import Workspace, import_files


def ar_csv(rows: list[str] = AR_ROWS, header: str = AR_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def problems_of(report) -> list[tuple[int | None, str | None, str]]:
    return [(p["row"], p["column"], p["message"]) for p in report.problems]


def test_good_file_imports_with_derived_open_amounts(ws: Workspace, write) -> None:
    report = import_files(ws, [write("ar_invoices.csv", ar_csv())])
    assert report.status == "imported"
    assert report.files[0].inserted == 3
    stored = ws.read("ar_invoices").set_index("invoice_id")
    assert stored.loc["INV-001", "open_amount"] == 0  # settled
    assert stored.loc["INV-002", "open_amount"] == pytest.approx(250.50)
    assert stored["issue_date"].dtype.kind == "M"
    assert report.created["customers"] == ["C1", "C2"]
    assert report.created["entities"] == ["US01"]


def test_reimport_is_a_no_op_and_changes_are_updates(ws: Workspace, write) -> None:
    path = write("ar_invoices.csv", ar_csv())
    import_files(ws, [path])
    again = import_files(ws, [path])
    assert (again.files[0].inserted, again.files[0].updated, again.files[0].unchanged) == (0, 0, 3)
    paid = write("ar_invoices.csv", ar_csv([*AR_ROWS[:2], AR_ROWS[2] + "2024-03-01"]))
    third = import_files(ws, [paid])
    assert (third.files[0].inserted, third.files[0].updated) == (0, 1)
    assert ws.read("ar_invoices").set_index("invoice_id").loc["INV-003", "open_amount"] == 0


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # unparseable date: names row 3 (header is row 1) and the column
        (
            [AR_ROWS[0], "INV-002,C1,US01,2024-13-45,2024-02-19,250.50,USD,"],
            (3, "issue_date", "not a date"),
        ),
        # a NaN amount
        (
            [AR_ROWS[0], "INV-002,C1,US01,2024-01-20,2024-02-19,NaN,USD,"],
            (3, "amount", "not a number"),
        ),
        # a negative amount on an invoice
        (
            [AR_ROWS[0], "INV-002,C1,US01,2024-01-20,2024-02-19,-5.00,USD,"],
            (3, "amount", "negative amount on an invoice"),
        ),
        # an unknown currency code
        (
            [AR_ROWS[0], "INV-002,C1,US01,2024-01-20,2024-02-19,5.00,XYZ,"],
            (3, "currency", "unknown currency code"),
        ),
        # due date before the invoice date
        (
            [AR_ROWS[0], "INV-002,C1,US01,2024-01-20,2024-01-10,5.00,USD,"],
            (3, "issue_date", "due date is before the invoice date"),
        ),
        # a duplicate invoice id, reported on the second occurrence
        (
            [AR_ROWS[0], AR_ROWS[1], "INV-001,C2,US01,2024-01-20,2024-02-19,5.00,USD,"],
            (4, "invoice_id", "duplicate invoice_id (first on row 2)"),
        ),
        # a required value left empty
        (
            [AR_ROWS[0], ",C1,US01,2024-01-20,2024-02-19,5.00,USD,"],
            (3, "invoice_id", "value is missing"),
        ),
    ],
)
def test_bad_values_are_refused_with_row_and_column(ws: Workspace, write, rows, expected) -> None:
    report = import_files(ws, [write("ar_invoices.csv", ar_csv(rows))])
    assert report.status == "failed"
    assert expected in problems_of(report)
    assert report.problems[0]["file"].endswith("ar_invoices.csv")
    assert ws.counts()["ar_invoices"] == 0


def test_missing_required_column_says_how_to_fix(ws: Workspace, write) -> None:
    header = "invoice_id,customer_id,entity_id,issue_date,amount,currency"
    rows = ["INV-1,C1,US01,2024-01-05,10.00,USD"]
    report = import_files(ws, [write("ar_invoices.csv", ar_csv(rows, header))])
    assert report.status == "failed"
    problem = report.problems[0]
    assert (problem["column"], problem["message"]) == ("due_date", "required column is missing")
    assert "mapping" in problem["expected"]


def test_a_bad_file_fails_the_whole_batch(ws: Workspace, write) -> None:
    good = write("customers.csv", "customer_id,name,entity_id\nC9,Nine Ltd,US01\n")
    bad = write("ar_invoices.csv", ar_csv([AR_ROWS[0], "INV-2,C9,US01,bad,2024-01-01,1,USD,"]))
    report = import_files(ws, [good, bad])
    assert report.status == "failed"
    assert all(n == 0 for n in ws.counts().values())


def test_skip_invalid_stores_the_good_rows_and_lists_the_rest(ws: Workspace, write) -> None:
    path = write("ar_invoices.csv", ar_csv([*AR_ROWS, "INV-004,C2,US01,2024-02-01,x,1,USD,"]))
    report = import_files(ws, [path], skip_invalid=True)
    assert report.status == "imported"
    assert report.files[0].invalid_rows_skipped == 1
    assert problems_of(report) == [(5, "due_date", "not a date")]
    assert ws.counts()["ar_invoices"] == 3


def test_dry_run_stores_nothing(ws: Workspace, write) -> None:
    report = import_files(ws, [write("ar_invoices.csv", ar_csv())], dry_run=True)
    assert report.status == "validated"
    assert report.files[0].inserted == 3
    assert ws.counts()["ar_invoices"] == 0


def test_utf8_bom_header_is_read(ws: Workspace, write) -> None:
    path = write("ar_invoices.csv", "\ufeff" + ar_csv())
    report = import_files(ws, [path])
    assert report.status == "imported"
    assert report.files[0].encoding == "utf-8-sig"


def test_latin1_export_keeps_accents(ws: Workspace, write) -> None:
    text = "customer_id;name;entity_id\nC1;Société Générale d'Équipement;DE01\n"
    report = import_files(
        ws, [write("customers.csv", text, encoding="latin-1")], defaults={"currency": "EUR"}
    )
    assert report.status == "imported"
    assert ws.read("customers")["name"].iloc[0] == "Société Générale d'Équipement"


def test_semicolon_decimal_comma_day_first_export(ws: Workspace, write) -> None:
    text = (
        "Rechnungsnummer;Kunde;Belegdatum;Fällig;Betrag;Währung\n"
        "R-1;K1;31.01.2024;01.03.2024;1.234,56;EUR\n"
        "R-2;K2;15.02.2024;16.03.2024;(99,90);EUR\n"
    )
    mapping = ColumnMapping(
        table="ar_invoices",
        columns={
            "invoice_id": "Rechnungsnummer",
            "customer_id": "Kunde",
            "issue_date": "Belegdatum",
            "due_date": "Fällig",
            "amount": "Betrag",
            "currency": "Währung",
        },
        defaults={"entity_id": "DE01", "doc_type": "invoice"},
    )
    path = write("export.csv", text, encoding="cp1252")
    report = import_files(ws, [path], mapping=mapping)
    # (99,90) is a negative amount on an invoice: refused, and named.
    assert problems_of(report) == [(3, "Betrag", "negative amount on an invoice")]
    fixed = write("export.csv", text.replace("(99,90)", "99,90"), encoding="cp1252")
    report = import_files(ws, [fixed], mapping=mapping)
    assert report.status == "imported", report.problems
    stored = ws.read("ar_invoices").set_index("invoice_id")
    assert stored.loc["R-1", "amount"] == pytest.approx(1234.56)
    assert stored.loc["R-1", "issue_date"] == pd.Timestamp("2024-01-31")


def test_excel_export(ws: Workspace, tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Invoice Number": ["0001", "0002"],
            "Customer": ["C1", "C2"],
            "Invoice Date": pd.to_datetime(["2024-01-05", "2024-01-06"]),
            "Due Date": pd.to_datetime(["2024-02-04", "2024-01-01"]),
            "Invoice Amount": [10.5, 20.0],
            "Currency": ["USD", "USD"],
        }
    )
    path = tmp_path / "invoices.xlsx"
    frame.to_excel(path, index=False)
    report = import_files(ws, [path], defaults={"entity_id": "US01"})
    # Excel row 3 holds the second invoice, whose due date precedes its invoice date.
    assert problems_of(report) == [(3, "Invoice Date", "due date is before the invoice date")]
    frame.loc[1, "Due Date"] = pd.Timestamp("2024-02-05")
    frame.to_excel(path, index=False)
    report = import_files(ws, [path], defaults={"entity_id": "US01"})
    assert report.status == "imported"
    assert sorted(ws.read("ar_invoices")["invoice_id"]) == ["0001", "0002"]


def test_credit_notes_are_stored_negative(ws: Workspace, write) -> None:
    text = (
        ar_csv([AR_ROWS[0], "CN-1,C1,US01,2024-02-01,2024-02-01,100.00,USD,"], AR_HEADER)
        .replace("settled_date", "settled_date")
        .splitlines()
    )
    text[0] += ",doc_type"
    text[1] += ",invoice"
    text[2] += ",credit_note"
    import_files(ws, [write("ar_invoices.csv", "\n".join(text) + "\n")])
    stored = ws.read("ar_invoices").set_index("invoice_id")
    assert stored.loc["CN-1", "amount"] == -100.0
    assert stored.loc["CN-1", "open_amount"] == -100.0


def test_unknown_file_kind_asks_for_table(ws: Workspace, write) -> None:
    report = import_files(ws, [write("stuff.csv", "a,b\n1,2\n")])
    assert report.status == "failed"
    assert "--table" in report.problems[0]["expected"]


def test_unknown_bank_account_is_a_problem(ws: Workspace, write) -> None:
    text = "account_id,booking_date,amount,currency\nNL01BANK,2024-01-02,10.00,EUR\n"
    report = import_files(ws, [write("bank_transactions.csv", text)])
    assert problems_of(report) == [(2, "account_id", "unknown bank_account")]


def test_policy_file_is_validated_and_stored(ws: Workspace, write) -> None:
    bad = write("policy.yaml", "minimum_cash: {group: -5}\n")
    report = import_files(ws, [bad])
    assert report.status == "failed"
    assert report.problems[0]["column"] == "minimum_cash.group"
    good = write("policy.yaml", "reporting_currency: EUR\nminimum_cash: {group: 5000}\n")
    assert import_files(ws, [good]).status == "imported"
    assert ws.policy().minimum_cash.group == 5000


def test_large_batch_round_trips_exactly(ws: Workspace, write) -> None:
    # 1,007 rows: several multi-row statements plus a remainder of single-row ones.
    rows = [
        f"INV-{i:05d},C{i % 13},US01,2024-01-{1 + i % 28:02d},2024-03-01,{i * 1.01:.2f},USD,"
        + ("2024-02-15" if i % 3 == 0 else "")
        for i in range(1007)
    ]
    report = import_files(ws, [write("ar_invoices.csv", ar_csv(rows))])
    assert report.files[0].inserted == 1007
    stored = ws.read("ar_invoices").sort_values("invoice_id").reset_index(drop=True)
    assert stored["invoice_id"].tolist() == [f"INV-{i:05d}" for i in range(1007)]
    assert stored["amount"].tolist() == pytest.approx([round(i * 1.01, 2) for i in range(1007)])
    assert stored["settled_date"].notna().tolist() == [i % 3 == 0 for i in range(1007)]
    assert stored["issue_date"].dt.day.tolist() == [1 + i % 28 for i in range(1007)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # a row with more fields than the header
        (ar_csv([AR_ROWS[0], AR_ROWS[1] + ",extra,fields"]), "Expected 8 fields in line 3"),
        # an empty file
        ("", "file is empty"),
    ],
)
def test_unreadable_files_are_named(ws: Workspace, write, text: str, message: str) -> None:
    report = import_files(ws, [write("ar_invoices.csv", text)])
    assert report.status == "failed"
    assert message in report.problems[0]["message"]
    assert report.problems[0]["file"].endswith("ar_invoices.csv")


def test_blank_lines_keep_row_numbers_true(ws: Workspace, write) -> None:
    text = ar_csv([AR_ROWS[0], "", AR_ROWS[1], "INV-9,C1,US01,2024-01-05,nope,1.00,USD,"])
    report = import_files(ws, [write("ar_invoices.csv", text)])
    assert problems_of(report) == [(5, "due_date", "not a date")]
