"""``wcm run-daily`` and ``wcm report weekly``: the daily monitoring job and the weekly
report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, settings, workspace_path
from api.cli.output import console, err_console, print_json, table

__all__ = ["pending_proposals", "report_app"]

report_app = typer.Typer(no_args_is_help=True, help="Reports: the weekly working-capital report.")
app.add_typer(report_app, name="report")


def _workspace(value: Path | None) -> Any:
    from tools.workspace import open_workspace

    return open_workspace(workspace_path(value), database_url=settings().database_url)


def pending_proposals(ws: Any) -> list[dict[str, Any]]:
    """The proposals awaiting approval, as the ledger summarises them."""
    from agent.ledger import Ledger

    return Ledger.for_workspace(ws).pending_summaries()


@app.command("run-daily")
@handle_errors
def run_daily_cmd(
    workspace: WorkspaceOpt = None,
    inbox: Annotated[
        Path | None,
        typer.Option(help="Folder of new files [default: WORKSPACE/inbox].", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daily job: import the inbox, refresh forecast, risk, alerts, variance and KPIs."""
    from tools.monitoring.daily import run_daily

    ws = _workspace(workspace)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=as_json and not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("daily run", total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        summary = run_daily(ws, inbox=inbox, progress=progress)
        follow_up = None
        if summary.status != "skipped" and summary.as_of is not None:
            from agent.outcomes import follow_up_workspace

            bar.update(task, description="decision outcomes")
            follow_up = follow_up_workspace(ws, settings(), as_of=summary.as_of)
    if as_json:
        body = summary.model_dump(mode="json")
        body["decision_outcomes"] = follow_up.model_dump(mode="json") if follow_up else None
        print_json(body)
    else:
        _show(summary)
        if follow_up is not None and follow_up.outcomes:
            console.print(
                table(
                    f"Decision outcomes (value to date {follow_up.total.value:,.0f})",
                    ["proposal", "status", "rating", "outcome"],
                    [(o.proposal_id, o.status, o.rating, o.summary) for o in follow_up.outcomes],
                )
            )
    if summary.failed_files or any(s.status == "failed" for s in summary.steps):
        raise typer.Exit(1)


def _show(summary: Any) -> None:
    if summary.status == "skipped":
        console.print(f"daily run skipped: {summary.reason}")
        return
    if summary.imported:
        console.print(
            table(
                "Inbox",
                ["file", "status", "new rows", "updated", "moved to / error"],
                [
                    (f.file, f.status, f.rows_new, f.rows_updated, f.error or f.moved_to)
                    for f in summary.imported
                ],
                numeric={"new rows", "updated"},
            )
        )
    console.print(
        table(
            f"Daily run {summary.run_id} for {summary.day}, data up to {summary.as_of}",
            ["step", "status", "seconds", "result"],
            [(s.step, s.status, f"{s.seconds:.1f}", s.detail) for s in summary.steps],
            numeric={"seconds"},
        )
    )
    kpis = summary.checks.kpis if summary.checks else None
    if kpis is not None:
        console.print(
            table(
                f"KPIs against targets (trend over {kpis.period_days} days)",
                ["KPI", "now", "before", "target", "status", "trend"],
                [
                    (k.label, k.value, k.previous, k.target, k.status, k.trend or "")
                    for k in kpis.kpis
                ],
                numeric={"now", "before", "target"},
            )
        )
    rows = [(a.severity, a.source, a.scope, a.title) for a in summary.new_alerts]
    console.print(
        table(
            f"New alerts ({len(rows)}; {summary.repeated_alerts} still open, "
            f"{summary.resolved_alerts} resolved)",
            ["severity", "source", "scope", "alert"],
            rows or [("-", "", "", "nothing new")],
        )
    )


@report_app.command("weekly")
@handle_errors
def weekly_cmd(
    workspace: WorkspaceOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Markdown file to write [default: WORKSPACE/reports/weekly-<date>.md]; "
            "charts are written beside it.",
            show_default=False,
        ),
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf", help="Also render the report to PDF beside the Markdown (same name, .pdf)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Weekly report: cash outlook charts, KPIs against targets, alerts, variance, proposals."""
    from tools.monitoring.report import weekly_report

    ws = _workspace(workspace)
    with err_console.status("writing the weekly report"):
        report = weekly_report(ws, out=out, proposals=pending_proposals(ws))
        if pdf:
            from tools.monitoring.report_pdf import write_report_pdf

            report = write_report_pdf(report)
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    console.print(f"weekly report written to {report.path}")
    if report.pdf is not None:
        console.print(f"  pdf {report.pdf}")
    for chart in report.charts:
        console.print(f"  chart {chart}")
