"""Bank-data completeness: coverage, missing days, balance breaks, staleness."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tools.workspace.completeness import bank_completeness

D = pd.Timestamp


def balances(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"account_id": a, "date": D(d), "balance_type": t, "amount": x, "currency": "EUR"}
            for a, d, t, x in rows
        ]
    )


def test_missing_days_breaks_and_staleness() -> None:
    bal = balances(
        [
            ("A", "2024-03-04", "opening", 100.0),
            ("A", "2024-03-04", "closing", 120.0),
            # Tuesday 5 March missing
            ("A", "2024-03-06", "opening", 125.0),
            ("A", "2024-03-06", "closing", 125.0),  # break
            ("A", "2024-03-07", "opening", 125.0),
            ("A", "2024-03-07", "closing", 130.0),
        ]
    )
    accounts = pd.DataFrame({"account_id": ["A", "B"]})
    empty = pd.DataFrame(columns=["account_id", "booking_date"])
    report = bank_completeness(accounts, bal, empty, as_of=date(2024, 3, 11))
    a, b = report.accounts
    assert a.missing == [date(2024, 3, 5), date(2024, 3, 8), date(2024, 3, 11)]
    assert (a.expected_days, a.days_with_statement, a.coverage) == (6, 3, 0.5)
    assert a.balance_breaks == [date(2024, 3, 6)]
    assert a.stale_days == 2
    assert (b.expected_days, b.coverage) == (0, 0.0)  # no statement ever received
    assert report.coverage == 0.5


def test_holidays_are_not_expected() -> None:
    bal = balances([("A", "2024-12-24", "closing", 1.0), ("A", "2024-12-26", "closing", 1.0)])
    empty = pd.DataFrame(columns=["account_id", "booking_date"])
    report = bank_completeness(
        pd.DataFrame({"account_id": ["A"]}), bal, empty, holidays=frozenset({date(2024, 12, 25)})
    )
    assert report.accounts[0].missing == []
    assert report.coverage == 1.0
