"""Checks a treasurer relies on before trusting a statement: balances add up, lines exist."""

from __future__ import annotations

from decimal import Decimal

from tools.bank.common import problem_text
from tools.bank.models import Statement
from tools.domain.currency import minor_units

__all__ = ["check_balances", "file_warnings", "statement_warnings"]


def _label(statement: Statement) -> str:
    ident = f" {statement.statement_id}" if statement.statement_id else ""
    return f"statement{ident} of account {statement.account}"


def check_balances(statement: Statement) -> list[str]:
    """Whether opening balance + the entries = closing balance, to the currency's minor unit.

    Args:
        statement: a parsed statement.

    Returns:
        One warning per discrepancy; empty when the balances agree or are not both stated
        (intraday reports and notifications often carry none).
    """
    if statement.opening_balance is None or statement.closing_balance is None:
        return []
    unit = Decimal(1).scaleb(-minor_units(statement.currency))
    total = sum((e.amount for e in statement.entries), Decimal(0))
    expected = statement.opening_balance + total
    difference = (statement.closing_balance - expected).quantize(unit)
    if difference == 0:
        return []
    return [
        f"{_label(statement)}: opening balance {statement.opening_balance} + "
        f"{len(statement.entries)} entries ({total}) = {expected}, but the closing balance "
        f"is {statement.closing_balance} (off by {difference} {statement.currency}); "
        "lines may be missing or duplicated"
    ]


def statement_warnings(statement: Statement, *, file: str, row: int | None = None) -> list[str]:
    """The balance check of one parsed statement, worded to name the file (and line)."""
    return [problem_text(file, text, row=row) for text in check_balances(statement)]


def file_warnings(statements: list[Statement], *, file: str) -> list[str]:
    """A file without a single entry is never passed silently (a daily statement without
    movements among others is normal, so only the file as a whole is checked)."""
    if any(s.entries for s in statements):
        return []
    if not statements:
        return [problem_text(file, "no statements and no entries in this file")]
    return [
        problem_text(
            file,
            f"no entries in this file: {len(statements)} statement(s) with balances only",
        )
    ]
