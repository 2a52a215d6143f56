"""The weekly report: Markdown with its PNG charts beside it, KPIs against targets, alerts
and the pending proposals it is given; and the same report as a PDF."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

import api.cli.monitor_cmds  # noqa: F401  (registers the commands)
from api.cli.main import app
from tests.monitoring.ops_data import FIRST, company, write_exports
from tools.monitoring.alerts_store import MonitorAlert, record_alerts
from tools.monitoring.report import WeeklyReport, weekly_report
from tools.monitoring.report_pdf import markdown_pdf, write_report_pdf
from tools.workspace import import_files, init_workspace

PROPOSAL = {
    "proposal_id": "P-7",
    "action": "payment_run",
    "title": "Pay B-1 early for the 2% discount",
    "amount": 5000.0,
    "currency": "USD",
    "requester": "ann",
    "approvers": [],
    "required_approvers": 1,
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> WeeklyReport:
    tmp = tmp_path_factory.mktemp("report")
    ws = init_workspace(tmp / "ws", policy=company().policy)
    assert import_files(ws, write_exports(tmp / "in", FIRST)).ok
    alert = MonitorAlert(
        dedupe_key="kpi:dso:warning",
        source="kpi",
        severity="warning",
        scope="dso",
        title="DSO off target: 52.0 days",
        cause="DSO is 52.0 days against 45",
    )
    record_alerts(ws.engine, [alert], now=datetime.now(UTC))
    (ws.root / "kpi_targets.yaml").write_text("dso: {target: 99, tolerance: 1}\n")
    out = tmp / "reports" / "week.md"
    return weekly_report(ws, out=out, proposals=[PROPOSAL], trend_months=3)


def test_weekly_report_writes_markdown_and_charts(written: WeeklyReport) -> None:
    report, out = written, written.path
    assert out.name == "week.md" and out.read_text(encoding="utf-8") == report.markdown
    assert report.as_of == FIRST
    names = [p.name for p in report.charts]
    assert names == ["week-fan.png", "week-cash-position.png", "week-ccc.png"]
    for chart in report.charts:
        assert chart.parent == out.parent and chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"]({chart.name})" in report.markdown
    md = report.markdown
    assert "| DSO |" in md and "<= 99.0 d" in md  # the workspace's own target
    assert "DSO off target: 52.0 days" in md
    assert "| P-7 | payment_run |" in md and "5,000 USD" in md
    assert "No earlier forecast covers the last days yet." in md
    assert "- Balance bands: raw (no calibration stored)." in md
    figures = report.figures
    assert figures.pending_proposals == 1 and figures.alerts_open == 1
    assert f"{figures.group_cash:,.0f} {figures.reporting_currency}" in md
    assert [r.kind for r in report.chart_refs] == ["fan", "cash_position", "ccc_trend"]
    assert all(r.title in md for r in report.chart_refs[:2])


def test_pdf_holds_the_same_report(written: WeeklyReport) -> None:
    report = write_report_pdf(written)
    assert report.pdf == written.path.with_suffix(".pdf") and written.pdf is None
    body = report.pdf.read_bytes()
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(body))
    assert reader.metadata is not None and reader.metadata.title == report.title
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert report.title in text  # TrueType fonts: the text is searchable
    assert "KPIs against targets" in text and "Pay B-1 early for the 2% discount" in text
    # matplotlib shares one image dictionary between pages: count distinct images.
    images = {image.name for page in reader.pages for image in page.images}
    assert len(images) == len(report.charts) == 3
    # Same input, same bytes (no creation date is stored).
    assert markdown_pdf(report.markdown, base=report.path.parent, title=report.title) == body


@pytest.mark.parametrize(
    ("markdown", "pages"),
    [
        ("# Title\n\nOne line.", 1),  # short text: one page
        ("# Title\n\n" + "\n".join(f"- item {i}" for i in range(120)), 3),  # long list flows on
        ("", 1),  # nothing to say still gives a valid one-page document
    ],
)
def test_pdf_pages_follow_the_content(tmp_path: Path, markdown: str, pages: int) -> None:
    body = markdown_pdf(markdown, base=tmp_path, title="Title")
    reader = PdfReader(io.BytesIO(body))
    assert body.startswith(b"%PDF-") and len(reader.pages) == pages


def test_pdf_names_a_missing_chart(tmp_path: Path) -> None:
    body = markdown_pdf("# T\n\n![Cash](gone.png)", base=tmp_path, title="T")
    assert "[chart not found: gone.png]" in PdfReader(io.BytesIO(body)).pages[0].extract_text()


def test_cli_writes_the_pdf_beside_the_markdown(written: WeeklyReport) -> None:
    out = written.path.with_name("cli.md")
    ws = written.path.parent.parent / "ws"
    args = ["report", "weekly", "--workspace", str(ws), "--out", str(out), "--pdf", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["pdf"] == str(out.with_suffix(".pdf")) and body["path"] == str(out)
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF-")
