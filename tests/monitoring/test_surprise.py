"""The yardstick of surprise: how uncertain the forecast (or the company's habits) was."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.forecasting.cash import CashForecast
from tools.forecasting.outlook import CashOutlook, Position
from tools.monitoring.surprise import fx_volatility, history_variance

AS_OF = date(2026, 1, 9)
A, B = pd.Timestamp(2026, 1, 19), pd.Timestamp(2026, 1, 30)


def _forecast(scheduled: pd.DataFrame) -> CashForecast:
    outlook = CashOutlook(
        as_of=AS_OF,
        reporting_currency="USD",
        dates=pd.date_range("2026-01-10", periods=40, freq="D"),
        positions=(
            Position(key="US01/USD", entity_id="US01", currency="USD", opening=0.0, accounts=()),
        ),
        paths={},
        scheduled=scheduled,
    )
    return CashForecast(
        outlook=outlook,
        receivables=pd.DataFrame(),
        receivables_daily=pd.DataFrame(),
        recurring=pd.DataFrame(),
        categorized=pd.DataFrame(),
    )


def _bill(item: str, supplier: str, due: str) -> dict[str, object]:
    return {
        "key": "US01/USD",
        "item_id": item,
        "counterparty_id": supplier,
        "category": "supplier_payment",
        "due_date": date.fromisoformat(due),
        "amount": -1000.0,
        "discount_date": None,
        "discount_pct": 0.0,
        "critical": False,
    }


@pytest.mark.parametrize(
    ("base", "quote"),
    [
        ("EUR", "USD"),  # direct quote
        ("USD", "EUR"),  # inverse quote: the same volatility
    ],
)
def test_fx_volatility_scales_with_the_square_root_of_time(base: str, quote: str) -> None:
    days = pd.bdate_range("2025-01-01", "2026-01-09")
    steps = np.where(np.arange(len(days)) % 2 == 0, 0.01, -0.01)
    rates = pd.DataFrame(
        {"date": days, "base": base, "quote": quote, "rate": 1.1 * np.exp(np.cumsum(steps))}
    )
    vol = fx_volatility(rates, "EUR", "USD", pd.Timestamp(AS_OF), 25)
    assert vol == pytest.approx(0.01 * 5, rel=0.02)
    assert fx_volatility(rates, "USD", "USD", pd.Timestamp(AS_OF), 25) == 0.0
    assert fx_volatility(rates.iloc[:5], "EUR", "USD", pd.Timestamp(AS_OF), 25) == 0.0


def test_without_history_lines_calendar_flows_get_no_spread() -> None:
    fc = _forecast(pd.DataFrame([_bill("B1", "S1", "2026-01-12")]))
    assert history_variance(fc, "US01/USD", "tax", A, B) == 0.0
