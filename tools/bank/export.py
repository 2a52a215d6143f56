"""Parsed statements as JSON (the evaluator contract) and as the canonical ledger frames."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from tools.bank.models import Entry, ParsedFile, Statement
from tools.domain.currency import CURRENCIES, minor_units
from tools.domain.schemas import TABLES
from tools.errors import DataError, Problem

__all__ = ["to_frames", "to_json", "txn_ids"]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def to_json(parsed: ParsedFile) -> dict[str, Any]:
    """The parse result as plain JSON: ISO dates, amounts as numbers (signed), ``None``
    as null. Keys are fixed: format, statements (account, currency, opening_balance,
    closing_balance, entries (booking_date, value_date, amount, currency, counterparty,
    reference, description))."""
    return {
        "format": parsed.format,
        "statements": [
            {
                "account": s.account,
                "currency": s.currency,
                "opening_balance": _number(s.opening_balance),
                "closing_balance": _number(s.closing_balance),
                "entries": [
                    {
                        "booking_date": _iso(e.booking_date),
                        "value_date": _iso(e.value_date),
                        "amount": _number(e.amount),
                        "currency": e.currency,
                        "counterparty": e.counterparty,
                        "reference": e.reference,
                        "description": e.description,
                    }
                    for e in s.entries
                ],
            }
            for s in parsed.statements
        ],
    }


def txn_ids(rows: list[tuple[str, Entry]]) -> list[str]:
    """Stable ids of (account, entry) pairs: the same line gets the same id on every import.

    The hash covers account, booking date, amount (in the currency's minor unit, so
    ``100,0`` and ``100.00`` agree), the bank's (else the customer's) reference and the
    description, plus how often that combination came before in the file: two identical
    lines on one day stay two lines, and a statement that overlaps an earlier import
    reproduces that import's ids.
    """
    seen: Counter[str] = Counter()
    ids = []
    for account, entry in rows:
        unit = Decimal(1).scaleb(-minor_units(entry.currency))
        basis = "|".join(
            [
                account,
                entry.booking_date.isoformat(),
                f"{entry.amount.quantize(unit):f}",
                entry.bank_reference or entry.reference or "",
                entry.description or "",
            ]
        )
        ids.append(hashlib.sha1(f"{basis}#{seen[basis]}".encode()).hexdigest()[:20])
        seen[basis] += 1
    return ids


def _check_currencies(statements: tuple[Statement, ...], file: str) -> None:
    problems = [
        Problem(
            file=file,
            message=f"statement of account {s.account} has an unknown currency",
            column="currency",
            value=s.currency,
            expected="a 3-letter ISO 4217 currency code such as EUR",
        )
        for s in statements
        if s.currency not in CURRENCIES and (s.entries or s.opening_balance is not None)
    ]
    if problems:
        raise DataError(problems)


def to_frames(parsed: ParsedFile, *, file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``bank_transactions`` and ``bank_balances`` frames of a parsed file.

    Columns are exactly the canonical ones of ``tools.domain.schemas``; dates are
    ``datetime64``, amounts floats, a missing value date is the booking date. Balances:
    one opening, closing and available row per account and day (the first opening and the
    last closing of a day win when statements repeat a day).

    Raises:
        DataError: a statement whose currency is not an ISO 4217 code (naming ``file``).
    """
    _check_currencies(parsed.statements, file)
    rows = [(s.account, e) for s in parsed.statements for e in s.entries]
    txns = pd.DataFrame(
        {
            "txn_id": txn_ids(rows),
            "account_id": [a for a, _ in rows],
            "booking_date": pd.to_datetime([e.booking_date for _, e in rows]),
            "value_date": pd.to_datetime([e.value_date or e.booking_date for _, e in rows]),
            "amount": np.array([float(e.amount) for _, e in rows], dtype=float),
            "currency": [e.currency for _, e in rows],
            "counterparty": [e.counterparty for _, e in rows],
            "reference": [e.reference for _, e in rows],
            "description": [e.description for _, e in rows],
            "category": [None] * len(rows),
        },
        columns=TABLES["bank_transactions"].names,
    )
    balances = pd.DataFrame(_balance_rows(parsed.statements), columns=TABLES["bank_balances"].names)
    balances["date"] = pd.to_datetime(balances["date"])
    balances["amount"] = balances["amount"].astype(float)
    return txns, balances


def _balance_rows(statements: tuple[Statement, ...]) -> list[dict[str, Any]]:
    found: dict[tuple[str, date, str], dict[str, Any]] = {}
    for s in statements:
        stated = (
            ("opening", s.opening_balance, s.opening_date),
            ("closing", s.closing_balance, s.closing_date),
            ("available", s.available_balance, s.closing_date or s.opening_date),
        )
        for kind, amount, day in stated:
            if amount is None or day is None:
                continue
            key = (s.account, day, kind)
            if kind == "opening" and key in found:
                continue  # the day's first opening balance is the day's opening
            found[key] = {
                "account_id": s.account,
                "date": day,
                "balance_type": kind,
                "amount": float(amount),
                "currency": s.currency,
            }
    return list(found.values())
