"""Every real statement fixture in ../shared/data parsed and compared with its golden.

MT940/MT942: the ``mt-940`` library's own test files with its expected results (``.yml``);
camt: the OCA bank-statement-import test files with Odoo's expected results (``.pydata``);
OCA's Dutch MT940 dialects and the ``bai2`` library's BAI2 files, checked against facts
read off the files by hand. Each file is its own test case.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from tools.bank import ParsedFile, check_balances, parse_statement_file
from tools.bank.mt940 import parse_mt940
from tools.bank.mt940_fields import read_balance, read_line61
from tools.bank.mt940_library import LibraryFailure
from tools.bank.mt940_tokens import tokenize
from tools.errors import DataError

# tests/bank/<this file> -> the project root is parents[2], its sibling ../shared/data
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
MT940_DIR = SHARED / "mt940_fixtures"
OCA_DIR = SHARED / "oca_bank_statement_fixtures"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not available"),
]


def _files(folder: Path, *patterns: str) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted({p for pattern in patterns for p in folder.rglob(pattern)})


def _ids(paths: list[Path], root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in paths]


MT940_FILES = _files(MT940_DIR, "*.sta", "*.940.txt")
OCA_MT940_FILES = _files(OCA_DIR / "mt940", "*")
CAMT_FILES = _files(OCA_DIR / "camt", "*.xml", "*.zip")
BAI2_FILES = _files(SHARED / "bai2_fixtures", "*.bai2")

# Files that are tag snippets (one tag each, for the library's unit tests), not
# statements: no :25: says whose account it is, so the import refuses them. Their tags
# are still compared with the golden one by one.
SNIPPETS = {
    "betterplace/amount_formats.sta": "six :60F: lines",
    "betterplace/empty_86.sta": "a lone :86:",
    "betterplace/empty_entry_date.sta": "a lone :61:",
    "betterplace/empty_line.sta": "a lone :20:",
    "betterplace/missing_crlf_at_end.sta": "a lone :62F:",
    "cmxl/account_balance_credit.sta": "a lone :60F:",
    "cmxl/account_balance_debit.sta": "a lone :60F:",
    "cmxl/account_identification_iban.sta": "a lone :25: without currency",
    "cmxl/available_balance.sta": "a lone :64:",
    "cmxl/closing_balance.sta": "a lone :62F:",
    "cmxl/reference.sta": "a lone :20:",
    "cmxl/statement_details.sta": "a :61: and its :86:",
    "cmxl/statement_line.sta": "a lone :61:",
    "cmxl/statement_number.sta": "a lone :28C:",
    "self-provided/empty_non_swift.sta": "a lone :NS:",
    "self-provided/sparkassen.sta": "a :61: and :86:, both wrapped",
    "self-provided/invalid_statement.sta": "numbers 1 to 10, no tags at all",
}
# Fixtures whose own numbers do not add up (opening + lines != closing); the parser must
# say so. For single-statement files the golden confirms it (see the test).
UNBALANCED = {
    "betterplace/sepa_snippet.sta": "2nd statement off by 300.08",
    "betterplace/sepa_snippet_broken.sta": "closing 1125250.40 after one 50990.05 line",
    "jejik/abnamro.sta": "both statements off",
    "jejik/ing.sta": "0.00 - 45.59 stated as 3.47",
    "jejik/knab.sta": "2nd statement off by 4500",
    "jejik/postfinance.sta": "2nd statement off by 0.20",
    "jejik/rabobank.sta": "two of four statements off",
    "jejik/triodos.sta": "off by 111.40",
    "mBank/with_newline_in_tnr.sta": "0.46 + 89.00 stated as 860.17",
    "self-provided/details_60-63.sta": "12345.12 - 233.15 stated as 12345.98",
    "self-provided/malformed_details.sta": "same numbers as details_60-63",
    "self-provided/overly_long_details.sta": "same numbers as details_60-63",
    "self-provided/whitespace.sta": "same numbers as details_60-63",
    "self-provided/raiffeisen-cmi.sta": "off by 1123264.00 HUF",
}
# Where the golden itself is wrong.
GOLDEN_WRONG = {
    # ":62F:C02032495000,00" has no currency; the library takes "950" as currency and
    # 00,00 as amount. We read 95000.00, and opening + lines = closing confirms it.
    "self-provided/raphaelm.sta": "balances without currency",
}


def _golden(path: Path) -> Any:
    pytest.importorskip("mt940")  # the .yml files are pickled mt940 objects
    return yaml.unsafe_load(path.with_suffix(".yml").read_text())


def _golden_amount(txn: Any) -> Decimal:
    """The library's default signs a reversal of a credit (RC) positive; it is money out."""
    amount = txn.data["amount"].amount
    return -amount if str(txn.data.get("status", "")).upper() == "RC" else amount


def _day(value: Any) -> tuple[int, int, int] | None:
    return None if value is None else (value.year, value.month, value.day)


def _balance_warnings(parsed: ParsedFile) -> list[str]:
    return [w for s in parsed.statements for w in check_balances(s)]


@pytest.mark.parametrize("path", MT940_FILES, ids=_ids(MT940_FILES, MT940_DIR))
def test_mt940_fixture_matches_golden(path: Path) -> None:
    rel = str(path.relative_to(MT940_DIR))
    data = path.read_bytes()
    if rel in SNIPPETS:
        with pytest.raises(DataError, match=r"no :25: account|no currency|not a bank statement"):
            parse_statement_file(data, path.name)
        _check_snippet_tags(path)
        return
    parsed = parse_statement_file(data, path.name)
    assert parsed.format in ("mt940", "mt942")
    assert parsed.statements
    unbalanced = _balance_warnings(parsed)
    assert bool(unbalanced) == (rel in UNBALANCED), unbalanced
    if not path.with_suffix(".yml").exists():  # ASNB: no golden; the balances agree
        assert sum(len(s.entries) for s in parsed.statements) == 8
        return
    golden = _golden(path)
    ours = [e for s in parsed.statements for e in s.entries]
    assert [e.amount for e in ours] == [_golden_amount(t) for t in golden.transactions]
    assert [_day(e.value_date) for e in ours] == [_day(t.data["date"]) for t in golden.transactions]
    for entry, txn in zip(ours, golden.transactions, strict=True):
        if txn.data.get("entry_date") is not None:
            assert _day(entry.booking_date) == _day(txn.data["entry_date"])
    if rel in GOLDEN_WRONG:
        return
    openings = {(s.opening_balance, _day(s.opening_date)) for s in parsed.statements}
    closings = {(s.closing_balance, _day(s.closing_date)) for s in parsed.statements}
    for key, balance in golden.data.items():
        if key.endswith(("opening_balance", "closing_balance")):
            stated = (balance.amount.amount, _day(balance.date))
            assert stated in (openings if "opening" in key else closings), key
        elif key == "available_balance":
            assert balance.amount.amount in {s.available_balance for s in parsed.statements}
    if rel in UNBALANCED and len(parsed.statements) == 1:
        opening = golden.data["final_opening_balance"].amount.amount
        closing = golden.data["final_closing_balance"].amount.amount
        assert opening + sum(_golden_amount(t) for t in golden.transactions) != closing


def _check_snippet_tags(path: Path) -> None:
    """The refused snippets' balance and :61: tags still read as the golden says."""
    try:
        blocks = tokenize(path.read_text(encoding="utf-8", errors="replace"), path.name)
    except DataError:
        return  # invalid_statement.sta: nothing to read
    golden = _golden(path)
    tags = [tag for block in blocks for tag in block.tags]
    lines = [read_line61(t, path.name) for t in tags if t.name == "61"]
    assert [x.amount for x in lines] == [_golden_amount(t) for t in golden.transactions]
    slugs = {
        "60F": "final_opening_balance",
        "62F": "final_closing_balance",
        "64": "available_balance",
    }
    balances = {slugs[t.name]: read_balance(t, path.name) for t in tags if t.name in slugs}
    for slug, balance in balances.items():  # the last of each tag counts, as in the golden
        assert balance.amount == golden.data[slug].amount.amount
        assert _day(balance.date) == _day(golden.data[slug].date)


MT940_ALL = MT940_FILES + OCA_MT940_FILES
# Files the mt-940 library cannot read (the built-in reader takes over), besides the
# snippets, which have no :20: to start a statement.
LIBRARY_GAPS = {
    "mt940_fixtures/ASNB/0708271685_09022020_164516.940.txt": "18-character IBAN in :61:",
    "oca_bank_statement_fixtures/mt940/mt940_base__test-sns.940": "the same, SNS",
    "oca_bank_statement_fixtures/mt940/mt940_base__test-ing.940": ":28C:0000 wrapped as 0",
    "oca_bank_statement_fixtures/mt940/mt940_nl_ing__test-ing.940": "the same",
    "oca_bank_statement_fixtures/mt940/mt940_nl_ing__test-ing-old.940": "the same",
    "mt940_fixtures/self-provided/raphaelm.sta": "balances without currency",
    "mt940_fixtures/betterplace/currency_in_25.sta": "a lone :25:, no :20: to start with",
    "mt940_fixtures/cmxl/account_identification_legacy.sta": "the same",
    "oca_bank_statement_fixtures/mt940/mt940_base__test-wrong-file.940": "not MT940 at all",
}


@pytest.mark.parametrize("path", MT940_ALL, ids=_ids(MT940_ALL, SHARED))
def test_mt940_library_and_builtin_reader_agree(path: Path) -> None:
    """Where the mt-940 library reads a file, our reader gives the same statements; it
    fails only where we know it does."""
    rel = str(path.relative_to(SHARED))
    data = path.read_bytes()
    try:
        by_library = parse_mt940(data, path.name, engine="library")
    except (LibraryFailure, DataError):
        assert rel in LIBRARY_GAPS or rel.removeprefix("mt940_fixtures/") in SNIPPETS
        return
    assert rel not in LIBRARY_GAPS
    assert parse_mt940(data, path.name, engine="builtin").statements == by_library.statements


# OCA's Dutch dialects: statements, lines, first opening, last closing (by hand).
OCA_MT940 = {
    "mt940_base__test-ing.940": (1, 8, "NL77INGB0574908765", "662.23", "564.35"),
    "mt940_nl_ing__test-ing.940": (1, 8, "NL77INGB0574908765", "662.23", "564.35"),
    "mt940_nl_ing__test-ing-old.940": (1, 8, "NL77INGB0574908765", "662.23", "564.35"),
    "mt940_base__test-rabo.swi": (4, 2, "NL34RABO0142623393", "4433.52", "4798.91"),
    "mt940_nl_rabo__test-rabo.swi": (4, 2, "NL34RABO0142623393", "4433.52", "4798.91"),
    # the file stops before the third statement's :62F:
    "mt940_base__test-sns.940": (3, 8, "NL05SNSB0908244436", "3026.96", None),
}


@pytest.mark.parametrize("path", OCA_MT940_FILES, ids=_ids(OCA_MT940_FILES, OCA_DIR))
def test_oca_mt940_dialects(path: Path) -> None:
    if path.name == "mt940_base__test-wrong-file.940":
        with pytest.raises(DataError, match=r"row 1: ':9401:' is not an MT940/MT942 tag"):
            parse_statement_file(path.read_bytes(), path.name)
        return
    statements, lines, account, opening, closing = OCA_MT940[path.name]
    parsed = parse_statement_file(path.read_bytes(), path.name)
    assert len(parsed.statements) == statements
    assert sum(len(s.entries) for s in parsed.statements) == lines
    assert {s.account for s in parsed.statements} == {account}
    assert parsed.statements[0].opening_balance == Decimal(opening)
    last = parsed.statements[-1].closing_balance
    assert last == (Decimal(closing) if closing else None)
    assert _balance_warnings(parsed) == []
    assert all(e.description or e.counterparty for s in parsed.statements for e in s.entries)


def _camt_golden(path: Path) -> Any:
    name = path.stem.replace("test-", "golden-") + ".pydata"
    return ast.literal_eval((path.parent / name).read_text())


@pytest.mark.parametrize("path", CAMT_FILES, ids=_ids(CAMT_FILES, OCA_DIR))
def test_camt_fixture_matches_golden(path: Path) -> None:
    parsed = parse_statement_file(path.read_bytes(), path.name)
    if path.suffix == ".zip":  # two copies of test-camt053 for other days, no golden
        assert parsed.format == "camt.053.001.02"
        assert [len(s.entries) for s in parsed.statements] == [3, 3]
        assert len(_balance_warnings(parsed)) == 2  # their lines do not add up either
        return
    currency, account, golden = _camt_golden(path)
    if not golden:  # Odoo skips a statement without entries; we keep it and warn
        assert [len(s.entries) for s in parsed.statements] == [0]
        assert any("no entries" in w for w in parsed.warnings)
        return
    assert [(s.account, s.currency) for s in parsed.statements] == [(account, currency)]
    statement, expected = parsed.statements[0], golden[0]
    assert statement.statement_id == expected["name"]
    if statement.kind == "notification":  # camt.054 states no balances; Odoo shows 0.0
        assert statement.opening_balance is statement.closing_balance is None
    else:
        assert float(statement.opening_balance or 0) == expected["balance_start"]
        assert float(statement.closing_balance or 0) == expected["balance_end_real"]
    rows = [
        (float(e.amount), e.booking_date.isoformat(), e.counterparty, e.counterparty_account)
        for e in statement.entries
    ]
    assert rows == [
        (t["amount"], t["date"], t["partner_name"], t["account_number"])
        for t in expected["transactions"]
    ]
    assert [e.reference for e in statement.entries] == [t["ref"] for t in expected["transactions"]]
    golden_sum = sum(t["amount"] for t in expected["transactions"])
    balanced = round(expected["balance_start"] + golden_sum - expected["balance_end_real"], 2) == 0
    # test-camt053.xml's own numbers do not add up; camt.054 has no balances to check
    assert bool(_balance_warnings(parsed)) == (not balanced and statement.kind == "statement")


# Statements, lines, (opening, closing) of the first statement, balance warnings.
BAI2 = {
    "account_trailer_amount_blank_example.bai2": (2, 0, (None, None), 0),
    # 010 and 015 are both 100.00 although a 0.01 credit is reported: the file is off
    "citi_example.bai2": (1, 1, ("100.00", "100.00"), 1),
    "nwb_example.bai2": (1, 5, ("365.21", "338.45"), 0),
    "svb_us_example.bai2": (2, 2, ("347269.79", "352171.75"), 0),
}


@pytest.mark.parametrize("path", BAI2_FILES, ids=_ids(BAI2_FILES, SHARED))
def test_bai2_fixture(path: Path) -> None:
    statements, lines, (opening, closing), off = BAI2[path.name]
    parsed = parse_statement_file(path.read_bytes(), path.name)
    assert parsed.format == "bai2"
    assert len(parsed.statements) == statements
    assert sum(len(s.entries) for s in parsed.statements) == lines
    first = parsed.statements[0]
    assert first.opening_balance == (Decimal(opening) if opening else None)
    assert first.closing_balance == (Decimal(closing) if closing else None)
    assert len(_balance_warnings(parsed)) == off
    assert not any("control total" in w for w in parsed.warnings)
