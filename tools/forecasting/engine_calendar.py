"""Public holidays as calendar effects on daily series, learned across the panel.

A holiday moves daily volumes in a way no seasonal model learns from two years of
history: Easter moves, a bank holiday falls on a different weekday each year, and the days
around it (the rush before a long weekend, the catch-up after) move too. The engine
therefore treats the days near a public holiday as known calendar effects:

- every day within ``window`` days of a holiday gets a key, the nearest holiday's name and
  the offset (``"Good Friday-1"``, ``"Easter Monday+0"``);
- a key's effect is the median, over every series and year, of the log ratio between the
  day's value and the same weekday's median over the four weeks either side (days near
  other holidays left out), kept when at least ``min_support`` days support it;
- the models are fitted on history with those effects divided out, and their forecasts
  (means, intervals, paths, and the backtests that choose the models and calibrate the
  intervals) multiplied back on the affected days.

Effects are multiplicative, so only series that never go negative (volumes, withdrawals,
sales) get them; net cash flows keep their calendar in the cash outlook's own rules. Zero
days are read as outages and left out of the effects, so a series that is closed on
holidays (flows booked on business days only) is better forecast on a business-day
frequency with its holidays as missing days than with effects.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tools.errors import ConfigError
from tools.forecasting.engine_select import Backtest

__all__ = [
    "CalendarEffects",
    "estimate_calendar",
    "holiday_calendar",
    "holiday_keys",
    "restore_backtest",
    "restore_forecast",
]


def holiday_calendar(spec: str, years: Iterable[int]) -> dict[date, str]:
    """Public holidays of a country (``"GB"``) or subdivision (``"GB-ENG"``), by date."""
    import holidays as lib

    country, _, subdiv = spec.strip().upper().partition("-")
    try:
        cal = lib.country_holidays(country, subdiv=subdiv or None, years=list(years))
    except NotImplementedError as exc:
        raise ConfigError(
            f"unknown holiday calendar {spec!r}: use an ISO 3166 country code such as 'GB', "
            "'US' or 'DE', optionally with a subdivision ('GB-ENG', 'US-NY', 'DE-BY')"
        ) from exc
    return {d: str(name) for d, name in sorted(cal.items())}


_STEP = {"D": 7, "B": 5}  # periods between the same weekday, by daily frequency


@dataclass(frozen=True)
class CalendarEffects:
    """Learned holiday effects: log multipliers per key, and the series they apply to.

    ``effects`` maps keys (``"Easter Monday+0"``) to log multipliers; ``support`` counts
    the days (over series and years) behind each; ``series`` are the series the effects
    apply to (those that never go negative).
    """

    holidays: Mapping[date, str]
    window: int
    effects: dict[str, float]
    support: dict[str, int]
    series: frozenset[str]

    def factors(self, uid: pd.Series | np.ndarray, ds: pd.Series | pd.DatetimeIndex) -> np.ndarray:
        """The multiplier of each (series, date) row: 1 where no effect applies."""
        dates = pd.DatetimeIndex(ds)
        uniq, inv = np.unique(dates.values, return_inverse=True)
        keys = holiday_keys(pd.DatetimeIndex(uniq), self.holidays, self.window)
        per_date = np.array([np.exp(self.effects.get(k, 0.0)) if k else 1.0 for k in keys])
        applies = pd.Series(np.asarray(uid)).isin(self.series).to_numpy()
        return np.where(applies, per_date[inv], 1.0)

    def clean(self, data: pd.DataFrame) -> pd.DataFrame:
        """The long panel with the effects divided out of the affected days."""
        out = data.copy()
        out["y"] = out["y"].to_numpy(float) / self.factors(out["unique_id"], out["ds"])
        return out

    def describe(self) -> dict[str, Any]:
        """Provenance: the calendar, the window and every effect in percent."""
        ordered = sorted(self.effects.items(), key=lambda kv: -abs(kv[1]))
        return {
            "holidays": len(self.holidays),
            "window_days": self.window,
            "series": len(self.series),
            "effects_pct": {k: round(100 * float(np.expm1(v)), 1) for k, v in ordered},
            "support": {k: self.support[k] for k, _ in ordered},
        }


def holiday_keys(dates: pd.DatetimeIndex, holidays: Mapping[date, str], window: int) -> np.ndarray:
    """Per date the nearest holiday within ``window`` days and the offset, or None.

    Ties go to the earlier holiday (the day between Boxing Day and New Year's Day counts
    after Boxing Day).
    """
    keys = np.full(len(dates), None, dtype=object)
    best = np.full(len(dates), window + 1)
    days = dates.normalize().values.astype("datetime64[D]")
    for day, name in sorted(holidays.items()):
        off = (days - np.datetime64(day, "D")).astype(int)
        closer = np.abs(off) < best
        for i in np.flatnonzero(closer):
            keys[i] = f"{name}{off[i]:+d}"
        best = np.where(closer, np.abs(off), best)
    return keys


def estimate_calendar(
    data: pd.DataFrame,
    holidays: Mapping[date, str],
    *,
    freq: str,
    window: int = 3,
    weeks: int = 4,
    min_support: int = 3,
) -> CalendarEffects:
    """Learn the holiday effects of a regular long panel (``unique_id, ds, y``).

    Args:
        data: the panel after ``prepare_panel`` (regular dates, gaps filled).
        holidays: public holidays by date (``holiday_calendar``).
        freq: ``"D"`` or ``"B"``; window: days either side of a holiday that get a key
            (3, chosen on NN5 origins inside its training part); weeks: weeks either side
            that make a day's reference level; min_support: days a key needs, over series
            and years, to get an effect.

    Raises:
        ConfigError: the frequency is not daily.
    """
    if freq not in _STEP:
        raise ConfigError(
            f"holiday effects need daily series (freq 'D' or 'B'), not {freq!r}: forecast "
            "without holidays or resample the series to days"
        )
    if window < 0:
        raise ConfigError(f"holiday window must be 0 or more days (got {window})")
    step = _STEP[freq]
    wide = data.pivot(index="unique_id", columns="ds", values="y")
    eligible = wide.index[(wide.min(axis=1) >= 0).to_numpy()]
    wide = wide.loc[eligible]
    keys = holiday_keys(pd.DatetimeIndex(wide.columns), holidays, window)
    values = wide.to_numpy(float)
    near = np.array([k is not None for k in keys])
    quiet = np.where(near[None, :], np.nan, values)
    logs: dict[str, list[np.ndarray]] = {}
    n = values.shape[1]
    for t in np.flatnonzero(near):
        cols = [t + step * k for k in range(-weeks, weeks + 1) if k and 0 <= t + step * k < n]
        if not cols:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN references
            ref = np.nanmedian(quiet[:, cols], axis=1)
        ok = (values[:, t] > 0) & (ref > 0)
        logs.setdefault(str(keys[t]), []).append(np.log(values[ok, t] / ref[ok]))
    effects: dict[str, float] = {}
    support: dict[str, int] = {}
    for key, parts in logs.items():
        pooled = np.concatenate(parts)
        if len(pooled) >= min_support:
            effects[key] = float(np.median(pooled))
            support[key] = len(pooled)
    return CalendarEffects(
        holidays=dict(holidays),
        window=window,
        effects=effects,
        support=support,
        series=frozenset(str(u) for u in eligible),
    )


def restore_backtest(bt: Backtest, raw: pd.DataFrame, cal: CalendarEffects) -> Backtest:
    """The backtest of the cleaned panel scored on the raw values, effects multiplied back.

    The windows are the last ``windows x h`` periods of each series (``run_backtests``), so
    model choice and interval calibration see what the holiday-adjusted forecast would have
    missed by, holidays included.
    """
    n_windows, h = bt.y.shape[1], bt.y.shape[2]
    span = n_windows * h
    factor = np.ones((len(bt.ids), span))
    y = np.full((len(bt.ids), span), np.nan)
    groups = raw.assign(factor=cal.factors(raw["unique_id"], raw["ds"])).groupby(
        "unique_id", sort=False
    )
    for i, uid in enumerate(bt.ids):
        g = groups.get_group(uid)
        m = min(len(g), span)
        factor[i, span - m :] = g["factor"].to_numpy(float)[-m:]
        y[i, span - m :] = g["y"].to_numpy(float)[-m:]
    factor = factor.reshape(bt.y.shape)
    y = np.where(np.isnan(bt.y), np.nan, y.reshape(bt.y.shape))
    return replace(bt, y=y, pred=bt.pred * factor[..., None])


def restore_forecast(
    frame: pd.DataFrame, paths: np.ndarray | None, cal: CalendarEffects, columns: list[str]
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Forecast rows (``unique_id, ds`` in series order, ``h`` each) and paths, effects back."""
    factor = cal.factors(frame["unique_id"], frame["ds"])
    out = frame.copy()
    for col in columns:
        out[col] = out[col].to_numpy(float) * factor
    if paths is None:
        return out, None
    return out, paths * factor.reshape(paths.shape[0], 1, paths.shape[2])
