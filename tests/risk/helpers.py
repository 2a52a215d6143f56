"""Small synthetic cash outlooks with answers that can be worked out by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from tools.forecasting.outlook import SCHEDULED_COLUMNS, CashOutlook, Position

AS_OF = date(2026, 1, 2)  # a Friday


def scheduled(rows: Sequence[Mapping[str, object]] = ()) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(SCHEDULED_COLUMNS))
    return frame if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEDULED_COLUMNS})


def outlook(
    paths: Mapping[tuple[str, str], np.ndarray],
    positions: Sequence[Position],
    *,
    bills: pd.DataFrame | None = None,
    as_of: date = AS_OF,
    reporting: str = "USD",
) -> CashOutlook:
    n_days = next(iter(paths.values())).shape[1]
    return CashOutlook(
        as_of=as_of,
        reporting_currency=reporting,
        dates=pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=n_days),
        positions=tuple(positions),
        paths=dict(paths),
        scheduled=bills if bills is not None else scheduled(),
        provenance={"source": "test"},
    )


def position(
    key: str = "US01/USD",
    *,
    opening: float = 100.0,
    minimum: float = 50.0,
    credit: float = 0.0,
    fx: float = 1.0,
) -> Position:
    entity, currency = key.split("/")
    return Position(
        key=key,
        entity_id=entity,
        currency=currency,
        opening=opening,
        accounts=(f"{entity}-OP",),
        minimum=minimum,
        credit_limit=credit,
        fx_to_reporting=fx,
    )


def steady(n_paths: int, n_days: int, per_day: float) -> np.ndarray:
    return np.full((n_paths, n_days), per_day, dtype=float)


def random_outlook(seed: int, *, n_paths: int = 200, n_days: int = 30) -> CashOutlook:
    """Receipts (>= 0) and payments (<= 0) with noise, one position with a floor."""
    rng = np.random.default_rng(seed)
    receipts = rng.gamma(2.0, 5.0, (n_paths, n_days))
    payments = -rng.gamma(2.0, 5.5, (n_paths, n_days))
    return outlook(
        {("US01/USD", "customer_receipt"): receipts, ("US01/USD", "supplier_payment"): payments},
        [position(opening=100.0, minimum=60.0, credit=20.0)],
    )
