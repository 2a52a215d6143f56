"""How complete the bank data is: per account, the business days with a statement, the
days missing, and the days whose opening balance does not continue the previous closing."""

from __future__ import annotations

from datetime import date

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AccountCompleteness", "Completeness", "bank_completeness"]


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


class Completeness(BaseModel):
    model_config = ConfigDict(frozen=True)

    as_of: date | None
    accounts: list[AccountCompleteness]

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
) -> Completeness:
    """Statement coverage per account on business days (Mon-Fri less ``holidays``).

    A day counts as covered when the account has a balance or a booked line that day.
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
        out.append(_account(account, have, balances, end, holidays))
    return Completeness(as_of=end, accounts=out)


def _account(
    account: str,
    have: set[date],
    balances: pd.DataFrame,
    end: date | None,
    holidays: frozenset[date],
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
    expected = [d.date() for d in pd.bdate_range(first, end) if d.date() not in holidays]
    missing = [d for d in expected if d not in have]
    stale = sum(1 for d in expected if d > last)
    covered = len(expected) - len(missing)
    return AccountCompleteness(
        account_id=account,
        first=first,
        last=last,
        expected_days=len(expected),
        days_with_statement=covered,
        coverage=round(covered / len(expected), 4) if expected else 1.0,
        missing=missing[-30:],
        balance_breaks=_breaks(balances, account),
        stale_days=stale,
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
