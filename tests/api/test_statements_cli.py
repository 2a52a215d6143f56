"""Bank statements through the command line: parse, import, re-import, overlap."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-05T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>{sid}</Id><CreDtTm>2024-03-05T18:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1150.00</Amt>
<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>
<Ntry><Amt Ccy="EUR">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>
<NtryDtls><TxDtls><Refs><EndToEndId>INV-7</EndToEndId></Refs>
<RltdPties><Dbtr><Nm>Kunde GmbH</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>Rechnung INV-7</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>
"""


def write(tmp_path: Path, name: str, sid: str = "S1", day: str = "2024-03-05") -> Path:
    path = tmp_path / name
    path.write_text(CAMT.format(sid=sid, day=day))
    return path


def test_parse_prints_the_evaluator_contract(tmp_path: Path) -> None:
    result = runner.invoke(app, ["statement", "parse", str(write(tmp_path, "s.xml")), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["format"].startswith("camt.053")
    (statement,) = doc["statements"]
    assert (statement["opening_balance"], statement["closing_balance"]) == (1000.0, 1150.0)
    assert [e["amount"] for e in statement["entries"]] == [200.0, -50.0]
    assert statement["entries"][0]["counterparty"] == "Kunde GmbH"


def test_unreadable_statement_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text("<Document><BkToCstmrStmt>")
    result = runner.invoke(app, ["statement", "parse", str(bad)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "broken.xml" in result.output


def test_statements_import_once_even_when_they_overlap(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner.invoke(app, ["init", str(ws)])
    first = write(tmp_path, "a.xml")
    again = write(tmp_path, "b.xml", sid="S1-resent")  # the same day sent twice
    args = ["import", str(first), str(again), "-w", str(ws), "--set", "entity_id=DE01", "--json"]
    report = json.loads(runner.invoke(app, args).output)
    assert report["status"] == "imported"
    assert report["created"]["bank_accounts"] == ["DE44500105175407324931"]
    status = json.loads(runner.invoke(app, ["status", "-w", str(ws), "--json"]).output)
    rows = {t["table"]: t["rows"] for t in status["tables"]}
    assert rows["bank_transactions"] == 2
    assert rows["bank_balances"] == 2  # opening and closing of the one day
    report = json.loads(runner.invoke(app, args).output)
    assert sum(f["inserted"] for f in report["files"]) == 0
