"""Printing for the command line: JSON for scripts, readable tables for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

__all__ = ["console", "err_console", "print_json", "table"]

# Piped output (CI logs, files) gets a width that fits the tables instead of 80 columns.
console = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 120)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 120)


def print_json(data: Any) -> None:
    """One JSON document on stdout."""
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    sys.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n")


def table(
    title: str | None,
    columns: Iterable[str],
    rows: Iterable[Iterable[Any]],
    *,
    numeric: set[str] | None = None,
) -> Table:
    """A rich table; columns named in ``numeric`` are right-aligned."""
    out = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for col in columns:
        out.add_column(col, justify="right" if col in (numeric or set()) else "left")
    for row in rows:
        out.add_row(*("" if v is None else str(v) for v in row))
    return out


def money(value: float | None, currency: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f} {currency}".strip()


def days(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} d"
