"""Known future flows from calendars: payroll, taxes, fees and other flows that recur by month.

These are scheduled, not guessed: a flow that came from the same counterparty in the same
category every month (or quarter, or year) around the same day is projected onto the next
occurrences, on the usual day moved off weekends the way its history shows (taxes usually
to the next business day, salaries to the previous one), for the median of its latest
amounts. Flows that do not recur stay in the statistical forecast.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["RECURRING_CATEGORIES", "project_recurring"]

RECURRING_CATEGORIES = ("payroll", "tax", "fees", "intercompany", "financing")
_MIN_OCCURRENCES = 3


def project_recurring(
    lines: pd.DataFrame, *, as_of: date, horizon_days: int, lookback_days: int = 400
) -> tuple[pd.DataFrame, pd.Index]:
    """Recurring flows after ``as_of``, and the index of the history lines they explain.

    Args:
        lines: categorised bank lines with ``key`` (position), ``category``, ``counterparty``,
            ``booking_date``, ``amount``.

    Returns:
        (schedule, explained): schedule has ``key, category, counterparty, ds, amount,
        period_months, basis`` (one row per projected occurrence); ``explained`` indexes the
        history lines of the recurring series (so the statistical forecast leaves them out).
    """
    t = pd.Timestamp(as_of)
    end = t + pd.Timedelta(days=horizon_days)
    recent = lines.loc[
        lines["category"].isin(RECURRING_CATEGORIES)
        & (lines["booking_date"] > t - pd.Timedelta(days=lookback_days))
        & (lines["booking_date"] <= t)
    ].copy()
    recent["counterparty"] = recent["counterparty"].fillna("")
    # One counterparty (a tax office) may hold several calendars: monthly payroll tax,
    # quarterly VAT, income-tax prepayments. The wording without numbers tells them apart.
    text = recent["description"] if "description" in recent else pd.Series("", recent.index)
    recent["signature"] = (
        text.fillna("")
        .astype(str)
        .str.lower()
        .str.replace(r"[\d/\-.:#]+", " ", regex=True)
        .str.split()
        .str.join(" ")
        .str[:48]
    )
    recent["month"] = recent["booking_date"].dt.to_period("M")
    rows: list[dict[str, object]] = []
    explained: list[pd.Index] = []
    for (key, category, party, _sig), group in recent.groupby(
        ["key", "category", "counterparty", "signature"], sort=True
    ):
        monthly = group.groupby("month").agg(
            amount=("amount", "sum"), day=("booking_date", lambda d: d.dt.day.median())
        )
        if len(monthly) < _MIN_OCCURRENCES:
            continue
        period = _period_months(monthly.index)
        if period is None:
            continue
        amount = float(monthly["amount"].tail(3).median())
        day, following = _usual_day(monthly["day"].round().astype(int).to_numpy())
        last = monthly.index.max()
        step = 1
        while True:
            month = last + step * period
            when = _business_day(month, day, following=following)
            step += 1
            if when <= t:
                continue
            if when > end:
                break
            rows.append(
                {
                    "key": key,
                    "category": category,
                    "counterparty": party,
                    "ds": when,
                    "amount": round(amount, 2),
                    "period_months": period,
                    "basis": f"{len(monthly)} occurrences, every {period} month(s) "
                    f"around day {day}; median of the last 3",
                }
            )
        explained.append(group.index)
    schedule = pd.DataFrame(
        rows,
        columns=["key", "category", "counterparty", "ds", "amount", "period_months", "basis"],
    )
    index = explained[0].append(explained[1:]) if explained else pd.Index([])
    return schedule, index


def _period_months(months: pd.Index) -> int | None:
    """1, 3 or 12 when the months a flow came in are that far apart (allowing one gap)."""
    ordinals = np.sort(np.array([p.ordinal for p in months]))
    gaps = np.diff(ordinals)
    if len(gaps) == 0:
        return None
    for period in (1, 3, 12):
        if np.mean(gaps == period) >= 0.75:
            return period
    return None


def _usual_day(days: np.ndarray) -> tuple[int, bool]:
    """The day of month a flow is due on, and whether weekends push it later (taxes
    usually) or earlier (salaries usually), read off the days it actually came."""
    values, counts = np.unique(days, return_counts=True)
    usual = int(values[np.argmax(counts)])
    later = int(np.sum(days > usual))
    earlier = int(np.sum(days < usual))
    return usual, later > earlier


def _business_day(month: pd.Period, day: int, *, following: bool) -> pd.Timestamp:
    last_day = month.days_in_month
    when = pd.Timestamp(year=month.year, month=month.month, day=min(max(day, 1), last_day))
    step = pd.Timedelta(days=1 if following else -1)
    while when.weekday() >= 5:
        when += step
    if when.month != month.month:  # rolled out of the month: roll the other way
        while when.weekday() >= 5 or when.month != month.month:
            when -= step
    return when
