"""Data completeness: expected-statement calendars, missing days, gaps, balance breaks,
skipped statement numbers and the score other tools read."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tools.workspace.completeness import bank_completeness, data_completeness
from tools.workspace.importer import import_files
from tools.workspace.workspace import Workspace

NO_LINES = pd.DataFrame(columns=["account_id", "booking_date"])


def closings(account: str, days: list[date], amount: float = 100.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": account,
            "date": pd.to_datetime(days),
            "balance_type": "closing",
            "amount": amount,
            "currency": "EUR",
        }
    )


def fridays(n: int, *, skip: int | None = None) -> list[date]:
    first = date(2024, 1, 5)
    return [first + timedelta(weeks=k) for k in range(n) if k != skip]


def test_weekly_account_learns_its_calendar() -> None:
    # ten Fridays, the fourth one missing: a weekly statement, not four days in five missing
    report = bank_completeness(
        pd.DataFrame({"account_id": ["W"]}), closings("W", fridays(10, skip=3)), NO_LINES
    )
    (w,) = report.accounts
    assert (w.calendar, w.expected_weekdays) == ("learned from history", [4])
    assert (w.expected_days, w.days_with_statement) == (10, 9)
    assert w.missing == [date(2024, 1, 26)]
    assert w.gaps == [(date(2024, 1, 26), date(2024, 1, 26), 1)]
    assert w.score == 0.9


def test_short_history_expects_every_business_day() -> None:
    report = bank_completeness(
        pd.DataFrame({"account_id": ["W"]}), closings("W", fridays(3)), NO_LINES
    )
    (w,) = report.accounts
    assert w.calendar == "business days"
    assert w.expected_days == 11  # Fri 5 Jan .. Fri 19 Jan
    assert w.gaps == [
        (date(2024, 1, 8), date(2024, 1, 11), 4),
        (date(2024, 1, 15), date(2024, 1, 18), 4),
    ]


def test_configured_calendar_wins() -> None:
    report = bank_completeness(
        pd.DataFrame({"account_id": ["W"]}),
        closings("W", fridays(10)),
        NO_LINES,
        calendars={"W": frozenset({0, 4})},  # Mondays and Fridays
    )
    (w,) = report.accounts
    assert w.calendar == "configured"
    assert w.expected_days == 19 and len(w.missing) == 9
    assert report.score == pytest.approx(10 / 19, abs=1e-4)


def mt940(number: int, day: date, opening: float, moves: list[float]) -> str:
    """One statement of account DE89..., number ``number``, booked on ``day``."""
    stamp = f"{day:%y%m%d}"
    out = [
        f":20:STMT{number}",
        ":25:DE89370400440532013000",
        f":28C:{number:05d}/001",
        f":60F:C{stamp}EUR{opening:.2f}".replace(".", ","),
    ]
    for k, move in enumerate(moves):
        mark = "C" if move > 0 else "D"
        out += [
            f":61:{stamp}{day:%m%d}{mark}{abs(move):.2f}NTRFREF{number}{k}".replace(".", ","),
            ":86:Payment",
        ]
    closing = opening + sum(moves)
    out += [f":62F:C{stamp}EUR{closing:.2f}".replace(".", ","), "-"]
    return "\n".join(out)


def test_workspace_completeness_from_imported_statements(ws: Workspace, tmp_path: Path) -> None:
    statements = [
        mt940(12, date(2024, 3, 4), 1000.0, [50.0]),  # Mon, closes 1050
        mt940(13, date(2024, 3, 5), 1050.0, [-20.0]),  # Tue, closes 1030
        # Wed 6 March: statement 14 never delivered
        mt940(15, date(2024, 3, 7), 1030.0, [10.0]),  # Thu, closes 1040
        mt940(16, date(2024, 3, 8), 1100.0, [5.0]),  # Fri opens 1100, not 1040: a break
    ]
    path = tmp_path / "march.sta"
    path.write_text("\n".join(statements) + "\n")
    report = import_files(ws, [path], defaults={"entity_id": "DE01"})
    assert report.status != "failed", report.problems
    (acc,) = data_completeness(ws, as_of=date(2024, 3, 11)).accounts
    assert acc.missing == [date(2024, 3, 6), date(2024, 3, 11)]
    assert acc.balance_breaks == [date(2024, 3, 8)]
    assert acc.missing_statement_numbers == ["14"]
    assert acc.stale_days == 1
    assert acc.last == date(2024, 3, 8)
    # six expected days, four received, one of them breaking the balance chain
    assert (acc.expected_days, acc.days_with_statement, acc.score) == (6, 4, 0.5)
