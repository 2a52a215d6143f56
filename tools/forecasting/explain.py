"""What drives a cash forecast and what changed since the previous one, as citable data."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from tools.forecasting.cash import CashForecast

__all__ = ["ForecastChange", "PositionSummary", "compare_forecasts", "summarize"]


class PositionSummary(BaseModel):
    """One position's forecast in a few numbers (position currency)."""

    model_config = ConfigDict(frozen=True)

    key: str
    currency: str
    opening: float
    minimum: float
    closing_mean: float
    closing_lo_95: float
    closing_hi_95: float
    lowest_mean: float
    lowest_date: str
    by_category: dict[str, float]  # expected total over the horizon; scheduled bills included


class ForecastChange(BaseModel):
    """A difference between two forecasts of the same position."""

    model_config = ConfigDict(frozen=True)

    key: str
    what: str
    previous: float
    current: float
    change: float


def summarize(forecast: CashForecast) -> list[PositionSummary]:
    """Per position: opening, closing with its 95 % band, lowest point, flows by category."""
    o = forecast.outlook
    out = []
    for pos in o.positions:
        balances = o.balance_paths(pos.key)
        mean = balances.mean(axis=0)
        low = int(np.argmin(mean))
        end = balances[:, -1]
        by_cat = {c: float(o.paths[(pos.key, c)].sum(axis=1).mean()) for c in o.categories(pos.key)}
        scheduled = float(o.scheduled_flows(pos.key).sum())
        by_cat["supplier_payment"] = by_cat.get("supplier_payment", 0.0) + scheduled
        out.append(
            PositionSummary(
                key=pos.key,
                currency=pos.currency,
                opening=round(pos.opening, 2),
                minimum=pos.minimum,
                closing_mean=round(float(end.mean()), 2),
                closing_lo_95=round(float(np.quantile(end, 0.025)), 2),
                closing_hi_95=round(float(np.quantile(end, 0.975)), 2),
                lowest_mean=round(float(mean[low]), 2),
                lowest_date=o.dates[low].date().isoformat(),
                by_category={k: round(v, 2) for k, v in sorted(by_cat.items())},
            )
        )
    return out


def compare_forecasts(
    previous: CashForecast, current: CashForecast, *, threshold: float = 0.0
) -> list[ForecastChange]:
    """Changes per position, largest first: opening cash, closing cash, flows by category.

    Args:
        threshold: leave out changes smaller than this (position currency).
    """
    before = {s.key: s for s in summarize(previous)}
    changes: list[ForecastChange] = []
    for now in summarize(current):
        old = before.get(now.key)
        if old is None:
            continue
        pairs: list[tuple[str, float, float]] = [
            ("opening balance", old.opening, now.opening),
            ("expected closing balance", old.closing_mean, now.closing_mean),
            ("lowest expected balance", old.lowest_mean, now.lowest_mean),
        ]
        for cat in sorted(set(old.by_category) | set(now.by_category)):
            pairs.append(
                (
                    f"{cat} over the horizon",
                    old.by_category.get(cat, 0.0),
                    now.by_category.get(cat, 0.0),
                )
            )
        for what, a, b in pairs:
            if abs(b - a) > threshold:
                changes.append(
                    ForecastChange(
                        key=now.key, what=what, previous=a, current=b, change=round(b - a, 2)
                    )
                )
    return sorted(changes, key=lambda c: -abs(c.change))
