"""``wcm optimize``: supplier payments, collections, credit limits, purchases, investments
and the joint working-capital plan, on a workspace's data and its cash forecast."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from api.cli.main import JsonOpt, WorkspaceOpt, app, handle_errors, settings, workspace_path
from api.cli.output import console, print_json
from tools.errors import WorkspaceError

optimize_app = typer.Typer(
    no_args_is_help=True, help="Optimize payments, receivables, stock and cash."
)
app.add_typer(optimize_app, name="optimize")

PathsOpt = Annotated[int, typer.Option("--paths", help="Forecast sample paths.")]
ConfidenceOpt = Annotated[
    float | None, typer.Option(help="Liquidity confidence [default: policy].")
]


def _load(ws: Any, *, paths: int = 300, outlook: bool = True) -> tuple[Any, ...]:
    """Tables, policy and (a stored or new) fast cash outlook of the workspace."""
    cash = None
    if outlook:
        from tools.workspace.forecast_runs import run_forecast

        cash = run_forecast(ws, n_paths=paths, seed=0, quality="fast").forecast.outlook
    return ws.read_all(), ws.policy(), cash


def _workspace(workspace: Any) -> Any:
    from tools.workspace import open_workspace

    return open_workspace(workspace_path(workspace), database_url=settings().database_url)


def _as_of_or_fail(ws: Any) -> Any:
    as_of = ws.as_of()
    if as_of is None:
        raise WorkspaceError(f"{ws.root}: no data imported yet; run 'wcm import' first")
    return as_of


def _show(result: Any, as_json: bool, summary: list[str]) -> None:
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    for line in summary:
        console.print(line, highlight=False)
    for r in getattr(result, "relaxation", ()):
        console.print(f"[yellow]infeasible[/] {r.message}", highlight=False)
    for p in result.proposals[:10]:
        console.print(f"- {p.title}", highlight=False)
    if len(result.proposals) > 10:
        console.print(f"... and {len(result.proposals) - 10} more proposals", highlight=False)


@optimize_app.command("payments")
@handle_errors
def payments_cmd(
    workspace: WorkspaceOpt = None,
    confidence: ConfidenceOpt = None,
    paths: PathsOpt = 300,
    as_json: JsonOpt = False,
) -> None:
    """Pay date per open bill: discounts vs financing, cash above the floor."""
    from tools.optimization import optimize_payments

    tables, policy, outlook = _load(_workspace(workspace), paths=paths)
    r = optimize_payments(
        outlook,
        None,
        tables["suppliers"],
        policy,
        confidence=confidence or policy.investment.confidence,
        credit=tables["credit_facilities"],
        rates=tables["interest_rates"],
    )
    _show(
        r,
        as_json,
        [
            f"{r.status}: value {r.objective.get('total', 0):,.0f} "
            f"{outlook.reporting_currency} ({r.solve.method}, gap {r.solve.gap})"
        ],
    )


@optimize_app.command("investments")
@handle_errors
def investments_cmd(
    workspace: WorkspaceOpt = None,
    confidence: ConfidenceOpt = None,
    paths: PathsOpt = 300,
    as_json: JsonOpt = False,
) -> None:
    """Investment ladder for idle cash within policy limits."""
    from tools.optimization import optimize_investments

    tables, policy, outlook = _load(_workspace(workspace), paths=paths)
    r = optimize_investments(
        outlook,
        policy,
        rates=tables["interest_rates"],
        confidence=confidence,
        credit=tables["credit_facilities"],
        bank_accounts=tables["bank_accounts"],
    )
    _show(
        r,
        as_json,
        [
            f"{r.status}: yield {r.objective.get('yield', 0):,.0f}, "
            f"net {r.objective.get('total', 0):,.0f} {outlook.reporting_currency}"
        ],
    )


@optimize_app.command("joint")
@handle_errors
def joint_cmd(
    workspace: WorkspaceOpt = None,
    confidence: ConfidenceOpt = None,
    paths: PathsOpt = 300,
    as_json: JsonOpt = False,
) -> None:
    """Joint payments + investments + credit plan and its Pareto frontier."""
    from tools.optimization import optimize_working_capital

    tables, policy, outlook = _load(_workspace(workspace), paths=paths)
    r = optimize_working_capital(
        outlook,
        None,
        tables["suppliers"],
        policy,
        rates=tables["interest_rates"],
        confidence=confidence,
        credit=tables["credit_facilities"],
        bank_accounts=tables["bank_accounts"],
    )
    lines = [f"{r.status}: value {r.objective.get('total', 0):,.0f} {outlook.reporting_currency}"]
    lines += [
        f"frontier: value {p.value:,.0f}, buffer {p.buffer:,.0f}, late-days {p.impact:g}"
        + (" (chosen)" if p.chosen else "")
        for p in r.frontier
    ]
    lines += [t["text"] for t in r.tradeoffs]
    _show(r, as_json, lines)


@optimize_app.command("inventory")
@handle_errors
def inventory_cmd(
    workspace: WorkspaceOpt = None,
    service_level: Annotated[float, typer.Option(help="Target service level.")] = 0.95,
    paths: PathsOpt = 300,
    as_json: JsonOpt = False,
) -> None:
    """Purchase plan per SKU under the cash budget."""
    from tools.optimization.inventory import optimize_purchases

    tables, _policy, outlook = _load(_workspace(workspace), paths=paths)
    r = optimize_purchases(
        outlook,
        tables["inventory_items"],
        tables["inventory_demand"],
        suppliers=tables["suppliers"],
        purchase_orders=tables["purchase_orders"],
        service_level=service_level,
    )
    _show(
        r,
        as_json,
        [f"{r.status}: {len(r.orders)} orders, cost {-r.objective.get('total', 0):,.0f}"],
    )


@optimize_app.command("collections")
@handle_errors
def collections_cmd(
    workspace: WorkspaceOpt = None,
    collectors: Annotated[int, typer.Option(help="Collectors available.")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """This week's collections worklist under collector capacity."""
    from tools.optimization.receivables import collections_worklist

    ws = _workspace(workspace)
    as_of = _as_of_or_fail(ws)
    tables, _policy, _ = _load(ws, outlook=False)
    r = collections_worklist(tables["ar_invoices"], as_of=as_of, collectors=collectors)
    _show(
        r,
        as_json,
        [
            f"{len(r.worklist)} customers to contact, "
            f"expected cash {r.objective['expected_cash']:,.0f}"
        ],
    )


@optimize_app.command("credit")
@handle_errors
def credit_cmd(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Customer credit limits moved within the policy band."""
    from tools.optimization.credit import credit_limits

    ws = _workspace(workspace)
    as_of = _as_of_or_fail(ws)
    tables, policy, _ = _load(ws, outlook=False)
    r = credit_limits(tables["customers"], tables["ar_invoices"], policy, as_of=as_of)
    _show(r, as_json, [f"{len(r.proposals)} credit-limit changes proposed"])
