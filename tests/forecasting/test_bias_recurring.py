"""Calendar flows a treasurer knows: annual items in monthly series, calendar-month taxes."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tools.forecasting.recurring import project_recurring


def _lines(dates: list[pd.Timestamp], amounts: list[float], **cols: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": "E1/EUR",
            "category": cols.get("category", "payroll"),
            "counterparty": cols.get("counterparty", "Employees"),
            "description": cols.get("description", "Net salaries"),
            "booking_date": dates,
            "amount": amounts,
        }
    )


def test_last_years_bonus_month_is_repeated() -> None:
    months = pd.date_range("2024-09-01", "2025-09-01", freq="MS") + pd.Timedelta(days=24)
    amounts = [-150_000.0 if d.month == 11 else -100_000.0 for d in months]
    schedule, _ = project_recurring(
        _lines(list(months), amounts), as_of=date(2025, 9, 30), horizon_days=91
    )
    by_month = schedule.set_index(schedule["ds"].dt.month)["amount"]
    assert by_month[10] == -100_000.0
    assert by_month[11] == -150_000.0
    assert by_month[12] == -100_000.0
    assert "annual item" in schedule.loc[schedule["ds"].dt.month == 11, "basis"].iloc[0]


def test_prepayments_in_calendar_months_are_projected_from_last_year() -> None:
    # April, June, September, December: gaps 2, 3, 3, 4 months, no fixed period
    when = [
        pd.Timestamp(d)
        for d in ("2024-09-16", "2024-12-16", "2025-04-15", "2025-06-16", "2025-09-15")
    ]
    amounts = [-200_000.0, -200_000.0, -210_000.0, -210_000.0, -210_000.0]
    lines = _lines(
        when,
        amounts,
        category="tax",
        counterparty="Revenue Service",
        description="Income tax prepayment",
    )
    schedule, explained = project_recurring(lines, as_of=date(2025, 9, 30), horizon_days=91)
    assert len(schedule) == 1
    row = schedule.iloc[0]
    assert row["ds"].month == 12
    assert row["amount"] == -210_000.0  # last December, grown as September grew
    assert len(explained) == len(lines)


def test_a_refund_and_a_payment_of_one_return_are_one_series() -> None:
    when = [pd.Timestamp(d) for d in ("2024-10-10", "2025-01-10", "2025-04-10", "2025-07-10")]
    lines = _lines(
        when,
        [-50_000.0, -40_000.0, -60_000.0, 30_000.0],
        category="tax",
        counterparty="Tax office",
        description="VAT return",
    )
    lines.loc[3, "description"] = "Refund VAT return"
    schedule, _ = project_recurring(lines, as_of=date(2025, 8, 31), horizon_days=91)
    assert list(schedule["ds"].dt.month) == [10]
    assert schedule["period_months"].iloc[0] == 3


def test_a_series_that_moves_every_month_gets_no_annual_uplift() -> None:
    months = pd.date_range("2024-09-01", "2025-09-01", freq="MS")
    amounts = [-1000.0 * (1 + 0.3 * ((i % 3) - 1)) for i in range(len(months))]  # interest
    amounts[2] = -2500.0  # November 2024 was high, but so are other months at times
    lines = _lines(
        list(months), amounts, category="financing", counterparty="Bank", description="Interest"
    )
    schedule, _ = project_recurring(lines, as_of=date(2025, 9, 30), horizon_days=91)
    assert schedule["amount"].nunique() == 1
    assert not schedule["basis"].str.contains("annual item").any()
