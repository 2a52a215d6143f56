"""Robust seasonal-profile candidates for the panel engine, in statsforecast's model interface.

Cash and demand series with a strong within-season pattern (the weekday pattern of daily
flows) are often forecast best by the pattern itself rather than by a fitted state-space
model: the pattern is stable, while outages, holidays and one-off spikes pull fitted levels
and trends around. Two robust versions are offered, and like every candidate they earn
their place only in the backtest:

- ``SeasonalMedian``: the median of the same point of the season over the last seasons
  (a median version of the seasonal window average, insensitive to a closed or spiking day).
- ``SeasonalProfile``: a long, robust seasonal profile (the median of each season's pattern
  relative to its own mean, over up to a year of seasons) times the recent level (the median
  of the last seasons' means). Multiplicative for positive series, additive otherwise.

Both follow statsforecast's model protocol (``forecast``, ``fit``/``predict``, ``new``,
``alias``), so they run in ``StatsForecast`` on this machine or on Ray like the built-in
models.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

__all__ = ["SeasonalMedian", "SeasonalProfile", "profile_forecast", "seasonal_median"]


def _seasons(y: np.ndarray, m: int, k: int) -> np.ndarray:
    """The last ``k`` full seasons of ``y`` as a (k, m) block aligned to the series' end."""
    k = max(1, min(k, len(y) // m))
    return y[len(y) - k * m :].reshape(k, m)


def _repeat(season: np.ndarray, h: int) -> np.ndarray:
    """Continue a season block (aligned to the end of the history) for ``h`` periods."""
    return np.resize(season, h)


def seasonal_median(y: np.ndarray, h: int, m: int, window: int) -> np.ndarray:
    """The median of each seasonal position over the last ``window`` seasons, repeated."""
    y = np.asarray(y, dtype=float)
    if m < 2 or len(y) < m:
        return np.full(h, float(np.median(y[-max(1, min(len(y), window)) :])))
    return _repeat(np.median(_seasons(y, m, window), axis=0), h)


def profile_forecast(
    y: np.ndarray, h: int, m: int, profile_seasons: int, level_seasons: int
) -> np.ndarray:
    """Robust seasonal profile (up to ``profile_seasons``) times the recent level.

    The level is the median of the last ``level_seasons`` season means. The profile is
    the median over seasons of each season's values relative to that season's mean
    (ratios when every season mean is positive, differences otherwise), renormalised to
    average one (or zero).
    """
    y = np.asarray(y, dtype=float)
    if m < 2 or len(y) < m:
        return np.full(h, float(np.median(y[-max(1, min(len(y), level_seasons)) :])))
    block = _seasons(y, m, profile_seasons)
    means = block.mean(axis=1, keepdims=True)
    level = float(np.median(_seasons(y, m, level_seasons).mean(axis=1)))
    if np.all(means > 0) and np.all(block >= 0) and level > 0:
        prof = np.median(block / means, axis=0)
        total = prof.mean()
        prof = prof / total if total > 0 else np.ones(m)
        return _repeat(level * prof, h)
    diff = np.median(block - means, axis=0)
    return _repeat(level + diff - diff.mean(), h)


class _Profiled:
    """statsforecast's model protocol for a forecast function of the history."""

    uses_exog = False
    alias: str

    def _mean(self, y: np.ndarray, h: int) -> np.ndarray:
        raise NotImplementedError

    def new(self) -> Any:
        return copy.copy(self)

    def __repr__(self) -> str:
        return self.alias

    def forecast(
        self,
        y: np.ndarray,
        h: int,
        X: np.ndarray | None = None,
        X_future: np.ndarray | None = None,
        level: list[int] | None = None,
        fitted: bool = False,
    ) -> dict[str, np.ndarray]:
        """Point forecasts ``{"mean": (h,)}`` from the history ``y`` (no fitted values)."""
        del X, X_future, level, fitted  # intervals come from the engine's conformal step
        return {"mean": self._mean(np.asarray(y, dtype=float), h)}

    def fit(self, y: np.ndarray, X: np.ndarray | None = None) -> Any:
        del X
        self._y = np.asarray(y, dtype=float)
        return self

    def predict(
        self,
        h: int,
        X: np.ndarray | None = None,
        level: list[int] | None = None,
    ) -> dict[str, np.ndarray]:
        del X, level
        return {"mean": self._mean(self._y, h)}


class SeasonalMedian(_Profiled):
    """Median of the same seasonal position over the last ``window`` seasons."""

    def __init__(self, season_length: int, window: int = 13, alias: str = "SeasonalMedian"):
        self.season_length = season_length
        self.window = window
        self.alias = alias

    def _mean(self, y: np.ndarray, h: int) -> np.ndarray:
        return seasonal_median(y, h, self.season_length, self.window)


class SeasonalProfile(_Profiled):
    """Robust long seasonal profile times the median level of the last seasons."""

    def __init__(
        self,
        season_length: int,
        profile_seasons: int = 52,
        level_seasons: int = 8,
        alias: str = "SeasonalProfile",
    ):
        self.season_length = season_length
        self.profile_seasons = profile_seasons
        self.level_seasons = level_seasons
        self.alias = alias

    def _mean(self, y: np.ndarray, h: int) -> np.ndarray:
        return profile_forecast(y, h, self.season_length, self.profile_seasons, self.level_seasons)
