"""Market data: EURUSD fixings and money-market curves per currency, business days only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import Shock
from .dates import Horizon

TENORS = ("ON", "1W", "1M", "3M", "6M", "12M")
# How much of the ON-to-12M slope each tenor carries; a gently upward curve.
_TENOR_WEIGHT = np.array([0.0, 0.03, 0.15, 0.4, 0.7, 1.0])
# (start ON rate, long-run ON level, typical 12M-ON slope), percent
_CURVES = {"USD": (5.30, 3.50, 0.30), "EUR": (3.65, 2.25, 0.25)}
_EURUSD_START, _EURUSD_MEAN, _EURUSD_VOL = 1.08, 1.10, 0.0045


@dataclass(frozen=True, eq=False)
class Market:
    """Rates per calendar day of the span (weekends carry Friday's fixing) and the tables."""

    eurusd: np.ndarray  # USD per EUR, per day index
    one_month: dict[str, np.ndarray]  # 1M rate in percent, per currency and day index
    fx_rates: pd.DataFrame
    interest_rates: pd.DataFrame

    def to_usd(self, amount: np.ndarray, currency: str, day: np.ndarray) -> np.ndarray:
        return amount * self.eurusd[day] if currency == "EUR" else amount


def _carry_forward(h: Horizon, bdays: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per calendar day, the latest business-day value (the first one before any fixing)."""
    pos = np.searchsorted(bdays, np.arange(h.n_days), side="right") - 1
    return values[np.maximum(pos, 0)]


def _eurusd(
    h: Horizon, bdays: np.ndarray, rng: np.random.Generator, shocks: tuple[Shock, ...]
) -> np.ndarray:
    eps = rng.standard_normal(len(bdays))
    log_x = np.empty(len(bdays))
    x, mean = np.log(_EURUSD_START), np.log(_EURUSD_MEAN)
    for i, e in enumerate(eps):  # slow mean reversion keeps two years of path plausible
        x += 0.002 * (mean - x) + _EURUSD_VOL * e
        log_x[i] = x
    for shock in shocks:
        if shock.kind == "fx_move":
            log_x[bdays >= h.index(shock.start)] += np.log1p((shock.pct or 0) / 100)
    return np.round(np.exp(log_x), 5)


def _curve(n: int, currency: str, rng: np.random.Generator) -> np.ndarray:
    """Rates (n x tenors): a smooth short-rate walk plus a mostly positive slope."""
    level, target, slope_mean = _CURVES[currency]
    shocks = rng.standard_normal((n, 2))
    noise = rng.normal(0, 0.01, (n, len(TENORS)))
    short = np.empty(n)
    slope = np.empty(n)
    velocity, s = 0.0, slope_mean
    for i in range(n):
        velocity = 0.97 * velocity + 0.001 * shocks[i, 0]
        level = max(level + velocity + 0.002 * (target - level), -0.5)
        s = slope_mean + 0.995 * (s - slope_mean) + 0.015 * shocks[i, 1]
        short[i], slope[i] = level, s
    rates = short[:, None] + slope[:, None] * _TENOR_WEIGHT[None, :] + noise
    rates[:, 0] = short
    return np.round(rates, 3)


def build_market(h: Horizon, *, rng: np.random.Generator, shocks: tuple[Shock, ...]) -> Market:
    """EURUSD and USD/EUR money-market curves over the span; tables cover ``start..end``."""
    bdays = h.busdays()
    fx = _eurusd(h, bdays, rng, shocks)
    shown = bdays >= h.start_idx
    stamps = h.timestamps(bdays[shown])
    fx_table = pd.DataFrame({"date": stamps, "base": "EUR", "quote": "USD", "rate": fx[shown]})
    frames, one_month = [], {}
    for currency in ("USD", "EUR"):
        rates = _curve(len(bdays), currency, rng)
        one_month[currency] = _carry_forward(h, bdays, rates[:, TENORS.index("1M")])
        n = int(shown.sum())
        frames.append(
            pd.DataFrame(
                {
                    "date": np.repeat(stamps, len(TENORS)),
                    "currency": currency,
                    "tenor": np.tile(TENORS, n),
                    "rate": rates[shown].ravel(),
                }
            )
        )
    rates_table = pd.concat(frames, ignore_index=True).sort_values(
        ["date", "currency"], kind="stable", ignore_index=True
    )
    return Market(_carry_forward(h, bdays, fx), one_month, fx_table, rates_table)
