"""``wcm import``, ``wcm status`` and ``wcm kpi``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, settings, workspace_path
from api.cli.output import err_console, print_json
from api.cli.render import show_import, show_kpis, show_status
from tools.errors import ConfigError


def _parse_sets(values: list[str] | None) -> dict[str, str]:
    out = {}
    for item in values or []:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected COLUMN=VALUE, e.g. --set currency=EUR")
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


@app.command("import")
@handle_errors
def import_cmd(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Exports to import (CSV, TSV, TXT, XLSX), folders of them, or a policy.yaml."
        ),
    ],
    workspace: WorkspaceOpt = None,
    mapping: Annotated[
        str | None, typer.Option(help="Column-mapping YAML file or preset name (see 'wcm schema').")
    ] = None,
    table: Annotated[
        str | None,
        typer.Option(help="Canonical table the files hold; guessed from file names otherwise."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Constant for a column the export lacks, e.g. --set currency=EUR."
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            help="Store the valid rows and list the invalid ones instead of refusing the batch."
        ),
    ] = False,
    dry_run: Annotated[bool, typer.Option(help="Validate and report; store nothing.")] = False,
    user: Annotated[str, typer.Option(help="Who imports (recorded with the batch).")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Import files as one transaction: all of the batch is stored, or none of it."""
    from tools.data.mapping import load_mapping
    from tools.workspace import import_files, open_workspace

    ws = open_workspace(workspace_path(workspace), database_url=settings().database_url)
    chosen = load_mapping(mapping) if mapping else None
    with err_console.status("importing") as spinner:
        report = import_files(
            ws,
            files,
            mapping=chosen,
            table=table,
            defaults=_parse_sets(set_),
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            user=user,
            progress=lambda msg: spinner.update(msg),
        )
    if as_json:
        print_json(report)
    else:
        show_import(report)
    if not report.ok:
        raise typer.Exit(1)


@app.command("status")
@handle_errors
def status_cmd(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """What data the workspace holds: rows, date ranges, gaps and quality issues."""
    from tools.workspace import open_workspace
    from tools.workspace.status import workspace_status

    ws = open_workspace(workspace_path(workspace), database_url=settings().database_url)
    status = workspace_status(ws)
    if as_json:
        print_json(status)
    else:
        show_status(status)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ConfigError(f"--as-of {value!r}: expected a date like 2026-06-30") from None


@app.command("kpi")
@handle_errors
def kpi_cmd(
    workspace: WorkspaceOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Date the KPIs describe (YYYY-MM-DD) [default: the latest data date].",
            show_default=False,
        ),
    ] = None,
    window: Annotated[
        int, typer.Option(min=7, max=365, help="Trailing days for revenue and purchases.")
    ] = 90,
    as_json: JsonOpt = False,
) -> None:
    """Working-capital KPIs: DSO, DPO, DIO, CCC, ageing, cash and headroom."""
    from tools.kpi import working_capital_kpis
    from tools.workspace import open_workspace

    ws = open_workspace(workspace_path(workspace), database_url=settings().database_url)
    when = _as_of(as_of) or ws.as_of()
    if when is None:
        raise ConfigError("the workspace holds no dated data yet; import some first")
    report = working_capital_kpis(
        ws.read_all(), as_of=when, reporting_currency=ws.reporting_currency, window_days=window
    )
    if as_json:
        print_json(report)
    else:
        show_kpis(report)


@app.command("serve")
@handle_errors
def serve_cmd(
    workspace: WorkspaceOpt = None,
    host: Annotated[str | None, typer.Option(help="Address [default: WCM_API_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: WCM_API_PORT].")] = None,
) -> None:
    """Start the service: web page, API (docs at /docs), Slack and Teams when configured.

    With no workspace yet at the default place, the demo company is built there first
    (with demo users: 'demo' asks, 'alice' and 'bob' approve, 'admin' does everything).
    """
    import uvicorn

    from api.auth import dev_mode
    from api.cli.demo_cmd import demo_cmd
    from api.main import create_app
    from tools.workspace import open_workspace

    cfg = settings()
    root = workspace_path(workspace)
    if workspace is None and not (root / "workspace.yaml").exists():
        err_console.print(f"no workspace at {root}: building the demo company there first")
        demo_cmd(workspace=root, seed=7, as_json=False)  # also writes users and the policies
    open_workspace(root, database_url=cfg.database_url)  # fail fast with a clear message
    host, port = host or cfg.api_host, port or cfg.api_port
    app = create_app(cfg.model_copy(update={"workspace": root}))
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    err_console.print(f"serving {root}: open {url} (API docs: {url}docs)")
    if dev_mode(cfg):
        err_console.print(
            "development mode: no API keys configured, so requests act as user 'demo' "
            "(the page's 'Act as' field picks another user from users.yaml)"
        )
    uvicorn.run(app, host=host, port=port, log_level="info")


@app.command("reconcile")
@handle_errors
def reconcile_cmd(
    workspace: WorkspaceOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="First booking date to match (YYYY-MM-DD) [default: 30 days before the latest "
            "bank line].",
            show_default=False,
        ),
    ] = None,
    min_confidence: Annotated[
        float,
        typer.Option(min=0, max=1, help="Matches below it are listed as exceptions, not applied."),
    ] = 0.8,
    apply: Annotated[
        bool,
        typer.Option("--apply", help="Book the matches: receipts recorded, open amounts reduced."),
    ] = False,
    user: Annotated[str, typer.Option(help="Who applies (recorded per match).")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Match bank lines to open invoices and bills; list what needs a person."""
    from tools.workspace import open_workspace
    from tools.workspace.cash_apply import apply_matches, reconcile_workspace

    ws = open_workspace(workspace_path(workspace), database_url=settings().database_url)
    result = reconcile_workspace(ws, since=_as_of(since), min_confidence=min_confidence)
    booked = apply_matches(ws, result, user=user) if apply else 0
    if as_json:
        print_json({**result.model_dump(mode="json"), "applied_documents": booked})
        return
    from api.cli.output import console, table

    console.print(
        f"{result.lines:,} bank lines: {len(result.matches):,} matched, "
        f"{len(result.exceptions):,} for review"
        + (
            f"; {booked:,} documents booked"
            if apply
            else " (nothing booked; --apply books the matches)"
        )
    )
    rows = [
        (
            m.txn_id,
            m.side,
            " ".join(m.documents),
            m.method,
            f"{m.confidence:.2f}",
            f"{m.difference:,.2f}",
        )
        for m in result.matches[:20]
    ]
    console.print(
        table(
            "Matches (first 20)",
            ["line", "side", "documents", "evidence", "confidence", "difference"],
            rows,
        )
    )
    review = [
        (e.txn_id, f"{e.amount:,.2f} {e.currency}", e.counterparty or "", e.reason)
        for e in result.exceptions[:20]
    ]
    console.print(table("For review (first 20)", ["line", "amount", "counterparty", "why"], review))
