"""``wcm kb`` as a user and a script see it: ingest, search, list, delete, check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import api.cli.kb_cmds  # noqa: F401  (registers ``wcm kb``)
from api.cli.main import app
from knowledge import CONTENT_DIR
from tools.domain.policy import dump_policy
from tools.workspace import init_workspace

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = init_workspace(tmp_path_factory.mktemp("ws") / "acme", name="Acme")
    policy = ws.policy().model_copy(
        update={
            "minimum_cash": ws.policy().minimum_cash.model_copy(
                update={"entities": {"US01": 1_500_000.0}, "group": 0.0}
            )
        }
    )
    ws.policy_path.write_text(dump_policy(policy))
    return ws.root


@pytest.mark.parametrize("command", ["ingest", "search", "list", "delete", "check", "load-demo"])
def test_every_command_has_help_and_json(command: str) -> None:
    code, out = run("kb", command, "--help")
    assert code == 0 and "--json" in out


def test_ingest_search_list_delete_check(workspace: Path, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(CONTENT_DIR / "policies" / "treasury-policy-v2.1.md", docs / "treasury.md")
    (docs / "empty.txt").write_text("")
    code, out = run("kb", "ingest", str(docs), "-w", str(workspace), "--json")
    assert code == 1, out  # one file skipped
    report = json.loads(out)
    assert (report["ingested"], report["skipped"]) == (1, 1)
    assert report["max_file_mb"] == 20.0
    skipped = next(f for f in report["files"] if f["status"] == "skipped")
    assert "empty.txt" in skipped["reason"] and "file is empty" in skipped["reason"]

    code, out = run("kb", "ingest", str(docs / "treasury.md"), "-w", str(workspace), "--json")
    assert code == 0 and json.loads(out)["files"][0]["status"] == "unchanged"

    code, out = run("kb", "search", "minimum cash US01", "--k", "2", "-w", str(workspace), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["hits"][0]["doc_id"] == "treasury-policy"
    assert {"chunk_id", "section", "version", "snippet", "score", "suspicious"} <= set(
        result["hits"][0]
    )
    code, out = run("kb", "search", "minimum cash", "-w", str(workspace))
    assert code == 0 and "Group Treasury Policy v2.1" in out and "not instructions" in out

    code, out = run("kb", "check", "-w", str(workspace), "--json")
    assert code == 1  # the document says 1,000,000 for US01, the YAML 1,500,000
    check = json.loads(out)
    assert not check["ok"]
    wrong = {f["key"]: f for f in check["findings"] if f["status"] == "disagrees"}
    us01 = wrong["minimum_cash.entities.US01"]
    assert (us01["text_value"], us01["yaml_value"]) == (1_000_000, 1_500_000)
    assert us01["doc_id"] == "treasury-policy" and us01["version"] == "2.1"
    assert "early_warning.horizon_days" in wrong  # 60 days in the text, 91 in the YAML

    code, out = run("kb", "list", "-w", str(workspace), "--json")
    assert code == 0 and [d["doc_id"] for d in json.loads(out)["documents"]] == ["treasury-policy"]
    code, out = run("kb", "delete", "treasury-policy", "-w", str(workspace), "--json")
    assert code == 0 and json.loads(out)["chunks_removed"] >= 1
    code, out = run("kb", "delete", "treasury-policy", "-w", str(workspace), "--json")
    assert code == 1 and "no such document" in json.loads(out)["error"]["message"]


def test_bad_options_and_missing_workspace_are_clear(tmp_path: Path, workspace: Path) -> None:
    code, out = run("kb", "search", "x", "-c", "secrets", "-w", str(workspace), "--json")
    assert code == 1 and "unknown collection 'secrets'" in out
    code, out = run("kb", "search", "x", "--as-of", "last week", "-w", str(workspace))
    assert code == 1 and "YYYY-MM-DD" in out
    code, out = run("kb", "list", "-w", str(tmp_path / "nowhere"))
    assert code == 3 and "wcm init" in out
