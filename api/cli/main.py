"""``wcm``: the working-capital assistant's command line.

Every command takes ``--json`` for scripts; errors print one line saying what to fix and
exit non-zero (1: the data has problems, 3: workspace or configuration error).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from api.cli.output import err_console, print_json, table
from tools.errors import ConfigError, DataError, WcmError, WorkspaceError
from tools.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="wcm",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    help="Working-capital decision assistant: import ERP and bank data, see KPIs, "
    "forecast cash, manage liquidity risk and approve proposed actions.",
)

F = TypeVar("F", bound=Callable[..., Any])

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document for scripts.")]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder [default: WCM_WORKSPACE or ./demo-workspace].",
        show_default=False,
    ),
]


def settings() -> Settings:
    return Settings()


def workspace_path(value: Path | None) -> Path:
    return value if value is not None else settings().workspace


def handle_errors(func: F) -> F:
    """Turn product errors into one clear line (or a JSON error body) and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except WcmError as exc:
            code = 1 if isinstance(exc, DataError) else 3
            kind = {
                DataError: "data_error",
                WorkspaceError: "workspace_error",
                ConfigError: "config_error",
            }.get(type(exc), "error")
            if kwargs.get("as_json"):
                body: dict[str, Any] = {"error": {"type": kind, "message": str(exc)}}
                if isinstance(exc, DataError):
                    body["error"]["problems"] = [p.to_dict() for p in exc.problems]
                print_json(body)
            else:
                err_console.print(
                    f"[red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True
                )
            raise typer.Exit(code) from None

    return wrapper  # type: ignore[return-value]


@app.command("init")
@handle_errors
def init_cmd(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    name: Annotated[str | None, typer.Option(help="Company name.")] = None,
    currency: Annotated[str, typer.Option(help="Reporting currency (ISO 4217).")] = "USD",
    as_json: JsonOpt = False,
) -> None:
    """Create an empty workspace: ledger database, default policy.yaml."""
    from tools.workspace import init_workspace

    ws = init_workspace(
        directory,
        name=name,
        reporting_currency=currency.upper(),
        database_url=settings().database_url,
    )
    if as_json:
        print_json({"workspace": str(ws.root), "name": ws.name, "policy": str(ws.policy_path)})
    else:
        typer.echo(
            f"workspace {ws.name} ready at {ws.root}; import data with "
            f"'wcm import FILE... --workspace {ws.root}'"
        )


@app.command("schema")
@handle_errors
def schema_cmd(
    name: Annotated[str | None, typer.Argument(help="A table; all tables when omitted.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the canonical tables and columns imports are mapped onto."""
    from tools.domain.schemas import TABLES
    from tools.domain.schemas import table as get_table

    try:
        chosen = [get_table(name)] if name else list(TABLES.values())
    except KeyError as exc:
        raise ConfigError(str(exc.args[0])) from None
    if as_json:
        print_json(
            [
                {
                    "table": t.name,
                    "description": t.description,
                    "key": list(t.key),
                    "columns": [
                        {
                            "name": c.name,
                            "kind": c.kind.value,
                            "required": c.required and c.default is None,
                            "description": c.description,
                            "expected": c.expected,
                            "aliases": list(c.aliases),
                        }
                        for c in t.columns
                    ],
                }
                for t in chosen
            ]
        )
        return
    from api.cli.output import console

    for t in chosen:
        rows = [
            (c.name, "yes" if c.required and c.default is None else "", c.expected, c.description)
            for c in t.columns
        ]
        console.print(
            table(
                f"{t.name}: {t.description} (key: {', '.join(t.key)})",
                ["column", "required", "format", "meaning"],
                rows,
            )
        )


from api.cli import (  # noqa: E402,F401  (registers commands)
    agent_cmds,
    data_cmds,
    demo_cmd,
    forecast_cmds,
    kb_cmds,
    monitor_cmds,
    optimize_cmds,
    risk_cmds,
    statement_cmds,
)


def main() -> None:
    app()
