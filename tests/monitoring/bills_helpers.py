"""A window and a forecast holding scheduled supplier bills, for the variance tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from tools.forecasting.cash import CashForecast
from tools.forecasting.outlook import CashOutlook, Position

AS_OF = date(2026, 1, 9)
A, B = pd.Timestamp(2026, 1, 19), pd.Timestamp(2026, 1, 30)


def bills_forecast(scheduled: pd.DataFrame) -> CashForecast:
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


def bill(item: str, supplier: str, due: str, amount: float = -1000.0) -> dict[str, object]:
    return {
        "key": "US01/USD",
        "item_id": item,
        "counterparty_id": supplier,
        "category": "supplier_payment",
        "due_date": date.fromisoformat(due),
        "amount": amount,
        "discount_date": None,
        "discount_pct": 0.0,
        "critical": False,
    }
