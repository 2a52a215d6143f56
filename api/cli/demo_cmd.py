"""``wcm demo``: build the demo company's workspace and run the main job end to end."""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Annotated

import typer

from api.cli.demo_conversation import prepare_demo_workspace, run_conversation
from api.cli.forecast_cmds import forecast_tables, show_forecast
from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, settings, workspace_path
from api.cli.output import console, err_console, print_json
from api.cli.render import show_import, show_kpis, show_status


def _step(title: str) -> None:
    console.rule(f"[bold]{title}", align="left")


@app.command("demo")
@handle_errors
def demo_cmd(
    workspace: WorkspaceOpt = None,
    seed: Annotated[int, typer.Option(help="Simulator seed: same seed, same company.")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Generate the demo company, import it, forecast, and hold a conversation with approvals."""
    from tools.data.simulator import SimConfig, generate_company, write_company, write_truth
    from tools.forecasting.explain import summarize
    from tools.kpi import working_capital_kpis
    from tools.workspace import import_files, init_workspace
    from tools.workspace.forecast_runs import run_forecast
    from tools.workspace.status import workspace_status

    root = workspace_path(workspace)
    started = time.perf_counter()
    with err_console.status("generating the demo company"):
        company = generate_company(SimConfig(seed=seed))
        exports = root / "exports"
        files = write_company(company, exports, bank_format="camt053")
        write_truth(company, root / ".simulator" / "truth.json")
    ws = init_workspace(
        root,
        name="Demo Manufacturing Group",
        reporting_currency=company.policy.reporting_currency,
        database_url=settings().database_url,
        policy=company.policy,
    )
    with err_console.status("importing") as spinner:
        report = import_files(ws, files, user="demo", progress=lambda m: spinner.update(m))
    status = workspace_status(ws)
    if status.as_of is None:  # pragma: no cover - the simulator always emits dated data
        raise typer.Exit(1)
    kpis = working_capital_kpis(
        ws.read_all(), as_of=status.as_of, reporting_currency=ws.reporting_currency
    )
    with err_console.status("calibrating the bands on six backtests, forecasting 13 weeks"):
        run = run_forecast(ws, horizon_days=91, bands="fresh")
    grain, periods = forecast_tables(run.forecast, 91)
    with err_console.status("loading the demo policies into the knowledge base"):
        chunks = prepare_demo_workspace(ws, settings())
    if as_json:
        conversation = run_conversation(ws, settings(), show=False)
    elapsed = time.perf_counter() - started
    if as_json:
        print_json(
            {
                "workspace": str(root),
                "seed": seed,
                "seconds": round(elapsed, 2),
                "import": report.model_dump(mode="json"),
                "status": status.model_dump(mode="json"),
                "kpis": kpis.model_dump(mode="json"),
                "forecast": {
                    "run_id": run.run_id,
                    "positions": [p.model_dump() for p in summarize(run.forecast)],
                },
                "knowledge_chunks": chunks,
                "conversation": conversation,
            }
        )
        raise typer.Exit(0 if report.ok else 1)
    rows = sum(len(f) for f in company.tables.values())
    _step("1. The demo company")
    console.print(
        f"Seed {seed}: {len(company.tables['entities'])} entities, "
        f"{len(company.tables['customers'])} customers, "
        f"{len(company.tables['suppliers'])} suppliers, "
        f"{len(company.tables['inventory_items'])} SKUs; {rows:,} rows of ERP and "
        f"bank exports written to {exports}/"
    )
    _step("2. Import (one transaction)")
    show_import(report)
    _step("3. What the workspace holds")
    show_status(status)
    _step("4. Working capital")
    show_kpis(kpis)
    _step("5. Cash forecast, 13 weeks")
    show_forecast(run, periods, summarize(run.forecast), [], days=91, grain=grain)
    _step("6. A conversation: question, proposal, approvals, payment file, audit")
    console.print(
        "Users: 'demo' (analyst) asks; 'alice' and 'bob' approve (WORKSPACE/users.yaml). "
        "The demo policies are in the knowledge base."
    )
    conversation = run_conversation(ws, settings())
    elapsed = time.perf_counter() - started
    _step("Next")
    wcm = _command_name()
    console.print(
        f"Workspace ready at {root} ({elapsed:.1f} s). Try:\n"
        f"  {wcm} status --workspace {root}\n"
        f"  {wcm} kpi --workspace {root} --as-of 2025-12-31\n"
        f"  {wcm} forecast --workspace {root} --horizon 6m\n"
        f'  {wcm} ask "which customers should we chase this week?" --workspace {root}\n'
        f"  {wcm} serve --workspace {root}   (web page at http://127.0.0.1:8400/app/)\n"
        f"  {wcm} import YOUR_EXPORT.csv --workspace {root} --dry-run"
    )
    if not report.ok:
        raise typer.Exit(1)


def _command_name() -> str:
    """How the user can call us again: ``wcm`` when on PATH, else the path they used."""
    here = os.path.abspath(sys.argv[0])
    found = shutil.which("wcm")
    return "wcm" if found and os.path.abspath(found) == here else sys.argv[0]
