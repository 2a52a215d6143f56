"""Known future flows from calendars: payroll, taxes, fees and other flows that recur by month.

These are scheduled, not guessed: a flow that came from the same counterparty in the same
category every month (or quarter, or year) around the same day is projected onto the next
occurrences, on the usual day moved off weekends the way its history shows (taxes usually
to the next business day, salaries to the previous one), for the median of its latest
amounts. Two calendar habits a treasurer knows are kept as well:

- **annual items inside a monthly series** (a 13th salary, a Christmas bonus): when the
  same month a year ago was well out of line with its neighbours, that uplift is repeated;
- **flows tied to calendar months rather than a fixed period** (income-tax prepayments in
  April, June, September and December; VAT returns that turn into refunds a month later):
  a series that recurs but not every 1, 3 or 12 months is projected from the same months a
  year earlier, scaled by how its amounts have moved since.

A refund and a payment of the same return are one series (the word "refund" is ignored
when series are told apart). Flows that do not recur stay in the statistical forecast.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["RECURRING_CATEGORIES", "project_recurring"]

RECURRING_CATEGORIES = ("payroll", "tax", "fees", "intercompany", "financing")
_MIN_OCCURRENCES = 3
_ANNUAL_SPAN_MONTHS = 10  # history a calendar-month series needs to be projected a year on
_UPLIFT = 0.15  # a month a year ago this far off its neighbours is an annual item
_STEADY = 0.05  # ... provided the neighbours were this close to each other
_GROWTH_BOUNDS = (0.8, 1.25)
_REFUND = r"\b(?:refund|erstattung|rückerstattung)\b"


def project_recurring(
    lines: pd.DataFrame, *, as_of: date, horizon_days: int, lookback_days: int = 400
) -> tuple[pd.DataFrame, pd.Index]:
    """Recurring flows after ``as_of``, and the index of the history lines they explain.

    Args:
        lines: categorised bank lines with ``key`` (position), ``category``, ``counterparty``,
            ``booking_date``, ``amount``.

    Returns:
        (schedule, explained): schedule has ``key, category, counterparty, ds, amount,
        period_months, basis`` (one row per projected occurrence; ``period_months`` is 12
        for flows projected from the same month a year earlier); ``explained`` indexes the
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
        .str.replace(_REFUND, " ", regex=True)
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
            found = _calendar_months(monthly, t, end)
        else:
            found = _periodic(monthly, period, t, end)
        if found is None:
            continue
        for when, amount, basis in found:
            rows.append(
                {
                    "key": key,
                    "category": category,
                    "counterparty": party,
                    "ds": when,
                    "amount": round(amount, 2),
                    "period_months": period or 12,
                    "basis": basis,
                }
            )
        explained.append(group.index)
    schedule = pd.DataFrame(
        rows,
        columns=["key", "category", "counterparty", "ds", "amount", "period_months", "basis"],
    )
    index = explained[0].append(explained[1:]) if explained else pd.Index([])
    return schedule, index


def _periodic(
    monthly: pd.DataFrame, period: int, t: pd.Timestamp, end: pd.Timestamp
) -> list[tuple[pd.Timestamp, float, str]]:
    """Occurrences every ``period`` months after the last one, for the median of the last 3
    (times last year's uplift for the month, if that month was an annual item)."""
    level = float(monthly["amount"].tail(3).median())
    day, following = _usual_day(monthly["day"].round().astype(int).to_numpy())
    last = monthly.index.max()
    out = []
    step = 1
    while True:
        month = last + step * period
        when = _business_day(month, day, following=following)
        step += 1
        if when <= t:
            continue
        if when > end:
            break
        uplift = _annual_uplift(monthly["amount"], month) if period == 1 else 1.0
        basis = (
            f"{len(monthly)} occurrences, every {period} month(s) around day {day}; "
            "median of the last 3"
        )
        if uplift != 1.0:
            basis += f"; x{uplift:.2f} as in {month - 12} (annual item)"
        out.append((when, level * uplift, basis))
    return out


def _annual_uplift(amounts: pd.Series, month: pd.Period) -> float:
    """How far the same month a year ago stood above (or below) its neighbours; 1 when it
    was in line or is not in the history."""
    ago = month - 12
    if ago not in amounts.index:
        return 1.0
    around = amounts.reindex([ago - 2, ago - 1, ago + 1, ago + 2]).dropna()
    if len(around) < 2:
        return 1.0
    usual = float(around.median())
    if usual == 0 or float((around - usual).abs().max()) > _STEADY * abs(usual):
        return 1.0  # the neighbours vary themselves: no steady base to stand out from
    last_year = float(dict(zip(amounts.index, amounts.to_numpy(float), strict=True))[ago])
    if usual == 0 or np.sign(usual) != np.sign(last_year):
        return 1.0
    ratio = last_year / usual
    return ratio if abs(ratio - 1) > _UPLIFT else 1.0


def _calendar_months(
    monthly: pd.DataFrame, t: pd.Timestamp, end: pd.Timestamp
) -> list[tuple[pd.Timestamp, float, str]] | None:
    """Occurrences in the months of the horizon that had one a year earlier, for last
    year's amount moved by the series' growth since; None when the history is too short to
    know its calendar."""
    months = monthly.index
    if (months.max() - months.min()).n < _ANNUAL_SPAN_MONTHS:
        return None
    growth = _growth(monthly["amount"])
    days = dict(zip(months, monthly["day"].to_numpy(float), strict=True))
    amounts = dict(zip(months, monthly["amount"].to_numpy(float), strict=True))
    out = []
    month = t.to_period("M")
    while month.start_time <= end:
        ago = month - 12
        if ago in months:
            day = round(days[ago])
            when = _business_day(month, day, following=True)
            if t < when <= end:
                amount = amounts[ago] * growth
                basis = f"{len(monthly)} occurrences in calendar months; as in {ago}" + (
                    f" x{growth:.2f} growth" if growth != 1.0 else ""
                )
                out.append((when, amount, basis))
        month += 1
    return out


def _growth(amounts: pd.Series) -> float:
    """The latest amount over the one a year before it (same sign), bounded; 1 without one."""
    latest = amounts.index.max()
    before = amounts.index[amounts.index <= latest - 12]
    if len(before) == 0:
        return 1.0
    a, b = float(amounts[latest]), float(amounts[before.max()])
    if b == 0 or np.sign(a) != np.sign(b):
        return 1.0
    return float(np.clip(a / b, *_GROWTH_BOUNDS))


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
