"""The ``weekly_report`` adapter: write the report, quote its headline, propose sending it."""

from __future__ import annotations

from typing import Any

from agent.adapters.common import adapter, fig, require
from agent.results import Figure, ToolResult
from agent.session import ToolSession

__all__: list[str] = []


def _figures(report: Any, root: Any) -> list[Figure | None]:
    f = report.figures
    ccy = f.reporting_currency
    scope_ccy = f.tightest_scope.rsplit("/", 1)[-1] if "/" in f.tightest_scope else ccy
    figures = [
        fig("report", "Report file", "报告文件", str(report.path.relative_to(root)), "text"),
        fig(
            "pdf",
            "PDF file",
            "PDF 文件",
            str(report.pdf.relative_to(root)) if report.pdf else None,
            "text",
        ),
        fig("as_of", "Data up to", "数据截至", str(report.as_of), "date"),
        fig("group_cash", "Group cash", "集团现金", f.group_cash, "money", ccy),
        fig("minimum_cash", "Group minimum cash", "集团最低现金", f.minimum_cash, "money", ccy),
        fig(
            "breach_probability",
            f"Chance of a breach within {f.risk_horizon_days} days",
            f"{f.risk_horizon_days} 天内跌破最低现金的概率",
            100 * f.breach_probability,
            "percent",
        ),
        fig(
            "tightest",
            f"Tightest point ({f.tightest_scope}), 5% balance",
            f"最紧时点（{f.tightest_scope}）5% 分位余额",
            f.tightest_balance_q05,
            "money",
            scope_ccy,
        ),
        fig("tightest_date", "Tightest point on", "最紧时点日期", str(f.tightest_date), "date"),
        fig("alerts_open", "Open alerts", "未关闭预警", f.alerts_open, "count"),
        fig("kpis_off_target", "KPIs off target", "未达标指标", f.kpis_off_target, "count"),
        fig(
            "pending_proposals",
            "Proposals awaiting approval",
            "待审批提议",
            f.pending_proposals,
            "count",
        ),
        fig("variance", "Variance, last 7 days", "近 7 天差异", f.variance, "money", ccy),
    ]
    return figures


def _send(s: ToolSession, report: Any, send_to: list[str]) -> tuple[str, str, dict[str, Any]]:
    """The sending status (English, Chinese), and the proposal when one can be made."""
    from agent.ledger.users import load_users
    from agent.report_mail import distribution_fields, missing_hint, resolve_recipients
    from tools.domain.proposals import ProposedAction

    found, missing = resolve_recipients(send_to, load_users(s.ws.root))
    if missing:
        hint = missing_hint(missing)
        return f"not proposed: {hint}", f"未提议发送：{hint}", {}
    fields = distribution_fields(report, found, root=s.ws.root)
    action = ProposedAction.model_validate(fields).model_dump(mode="json")
    to = ", ".join(a for _, a in found)
    return f"to {to}, waits for approval", f"发送给 {to}，等待审批", action


@adapter("weekly_report")
def weekly_report(
    s: ToolSession, pdf: bool = False, send_to: list[str] | None = None
) -> ToolResult:
    make = require("tools.monitoring.report", "weekly_report")
    from agent.ledger import Ledger

    pending = Ledger.for_workspace(s.ws).pending_summaries()
    report = make(s.ws, proposals=pending, as_of=s.as_of())
    if pdf or send_to:  # what goes out by e-mail includes the PDF finance users expect
        write_pdf = require("tools.monitoring.report_pdf", "write_report_pdf")
        report = write_pdf(report)
    root = s.ws.root
    figures = _figures(report, root)
    proposals: tuple[dict[str, Any], ...] = ()
    sending: dict[str, Any] = {}
    if send_to:
        note, note_zh, action = _send(s, report, send_to)
        figures.append(fig("email", "E-mail", "邮件", note, "text"))
        proposals = (action,) if action else ()
        sending = {"send_to": send_to, "status": note, "status_zh": note_zh}
    charts = tuple(
        {
            "kind": c.kind,
            "title": c.title,
            **({"positions": [c.key]} if c.key else {}),
            "path": str(c.path.relative_to(root)),
        }
        for c in report.chart_refs
    )
    rel = str(report.path.relative_to(root))
    return ToolResult(
        call_id="",
        name="weekly_report",
        headline=f"Weekly report for data up to {report.as_of} written to {rel}",
        headline_zh=f"截至 {report.as_of} 的周报已写入 {rel}",
        figures=tuple(f for f in figures if f is not None),
        proposals=proposals,
        charts=charts,
        data={
            "path": rel,
            "pdf": str(report.pdf.relative_to(root)) if report.pdf else None,
            "forecast_run_id": report.forecast_run_id,
            "charts": [c["path"] for c in charts],
            **sending,
        },
    )
