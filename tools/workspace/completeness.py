"""How complete the bank data is: per account, the days a statement is expected (its
calendar), the days missing, runs of missing days, the days whose opening balance does
not continue the previous closing, statement numbers the bank skipped, and one score.

The calendar is every business day unless configured per account or, with at least
``_LEARN_WEEKS`` of history, learned from it: an account statemented only on Fridays is
not missing four days a week.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from tools.workspace.workspace import Workspace

__all__ = ["AccountCompleteness", "Completeness", "bank_completeness", "data_completeness"]

_LEARN_WEEKS = 8  # history needed before an account's own statement weekdays are trusted
_WEEKDAY_SHARE = 0.5  # a weekday is expected when it had a statement in half the weeks


class AccountCompleteness(BaseModel):
    model_config = ConfigDict(frozen=True)

    account_id: str
    first: date | None
    last: date | None
    expected_days: int = Field(description="Business days from the first statement to as-of")
    days_with_statement: int
    coverage: float = Field(description="Share of expected days with a statement")
    missing: list[date] = Field(description="Business days without a statement (latest 30)")
    balance_breaks: list[date] = Field(
        description="Days whose opening balance differs from the previous closing balance"
    )
    stale_days: int = Field(description="Business days between the last statement and as-of")
    expected_weekdays: list[int] = Field(
        default=[0, 1, 2, 3, 4], description="Weekdays a statement is expected (Monday = 0)"
    )
    calendar: str = Field(
        default="business days",
        description="Where the calendar comes from: configured, "
        "learned from the account's history, or business days",
    )
    gaps: list[tuple[date, date, int]] = Field(
        default=[], description="Runs of missing expected days: first, last, how many"
    )
    missing_statement_numbers: list[str] = Field(
        default=[], description="Statement numbers the bank skipped (from the import log)"
    )
    score: float = Field(
        default=0.0,
        description="Share of expected days with a statement whose opening balance "
        "continues the previous closing (1.0: complete and consistent)",
    )


class Completeness(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of: date | None
    accounts: list[AccountCompleteness]

    @property
    def score(self) -> float:
        """Completeness over all accounts, weighted by expected days (1.0 when none)."""
        expected = sum(a.expected_days for a in self.accounts)
        good = sum(a.score * a.expected_days for a in self.accounts)
        return round(good / expected, 4) if expected else 1.0

    @property
    def coverage(self) -> float:
        """Coverage over all accounts together (1.0 when there is nothing to expect)."""
        expected = sum(a.expected_days for a in self.accounts)
        have = sum(a.days_with_statement for a in self.accounts)
        return round(have / expected, 4) if expected else 1.0


def bank_completeness(
    accounts: pd.DataFrame,
    balances: pd.DataFrame,
    transactions: pd.DataFrame,
    *,
    as_of: date | None = None,
    holidays: frozenset[date] = frozenset(),
    calendars: Mapping[str, frozenset[int]] | None = None,
    statement_gaps: Mapping[str, list[str]] | None = None,
) -> Completeness:
    """Statement coverage per account on its expected days (business days less
    ``holidays``, on the weekdays configured in ``calendars`` or learned from history).

    A day counts as covered when the account has a balance or a booked line that day.
    ``statement_gaps`` (account -> skipped statement numbers) comes from the import log.
    """
    days_by_account: dict[str, set[date]] = {}
    for frame, col in ((balances, "date"), (transactions, "booking_date")):
        if frame.empty:
            continue
        for account, dates in frame.groupby("account_id")[col]:
            days_by_account.setdefault(str(account), set()).update(d.date() for d in dates)
    every = [d for ds in days_by_account.values() for d in ds]
    end = as_of or (max(every) if every else None)
    ids = (
        sorted(set(accounts["account_id"].astype(str)) | set(days_by_account))
        if not accounts.empty
        else sorted(days_by_account)
    )
    out = []
    for account in ids:
        have = days_by_account.get(account, set())
        weekdays = (calendars or {}).get(account)
        row = _account(account, have, balances, end, holidays, weekdays)
        skipped = list((statement_gaps or {}).get(account, []))
        out.append(row.model_copy(update={"missing_statement_numbers": skipped}))
    return Completeness(as_of=end, accounts=out)


def _account(
    account: str,
    have: set[date],
    balances: pd.DataFrame,
    end: date | None,
    holidays: frozenset[date],
    configured: frozenset[int] | None,
) -> AccountCompleteness:
    if not have or end is None:
        return AccountCompleteness(
            account_id=account,
            first=None,
            last=None,
            expected_days=0,
            days_with_statement=0,
            coverage=0.0,
            missing=[],
            balance_breaks=[],
            stale_days=0,
        )
    first, last = min(have), max(have)
    weekdays, source = _calendar(have, first, last, configured)
    expected = [
        d.date()
        for d in pd.bdate_range(first, end)
        if d.date() not in holidays and d.weekday() in weekdays
    ]
    missing = [d for d in expected if d not in have]
    stale = sum(1 for d in expected if d > last)
    covered = len(expected) - len(missing)
    breaks = _breaks(balances, account)
    consistent = covered - len({b for b in breaks if b in set(expected)})
    return AccountCompleteness(
        account_id=account,
        first=first,
        last=last,
        expected_days=len(expected),
        days_with_statement=covered,
        coverage=round(covered / len(expected), 4) if expected else 1.0,
        missing=missing[-30:],
        balance_breaks=breaks,
        stale_days=stale,
        expected_weekdays=sorted(weekdays),
        calendar=source,
        gaps=_runs(missing, expected),
        score=round(max(consistent, 0) / len(expected), 4) if expected else 1.0,
    )


def _calendar(
    have: set[date], first: date, last: date, configured: frozenset[int] | None
) -> tuple[frozenset[int], str]:
    """The weekdays a statement is expected, and where that comes from."""
    if configured:
        return frozenset(configured), "configured"
    weeks = (last - first).days // 7
    if weeks < _LEARN_WEEKS:
        return frozenset(range(5)), "business days"
    per_weekday = [0] * 7
    for d in have:
        per_weekday[d.weekday()] += 1
    learned = frozenset(w for w, n in enumerate(per_weekday) if n >= _WEEKDAY_SHARE * weeks)
    learned = frozenset(w for w in learned if w < 5) or frozenset(range(5))
    source = "business days" if learned == frozenset(range(5)) else "learned from history"
    return learned, source


def _runs(missing: list[date], expected: list[date]) -> list[tuple[date, date, int]]:
    """Missing days grouped into runs of consecutive expected days."""
    position = {d: i for i, d in enumerate(expected)}
    runs: list[tuple[date, date, int]] = []
    for day in missing:
        if runs and position[day] == position[runs[-1][1]] + 1:
            start, _, n = runs[-1]
            runs[-1] = (start, day, n + 1)
        else:
            runs.append((day, day, 1))
    return runs


def data_completeness(ws: Workspace, as_of: date | None = None) -> Completeness:
    """How complete the workspace's bank data is, per account: expected and received
    statement days, the last statement, runs of missing days, balance breaks, statement
    numbers skipped by the bank, and a score; for the agent's data status and risk."""
    from tools.workspace.statement_log import statement_number_gaps

    frames = ws.read_all()
    with ws.engine.connect() as conn:
        skipped = statement_number_gaps(conn)
    return bank_completeness(
        frames["bank_accounts"],
        frames["bank_balances"],
        frames["bank_transactions"],
        as_of=as_of,
        statement_gaps=skipped,
    )


def _breaks(balances: pd.DataFrame, account: str) -> list[date]:
    if balances.empty:
        return []
    own = balances.loc[balances["account_id"] == account]
    opening = own.loc[own["balance_type"] == "opening"].set_index("date")["amount"]
    closing = own.loc[own["balance_type"] == "closing"].set_index("date")["amount"]
    if opening.empty or closing.empty:
        return []
    previous = closing.sort_index()
    out = []
    for day, amount in opening.sort_index().items():
        before = previous.loc[previous.index < day]
        if not before.empty and abs(float(before.iloc[-1]) - float(amount)) > 0.005:
            out.append(pd.Timestamp(str(day)).date())
    return out
