"""The `wcm` command line as a user and a script see it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from tests.conftest import AR_HEADER, AR_ROWS

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_init_import_status_kpi_as_json(tmp_path: Path) -> None:
    ws = tmp_path / "acme"
    code, out = run("init", str(ws), "--json")
    assert code == 0 and json.loads(out)["name"] == "acme"
    export = tmp_path / "ar_invoices.csv"
    export.write_text("\n".join([AR_HEADER, *AR_ROWS]) + "\n")
    code, out = run("import", str(export), "-w", str(ws), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["status"] == "imported" and report["files"][0]["inserted"] == 3
    code, out = run("status", "-w", str(ws), "--json")
    status = json.loads(out)
    assert status["as_of"] == "2024-02-01"
    assert {t["table"]: t["rows"] for t in status["tables"]}["ar_invoices"] == 3
    code, out = run("kpi", "-w", str(ws), "--as-of", "2024-02-10", "--json")
    kpis = json.loads(out)
    # open at 2024-02-10: INV-002 (250.50) and INV-003 (4000.00); INV-001 settled 2024-02-01
    assert kpis["group"]["ar_open"] == 4250.5
    assert kpis["group"]["ar_ageing"]["1-30"] == 0.0


def test_failed_import_exits_1_and_names_the_problem(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"))
    bad = tmp_path / "ar_invoices.csv"
    bad.write_text(AR_HEADER + "\nINV-1,C1,US01,2024-01-05,2024-02-04,12.3.4,USD,\n")
    code, out = run("import", str(bad), "-w", str(tmp_path / "ws"))
    assert code == 1
    assert "row 2, column 'amount': not a number (got '12.3.4'" in out
    assert "nothing imported" in out


def test_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    code, out = run("status", "-w", str(tmp_path / "nope"), "--json")
    assert code == 3
    error = json.loads(out)["error"]
    assert error["type"] == "workspace_error" and "wcm init" in error["message"]


def test_bad_set_option(tmp_path: Path) -> None:
    run("init", str(tmp_path / "ws"))
    code, out = run("import", "x.csv", "-w", str(tmp_path / "ws"), "--set", "currency")
    assert code == 3 and "COLUMN=VALUE" in out


def test_schema_lists_tables() -> None:
    code, out = run("schema", "--json")
    assert code == 0
    tables = {t["table"] for t in json.loads(out)}
    assert {"ar_invoices", "ap_bills", "bank_transactions"} <= tables
    code, out = run("schema", "nope")
    assert code == 3 and "ar_invoices" in out


def test_demo_builds_the_workspace_end_to_end(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    code, out = run("demo", "--workspace", str(root), "--json")
    assert code == 0, out[-2000:]
    doc = json.loads(out)
    assert doc["import"]["status"] == "imported"
    assert doc["import"]["problem_count"] == 0
    imported = {f["table"] for f in doc["import"]["files"]}
    assert len(imported) == 16  # every canonical table, straight from the simulator's files
    assert doc["status"]["as_of"] == "2026-06-30"
    group = doc["kpis"]["group"]
    assert 20 < group["dso"] < 120
    assert group["cash"] > 0
    assert [e["scope"] for e in doc["kpis"]["entities"]] == ["DE01", "US01"]
    assert (root / ".simulator" / "truth.json").exists()  # ground truth kept apart
    talk = doc["conversation"]
    assert talk["audit_ok"] and talk["executed"]["files"]  # approved twice, executed once
    assert any(f.endswith(".xml") for f in talk["executed"]["files"])  # the pain.001 file
    # Running it again (the plan was decided already) still tells the story.
    code, text = run("demo", "--workspace", str(root))
    assert code == 0, text[-2000:]
    assert "Cash conversion cycle" in text and "hash chain verified" in text
