"""The canonical bank-statement model every parser (camt, MT940/942, BAI2) produces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Entry", "ParsedFile", "Statement", "StatementKind"]

StatementKind = Literal["statement", "intraday", "notification"]


class Entry(BaseModel):
    """One booked line of a statement; ``amount`` is signed: money in > 0, money out < 0."""

    model_config = ConfigDict(frozen=True)

    booking_date: date
    value_date: date | None = None
    amount: Decimal
    currency: str
    counterparty: str | None = None
    counterparty_account: str | None = None
    reference: str | None = None  # end-to-end id, creditor or customer reference
    description: str | None = None  # remittance information / :86: text
    bank_reference: str | None = None  # the bank's own id of the line
    code: str | None = None  # bank transaction code, GV code or BAI type code
    line: int | None = None  # line of the file where the entry starts


class Statement(BaseModel):
    """One account's statement (or intraday report, or notification) for one period."""

    model_config = ConfigDict(frozen=True)

    account: str  # IBAN or account number
    currency: str
    statement_id: str | None = None
    sequence: str | None = None
    opening_balance: Decimal | None = None
    opening_date: date | None = None
    closing_balance: Decimal | None = None
    closing_date: date | None = None
    available_balance: Decimal | None = None
    entries: tuple[Entry, ...] = ()
    kind: StatementKind = "statement"


class ParsedFile(BaseModel):
    """Everything read from one statement file, with what a reader should double-check."""

    model_config = ConfigDict(frozen=True)

    format: str  # "camt.053.001.02", "mt940", "mt942", "bai2", ...
    statements: tuple[Statement, ...]
    warnings: tuple[str, ...] = ()
