"""Helpers the statement parsers share: errors that name the file, text clean-up, dates."""

from __future__ import annotations

import calendar
import re
from datetime import date

from tools.errors import DataError, Problem

__all__ = [
    "IBAN_RE",
    "decode_text",
    "fail",
    "one_line",
    "problem_text",
    "squash",
    "yymmdd",
]

IBAN_RE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}")
_SPACES = re.compile(r"\s+")


def fail(
    file: str,
    message: str,
    *,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    expected: str | None = None,
) -> DataError:
    """A ``DataError`` with one problem; the caller raises it."""
    return DataError(
        [
            Problem(
                file=file,
                message=message,
                row=row,
                column=column,
                value=None if value is None else one_line(value),
                expected=expected,
            )
        ]
    )


def problem_text(file: str, message: str, *, row: int | None = None) -> str:
    """A warning worded like a ``Problem``: ``file, row N: message``."""
    return str(Problem(file=file, message=message, row=row))


def one_line(text: str, *, limit: int = 60) -> str:
    """``text`` on one line and cut to ``limit`` characters, for quoting in a message."""
    flat = _SPACES.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def squash(text: str | None) -> str | None:
    """Whitespace runs folded to one space; ``None`` when nothing is left."""
    if text is None:
        return None
    flat = _SPACES.sub(" ", text).strip()
    return flat or None


def decode_text(data: bytes, file: str) -> tuple[str, list[str]]:
    """Text of a line-based statement (MT940, BAI2): UTF-8, else Latin-1 with a warning."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        warning = problem_text(
            file,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02X}); read as Latin-1, "
            "so accented letters may be wrong",
            row=line,
        )
        return data.decode("latin-1"), [warning]


def yymmdd(text: str, file: str, *, row: int | None, column: str) -> date:
    """A ``YYMMDD`` date (20YY); a day past the month's end (30 February) is its last day."""
    if len(text) != 6 or not text.isdigit():
        raise fail(file, "not a date", row=row, column=column, value=text, expected="YYMMDD")
    year, month, day = 2000 + int(text[:2]), int(text[2:4]), int(text[4:])
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise fail(file, "not a date", row=row, column=column, value=text, expected="YYMMDD")
    # Banks write 30 February for month-end interest; the day that exists is meant.
    if day > 28:
        day = min(day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
