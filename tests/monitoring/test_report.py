"""The weekly report: Markdown with its PNG charts beside it, KPIs against targets, alerts
and the pending proposals it is given."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.monitoring.ops_data import FIRST, company, write_exports
from tools.monitoring.alerts_store import MonitorAlert, record_alerts
from tools.monitoring.report import weekly_report
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


def test_weekly_report_writes_markdown_and_charts(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", policy=company().policy)
    assert import_files(ws, write_exports(tmp_path / "in", FIRST)).ok
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
    out = tmp_path / "reports" / "week.md"
    report = weekly_report(ws, out=out, proposals=[PROPOSAL], trend_months=3)
    assert report.path == out and out.read_text(encoding="utf-8") == report.markdown
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
