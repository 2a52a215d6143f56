"""``wcm statement parse``: read a bank statement file and print its canonical content."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.main import JsonOpt, app, handle_errors
from api.cli.output import console, print_json, table
from tools.errors import DataError, Problem

statement_app = typer.Typer(no_args_is_help=True, help="Bank statements (camt, MT940, BAI2).")
app.add_typer(statement_app, name="statement")


@statement_app.command("parse")
@handle_errors
def parse_cmd(
    file: Annotated[Path, typer.Argument(help="camt.052/053/054 XML or zip, MT940/942, BAI2.")],
    as_json: JsonOpt = False,
) -> None:
    """Parse a statement file: accounts, balances and entries (signed amounts)."""
    from tools.bank import check_balances, parse_statement_file, to_json

    if not file.is_file():
        raise DataError([Problem(file=str(file), message="file not found")])
    parsed = parse_statement_file(file.read_bytes(), file.name)
    if as_json:
        print_json(to_json(parsed))
        return
    console.print(f"{file.name}: {parsed.format}, {len(parsed.statements)} statements")
    rows = [
        (
            s.account,
            s.currency,
            s.opening_date,
            s.opening_balance,
            s.closing_date,
            s.closing_balance,
            len(s.entries),
            "; ".join(check_balances(s)) or "balances",
        )
        for s in parsed.statements
    ]
    console.print(
        table(
            None,
            ["account", "ccy", "from", "opening", "to", "closing", "entries", "check"],
            rows,
            numeric={"opening", "closing", "entries"},
        )
    )
    for warning in parsed.warnings:
        console.print(f"[yellow]warning[/] {warning}")
