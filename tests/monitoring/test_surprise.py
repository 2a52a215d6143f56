"""The yardstick of surprise: how uncertain the forecast (or the company's habits) was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.monitoring.bills_helpers import AS_OF, A, B, bill, bills_forecast
from tools.monitoring.surprise import fx_volatility, history_variance


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
    fc = bills_forecast(pd.DataFrame([bill("B1", "S1", "2026-01-12")]))
    assert history_variance(fc, "US01/USD", "tax", A, B) == 0.0
