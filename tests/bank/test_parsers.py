"""Bank-statement parsers on small statements written here, bad input, and round trips."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.bank import (
    Entry,
    ParsedFile,
    Statement,
    check_balances,
    detect_format,
    parse_statement_file,
    to_frames,
    to_json,
)
from tools.domain.schemas import TABLES
from tools.errors import DataError

NS = "urn:iso:std:iso:20022:tech:xsd:camt.{}"


def camt(body: str, *, message: str = "053.001.02", root: str = "BkToCstmrStmt") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="{NS.format(message)}"><{root}>'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T08:00:00</CreDtTm></GrpHdr>"
        f"{body}</{root}></Document>\n"
    ).encode()


def bal(code: str, amount: str, day: str = "2024-03-01", sign: str = "CRDT") -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy='EUR'>{amount}</Amt>"
        f"<CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


ACCT = "<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>"

# A .001.02 batch: one debit entry of 300.00 holding two payments with their own amounts,
# and a .001.02 batch whose transactions carry no amounts (stays one entry).
CAMT053_V02 = camt(
    f"<Stmt><Id>S1</Id><ElctrncSeqNb>7</ElctrncSeqNb>{ACCT}"
    + bal("OPBD", "1000.00")
    + bal("CLBD", "500.00")
    + bal("CLAV", "450.00")
    + "<Ntry><Amt Ccy='EUR'>300.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
    "<BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-02</Dt></ValDt>"
    "<AcctSvcrRef>BANK-1</AcctSvcrRef><NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>"
    "<TxDtls><Refs><EndToEndId>E2E-1</EndToEndId></Refs>"
    "<AmtDtls><TxAmt><Amt Ccy='EUR'>100.00</Amt></TxAmt></AmtDtls>"
    "<RltdPties><Cdtr><Nm>Supplier One</Nm></Cdtr>"
    "<CdtrAcct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id></CdtrAcct></RltdPties>"
    "<RmtInf><Ustrd>Invoice 17</Ustrd></RmtInf></TxDtls>"
    "<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
    "<AmtDtls><TxAmt><Amt Ccy='EUR'>200.00</Amt></TxAmt></AmtDtls>"
    "<RltdPties><Cdtr><Nm>Supplier Two</Nm></Cdtr></RltdPties>"
    "<RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>"
    "</TxDtls></NtryDtls></Ntry>"
    "<Ntry><Amt Ccy='EUR'>200.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>"
    "<BookgDt><Dt>2024-03-01</Dt></BookgDt><NtryDtls>"
    "<Btch><PmtInfId>PAYROLL-03</PmtInfId><NbOfTxs>2</NbOfTxs></Btch>"
    "<TxDtls><Refs><EndToEndId>A</EndToEndId></Refs></TxDtls>"
    "<TxDtls><Refs><EndToEndId>B</EndToEndId></Refs></TxDtls></NtryDtls>"
    "<AddtlNtryInf>Salaries March</AddtlNtryInf></Ntry></Stmt>"
)

# .001.08: parties under Pty, status as a code, amounts on each TxDtls.
CAMT053_V08 = camt(
    f"<Stmt><Id>S8</Id>{ACCT}"
    + bal("PRCD", "10.00", "2024-02-29")
    + bal("CLBD", "85.50")
    + "<Ntry><Amt Ccy='EUR'>75.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
    "<BookgDt><DtTm>2024-03-01T10:15:00+01:00</DtTm></BookgDt>"
    "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>"
    "</BkTxCd><NtryDtls>"
    "<TxDtls><Amt Ccy='EUR'>50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
    "<RltdPties><Dbtr><Pty><Nm>Customer  A</Nm></Pty></Dbtr>"
    "<DbtrAcct><Id><Othr><Id>12345678</Id></Othr></Id></DbtrAcct></RltdPties>"
    "<RmtInf><Ustrd>INV-1</Ustrd><Ustrd>INV-2</Ustrd></RmtInf></TxDtls>"
    "<TxDtls><Amt Ccy='EUR'>25.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
    "<RltdPties><Dbtr><Pty><Nm>Customer B</Nm></Pty></Dbtr></RltdPties></TxDtls>"
    "</NtryDtls></Ntry></Stmt>",
    message="053.001.08",
)

CAMT052_EMPTY = camt(
    f"<Rpt><Id>R1</Id>{ACCT}" + bal("ITBD", "42.00") + "</Rpt>",
    message="052.001.06",
    root="BkToCstmrAcctRpt",
)

CAMT054 = camt(
    f"<Ntfctn><Id>N1</Id>{ACCT}"
    "<Ntry><Amt Ccy='EUR'>5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
    "<BookgDt><Dt>2024-03-04</Dt></BookgDt><NtryDtls><TxDtls>"
    "<Refs><EndToEndId>E-54</EndToEndId></Refs>"
    "<RltdPties><Dbtr><Nm>Payer</Nm></Dbtr></RltdPties></TxDtls></NtryDtls></Ntry></Ntfctn>",
    message="054.001.04",
    root="BkToCstmrDbtCdtNtfctn",
)


def test_camt053_v02_splits_a_batch_with_amounts_and_keeps_one_without() -> None:
    parsed = parse_statement_file(CAMT053_V02, "march.xml")
    assert parsed.format == "camt.053.001.02"
    assert parsed.warnings == ()  # 1000 - 100 - 200 - 200 = 500
    (statement,) = parsed.statements
    assert (statement.account, statement.currency, statement.sequence) == (
        "DE89370400440532013000",
        "EUR",
        "7",
    )
    assert statement.available_balance == Decimal("450.00")
    one, two, payroll = statement.entries
    assert (one.amount, one.counterparty, one.reference, one.description) == (
        Decimal("-100.00"),
        "Supplier One",
        "E2E-1",
        "Invoice 17",
    )
    assert one.counterparty_account == "FR1420041010050500013M02606"
    assert (one.value_date, one.bank_reference) == (date(2024, 3, 2), "BANK-1")
    assert (two.amount, two.reference) == (Decimal("-200.00"), "RF18539007547034")
    assert (payroll.amount, payroll.reference, payroll.description) == (
        Decimal("-200.00"),
        "PAYROLL-03",
        "Salaries March",
    )
    assert one.line == two.line == 2  # the whole document is on line 2


def test_camt053_v08_reads_party_choice_and_datetime_dates() -> None:
    parsed = parse_statement_file(CAMT053_V08, "v08.xml")
    assert parsed.format == "camt.053.001.08"
    (statement,) = parsed.statements
    # PRCD, the previous day's closing balance, opens the next day
    assert (statement.opening_balance, statement.opening_date) == (
        Decimal("10.00"),
        date(2024, 3, 1),
    )
    first, second = statement.entries
    assert first.booking_date == date(2024, 3, 1)
    assert (first.counterparty, first.counterparty_account) == ("Customer A", "12345678")
    assert first.description == "INV-1 INV-2"
    assert first.code == "PMNT-RCDT-ESCT"
    assert second.amount == Decimal("25.50")
    assert check_balances(statement) == []


def test_camt052_without_entries_warns_no_entries() -> None:
    parsed = parse_statement_file(CAMT052_EMPTY, "intraday.xml")
    assert parsed.format == "camt.052.001.06"
    (statement,) = parsed.statements
    assert statement.kind == "intraday"
    assert statement.closing_balance == Decimal("42.00")  # interim booked balance
    assert any("no entries" in w and "intraday.xml" in w for w in parsed.warnings)


def test_camt054_notification_has_no_balances() -> None:
    parsed = parse_statement_file(CAMT054, "notify.xml")
    (statement,) = parsed.statements
    assert statement.kind == "notification"
    assert statement.opening_balance is None and statement.closing_balance is None
    (entry,) = statement.entries
    assert (entry.amount, entry.counterparty, entry.reference) == (Decimal("5.00"), "Payer", "E-54")
    assert parsed.warnings == ()


def test_zip_of_camt_files_reads_every_member() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/march.xml", CAMT053_V02)
        archive.writestr("b/v08.xml", CAMT053_V08)
        archive.writestr("__MACOSX/._march.xml", b"junk")
    data = buffer.getvalue()
    assert detect_format(data, "bank.zip") == "zip"
    parsed = parse_statement_file(data, "bank.zip")
    assert parsed.format == "zip"  # two camt versions inside
    assert [s.statement_id for s in parsed.statements] == ["S1", "S8"]


MT940_GENERIC = b"""{1:F01BANKDEFFAXXX0000000000}{2:O940BANKDEFFXXXXN}{4:
:20:STMT-1
:25:DE89370400440532013000
:28C:00012/001
:60F:C240229EUR1000,00
:61:2403010301D250,00NTRFINV-2024-17//BANKREF1
:86:Payment to supplier
second line
:61:2403010301C99,50NTRFNONREF
:86:Incoming
:62F:C240301EUR849,50
:64:C240301EUR800,00
-}
"""

MT940_ING = b""":940:
:20:P240301000000001
:25:NL77INGB0574908765EUR
:28C:0000
0
:60F:C240229EUR662,23
:61:2403010301C1,56NTRFEREF//00000000001
005
/TRCD/00100/
:86:/EREF/EV12341REP1231456T1234//CNTP/NL32INGB0000012345/INGBNL2
A/ING BANK NV INZAKE WEB///REMI/USTD//Invoice 4711/
:62F:C240301EUR663,79
"""

MT940_SPARKASSE = """:20:STARTUMSE
:25:10020030/1234567
:28C:5/1
:60F:C240229EUR2187,95
:61:2403010301DR800,NSTONONREF//55555
:86:008?00DAUERAUFTRAG?100599?20EREF+MIETE-2024-03?21SVWZ+Miete M
?22ärz?3010020030?31DE02100100100006820101?32MUELLER?33 IMMOBILIEN
:62F:C240301EUR1387,95
""".encode("latin-1")

MT942 = b""":20:INTRA-1
:25:DE89370400440532013000
:28C:12/1
:34F:EUR0,00
:13D:2403011015+0100
:61:2403010301C10,00NTRFNONREF
:86:Early receipt
:90C:1EUR10,00
"""


def test_mt940_generic_multi_line_details() -> None:
    parsed = parse_statement_file(MT940_GENERIC, "generic.sta")
    assert parsed.format == "mt940"
    assert parsed.warnings == ()
    (statement,) = parsed.statements
    assert (statement.statement_id, statement.sequence) == ("STMT-1", "00012/001")
    assert statement.available_balance == Decimal("800.00")
    paid, received = statement.entries
    assert (paid.amount, paid.reference, paid.bank_reference, paid.code) == (
        Decimal("-250.00"),
        "INV-2024-17",
        "BANKREF1",
        "NTRF",
    )
    assert paid.description == "Payment to supplier second line"
    assert (paid.booking_date, paid.line) == (date(2024, 3, 1), 6)
    assert (received.amount, received.reference) == (Decimal("99.50"), None)


def test_mt940_ing_structured_details_and_wrapped_fields() -> None:
    parsed = parse_statement_file(MT940_ING, "ing.940")
    (statement,) = parsed.statements
    assert (statement.account, statement.sequence) == ("NL77INGB0574908765", "00000")
    (entry,) = statement.entries
    assert entry.counterparty == "ING BANK NV INZAKE WEB"
    assert entry.counterparty_account == "NL32INGB0000012345"
    assert (entry.reference, entry.description) == ("EV12341REP1231456T1234", "Invoice 4711")
    assert entry.bank_reference == "00000000001005"
    assert check_balances(statement) == []
    assert any("built-in parser" in w for w in parsed.warnings)  # mt-940 fails on :28C:


def test_mt940_sparkassen_structured_details() -> None:
    parsed = parse_statement_file(MT940_SPARKASSE, "spk.sta")
    assert any("not valid UTF-8" in w and "row 7" in w for w in parsed.warnings)
    (entry,) = parsed.statements[0].entries
    assert entry.code == "008"  # GV code
    assert (entry.counterparty, entry.counterparty_account) == (
        "MUELLER IMMOBILIEN",
        "DE02100100100006820101",
    )
    assert (entry.reference, entry.description) == ("MIETE-2024-03", "Miete März")
    assert entry.amount == Decimal("-800.00")


@pytest.mark.parametrize(
    ("line61", "amount", "booked", "valued"),
    [
        ("2403010301C5,00NTRFNONREF", "5.00", date(2024, 3, 1), date(2024, 3, 1)),  # credit
        ("2403010301D5,NTRFNONREF", "-5", date(2024, 3, 1), date(2024, 3, 1)),  # no decimals
        ("2403010301RC5,00NRTINONREF", "-5.00", date(2024, 3, 1), date(2024, 3, 1)),  # reversal
        ("2403010301RD5,00NRTINONREF", "5.00", date(2024, 3, 1), date(2024, 3, 1)),  # of a debit
        ("240301CR5,00NTRFNONREF", "5.00", date(2024, 3, 1), date(2024, 3, 1)),  # funds code R
        ("2312310102C5,00NTRFNONREF", "5.00", date(2024, 1, 2), date(2023, 12, 31)),  # new year
        ("2402300301D5,00NTRFNONREF", "-5.00", date(2024, 3, 1), date(2024, 2, 29)),  # 30 Feb
    ],
)
def test_mt940_statement_line_variants(
    line61: str, amount: str, booked: date, valued: date
) -> None:
    text = f":20:X\n:25:DE89370400440532013000\n:60F:C240101EUR0,00\n:61:{line61}\n"
    (entry,) = parse_statement_file(text.encode(), "v.sta").statements[0].entries
    assert (entry.amount, entry.booking_date, entry.value_date) == (Decimal(amount), booked, valued)


def test_mt942_is_an_intraday_report() -> None:
    assert detect_format(MT942, "intra.sta") == "mt942"
    parsed = parse_statement_file(MT942, "intra.sta")
    assert parsed.format == "mt942"
    (statement,) = parsed.statements
    assert statement.kind == "intraday"
    assert statement.currency == "EUR"
    assert [e.amount for e in statement.entries] == [Decimal("10.00")]
    assert parsed.warnings == ()


BAI2 = b"""01,BANKUS33,CUST1,240301,0600,1,80,,2/
02,CUST1,BANKUS33,1,240229,2400,USD,2/
03,000123456,USD,010,100000,,,015,85000,,/
88,045,80000,,/
16,475,20000,0,BR1,CR1,CHECK PAID/
16,195,5000,V,240301,,BR2,CR2,WIRE FROM ACME CORP
88,INVOICE 17 AND 18
49,290000,4/
98,290000,1,6/
99,290000,1,8/
"""


def test_bai2_with_continuation_lines() -> None:
    parsed = parse_statement_file(BAI2, "bank.bai2")
    assert parsed.format == "bai2"
    assert parsed.warnings == ()  # 1000.00 - 200.00 + 50.00 = 850.00, control total agrees
    (statement,) = parsed.statements
    assert (statement.account, statement.currency) == ("000123456", "USD")
    assert statement.available_balance == Decimal("800.00")
    check, wire = statement.entries
    assert (check.amount, check.code, check.reference, check.bank_reference) == (
        Decimal("-200.00"),
        "475",
        "CR1",
        "BR1",
    )
    assert (wire.amount, wire.value_date, wire.line) == (Decimal("50.00"), date(2024, 3, 1), 6)
    assert wire.description == "WIRE FROM ACME CORP INVOICE 17 AND 18"
    assert check.booking_date == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        # XML cut off in the middle of an entry
        (CAMT053_V02[:700], "cut.xml", r"cut\.xml, row \d+: the XML ends before .* truncated"),
        # a closing tag that does not match
        (camt("<Stmt><Id>1</Stmt>"), "bad.xml", r"bad\.xml, row 2: not well-formed XML"),
        # Latin-1 bytes in a file that declares UTF-8
        (
            CAMT053_V02.replace(b"Supplier One", "Société".encode("latin-1")),
            "latin.xml",
            r"latin\.xml, row 2: the bytes are not valid UTF-8",
        ),
        # XML, but not a bank-to-customer message
        (b"<Document><CstmrCdtTrfInitn/></Document>", "pain.xml", r"pain\.xml: XML but not a camt"),
        # not a statement at all
        (b"%PDF-1.7 binary", "scan.pdf", r"scan\.pdf: not a bank statement this parser reads"),
        # nothing in it
        (b"", "empty.sta", r"empty\.sta: the file is empty"),
        (b"  \r\n", "blank.xml", r"blank\.xml: the file is empty"),
        # a tag MT940 does not have at the top
        (b":9401:\n:20:X\n", "wrong.940", r"wrong\.940, row 1: ':9401:' is not an MT940"),
        # MT940 statement without account
        (b":20:X\n:60F:C240101EUR1,00\n", "noacct.sta", r"noacct\.sta, row 1: .*no :25:"),
        # a :61: whose amount is missing
        (b":20:X\n:25:A\n:60F:C240101EUR1,00\n:61:2401010101DNTRF\n", "l.sta", r"l\.sta, row 4"),
        # BAI2 cut before its trailer
        (BAI2.rsplit(b"98,", 1)[0], "cut.bai2", r"cut\.bai2: the file ends without its 99"),
        # a camt amount that is not a number
        (CAMT054.replace(b">5.00<", b">5,00<"), "amt.xml", r"amt\.xml, row 2, column 'Amt'"),
        # CSV goes through the column-mapped import
        (b"date,amount\n2024-01-01,5\n", "bank.csv", r"bank\.csv: CSV bank exports are read by"),
    ],
)
def test_bad_input_gives_one_line_reason_naming_the_file(
    data: bytes, name: str, reason: str
) -> None:
    with pytest.raises(DataError, match=reason) as caught:
        parse_statement_file(data, name)
    assert "\n" not in str(caught.value)


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE Document [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'.encode()
    data = CAMT054.replace(b"<Nm>Payer</Nm>", b"<Nm>&x;</Nm>").replace(b"\n", b"\n" + doctype, 1)
    parsed = parse_statement_file(data, "xxe.xml")
    assert "TOP-SECRET" not in json.dumps(to_json(parsed))


def test_unknown_format_option_is_refused() -> None:
    with pytest.raises(DataError, match=r"x\.sta: unknown format 'ofx2'"):
        parse_statement_file(MT940_GENERIC, "x.sta", format="ofx2")


def test_balance_mismatch_is_a_warning() -> None:
    parsed = parse_statement_file(MT940_GENERIC.replace(b"849,50", b"850,50"), "off.sta")
    (warning,) = parsed.warnings
    assert "off.sta, row 2" in warning
    assert "off by 1.00 EUR" in warning
    (text,) = check_balances(parsed.statements[0])
    assert "closing balance is 850.50" in text


def test_frames_have_the_canonical_columns_and_stable_ids() -> None:
    parsed = parse_statement_file(CAMT053_V02, "march.xml")
    txns, balances = to_frames(parsed, file="march.xml")
    assert list(txns.columns) == TABLES["bank_transactions"].names
    assert list(balances.columns) == TABLES["bank_balances"].names
    assert txns["amount"].tolist() == [-100.0, -200.0, -200.0]
    assert txns["txn_id"].is_unique
    assert set(balances["balance_type"]) == {"opening", "closing", "available"}
    # the same lines in a later statement that overlaps this one keep their ids
    again, _ = to_frames(parse_statement_file(CAMT053_V02, "copy.xml"), file="copy.xml")
    assert again["txn_id"].tolist() == txns["txn_id"].tolist()


def test_identical_lines_on_one_day_get_distinct_ids() -> None:
    line = Entry(booking_date=date(2024, 3, 1), amount=Decimal("-5"), currency="EUR")
    statement = Statement(account="A", currency="EUR", entries=(line, line))
    txns, _ = to_frames(ParsedFile(format="mt940", statements=(statement,)), file="g.sta")
    assert txns["txn_id"].nunique() == 2


def test_json_contract() -> None:
    out = to_json(parse_statement_file(MT940_GENERIC, "generic.sta"))
    json.dumps(out)  # plain JSON
    assert set(out) == {"format", "statements"}
    (statement,) = out["statements"]
    assert set(statement) == {
        "account",
        "currency",
        "opening_balance",
        "closing_balance",
        "entries",
    }
    assert statement["opening_balance"] == 1000.0
    assert statement["entries"][0] == {
        "booking_date": "2024-03-01",
        "value_date": "2024-03-01",
        "amount": -250.0,
        "currency": "EUR",
        "counterparty": None,
        "reference": "INV-2024-17",
        "description": "Payment to supplier second line",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (CAMT053_V02, "camt.053.001.02"),  # versioned namespace
        (
            CAMT053_V02.replace(b' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"', b""),
            "camt.053",
        ),
        (MT940_GENERIC, "mt940"),  # SWIFT envelope
        (MT940_ING, "mt940"),  # Rabobank/ING ":940:" header
        (BAI2, "bai2"),
        (b"<OFX><BANKMSGSRSV1/></OFX>", "ofx"),
        (b"\n\n", "empty"),
    ],
)
def test_detect_format(data: bytes, expected: str) -> None:
    assert detect_format(data, "file") == expected


def indicator(amount: Decimal) -> str:
    return "CRDT" if amount >= 0 else "DBIT"


def render_camt053(opening: Decimal, amounts: list[Decimal], start: date) -> bytes:
    """A camt.053 with one entry per amount, each on its own day."""
    closing = opening + sum(amounts, Decimal(0))
    entries = "".join(
        f"<Ntry><Amt Ccy='EUR'>{abs(a)}</Amt><CdtDbtInd>{indicator(a)}"
        f"</CdtDbtInd><BookgDt><Dt>{start + timedelta(days=i)}</Dt></BookgDt>"
        f"<NtryDtls><TxDtls><RmtInf><Ustrd>line {i}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>"
        for i, a in enumerate(amounts)
    )
    return camt(
        f"<Stmt><Id>H</Id>{ACCT}"
        + bal("OPBD", str(abs(opening)), str(start), indicator(opening))
        + bal("CLBD", str(abs(closing)), str(start), indicator(closing))
        + entries
        + "</Stmt>"
    )


money = st.decimals(min_value=-(10**7), max_value=10**7, places=2, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(money, st.lists(money, max_size=25), st.dates())
def test_camt053_round_trip_keeps_amounts_and_balances(
    opening: Decimal, amounts: list[Decimal], start: date
) -> None:
    start = min(start, date(9999, 1, 1))
    parsed = parse_statement_file(render_camt053(opening, amounts, start), "gen.xml")
    (statement,) = parsed.statements
    assert [e.amount for e in statement.entries] == amounts
    assert statement.opening_balance == opening
    assert (
        statement.opening_balance + sum((e.amount for e in statement.entries), Decimal(0))
        == statement.closing_balance
    )
    assert check_balances(statement) == []
