"""Small, seeded cash outlooks and bills for optimizer tests (hand-checkable numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tools.forecasting.outlook import SCHEDULED_COLUMNS, CashOutlook, Position

AS_OF = date(2026, 6, 28)  # a Sunday: day 0 of the horizon is Monday 29 June
DAY0 = AS_OF + timedelta(days=1)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def bill(
    item_id: str,
    amount: float,
    *,
    due: int,
    discount_day: int | None = None,
    discount_pct: float = 0.0,
    critical: bool = False,
    key: str = "US01/USD",
    supplier: str | None = None,
) -> dict[str, Any]:
    return {
        "key": key,
        "item_id": item_id,
        "counterparty_id": supplier or f"S-{item_id}",
        "category": "supplier_payment",
        "due_date": pd.Timestamp(day(due)),
        "amount": -float(amount),
        "discount_date": pd.Timestamp(day(discount_day)) if discount_day is not None else pd.NaT,
        "discount_pct": discount_pct,
        "critical": critical,
    }


def make_outlook(
    bills: Sequence[dict[str, Any]] = (),
    *,
    opening: float = 1_000_000.0,
    daily: float | np.ndarray = 0.0,
    days: int = 42,
    floor: float = 0.0,
    credit_limit: float = 0.0,
    credit_rate: float = 8.0,
    n_paths: int = 200,
    noise: float = 0.0,
    seed: int = 0,
    positions: Sequence[tuple[str, float]] = (("US01/USD", 1.0),),
) -> CashOutlook:
    """An outlook with a constant (or given) daily flow plus seeded noise per path."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(DAY0, periods=days, freq="D")
    flows = np.broadcast_to(np.asarray(daily, float), (days,))
    paths = {}
    pos = []
    for key, fx in positions:
        entity, currency = key.split("/")
        paths[(key, "customer_receipt")] = flows + noise * rng.standard_normal((n_paths, days))
        pos.append(
            Position(
                key=key,
                entity_id=entity,
                currency=currency,
                opening=opening,
                accounts=(f"{entity}-OP",),
                minimum=floor,
                credit_limit=credit_limit,
                credit_rate=credit_rate,
                fx_to_reporting=fx,
            )
        )
    scheduled = pd.DataFrame(list(bills), columns=list(SCHEDULED_COLUMNS))
    return CashOutlook(
        as_of=AS_OF,
        reporting_currency="USD",
        dates=dates,
        positions=tuple(pos),
        paths=paths,
        scheduled=scheduled,
        provenance={"source": "test factory", "seed": seed},
    )
