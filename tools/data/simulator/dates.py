"""Day arithmetic for the simulator: integer day indexes, business days and month boundaries.

Every simulated date is an ``int`` offset from the warm-up start, so whole arrays of
dates can be shifted, compared and rolled to business days with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .constants import WARMUP_DAYS

# One calendar for both banks keeps the statements aligned; weekends plus these days.
_HOLIDAYS = ((1, 1), (12, 25))


@dataclass(frozen=True, eq=False)
class Horizon:
    """The simulated span: a warm-up before ``start``, then the history up to ``end``."""

    start: date
    end: date
    sim_start: date = field(init=False)
    holidays: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        sim_start = self.start - timedelta(days=WARMUP_DAYS)
        years = range(sim_start.year, self.end.year + 2)
        hol = np.array([date(y, m, d) for y in years for m, d in _HOLIDAYS], "datetime64[D]")
        object.__setattr__(self, "sim_start", sim_start)
        object.__setattr__(self, "holidays", hol)

    @property
    def origin(self) -> np.datetime64:
        return np.datetime64(self.sim_start, "D")

    @property
    def n_days(self) -> int:
        return (self.end - self.sim_start).days + 1

    @property
    def start_idx(self) -> int:
        return self.index(self.start)

    @property
    def end_idx(self) -> int:
        return self.index(self.end)

    def index(self, day: date) -> int:
        return (day - self.sim_start).days

    def dates(self, idx: np.ndarray | int) -> np.ndarray:
        """datetime64[D] of day indexes."""
        return self.origin + np.asarray(idx, dtype="int64")

    def timestamps(self, idx: np.ndarray) -> pd.DatetimeIndex:
        """Day indexes as pandas timestamps; negative indexes mean 'no date' (NaT)."""
        idx = np.asarray(idx, dtype="int64")
        out = self.dates(idx).astype("datetime64[ns]")
        out[idx < 0] = np.datetime64("NaT")
        return pd.DatetimeIndex(out)

    def _to_idx(self, days: np.ndarray) -> np.ndarray:
        return (days - self.origin).astype("int64")

    def is_busday(self, idx: np.ndarray) -> np.ndarray:
        return np.is_busday(self.dates(idx), holidays=self.holidays)

    def roll_forward(self, idx: np.ndarray, *, weekmask: str = "1111100") -> np.ndarray:
        """The same day when it is a business day (of ``weekmask``), else the next one."""
        d = np.busday_offset(
            self.dates(idx), 0, roll="forward", weekmask=weekmask, holidays=self.holidays
        )
        return self._to_idx(d)

    def roll_backward(self, idx: np.ndarray, *, weekmask: str = "1111100") -> np.ndarray:
        d = np.busday_offset(
            self.dates(idx), 0, roll="backward", weekmask=weekmask, holidays=self.holidays
        )
        return self._to_idx(d)

    def add_busdays(self, idx: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        d = np.busday_offset(self.dates(idx), n, roll="forward", holidays=self.holidays)
        return self._to_idx(d)

    def busdays(self, lo: int = 0, hi: int | None = None) -> np.ndarray:
        """Indexes of the business days in ``[lo, hi]`` (default: the whole span)."""
        hi = self.n_days - 1 if hi is None else hi
        idx = np.arange(lo, hi + 1)
        return idx[self.is_busday(idx)]

    def weekday(self, idx: np.ndarray) -> np.ndarray:
        """Monday = 0 ... Sunday = 6."""
        return (np.asarray(idx) + self.sim_start.weekday()) % 7

    def months(self) -> np.ndarray:
        """datetime64[M] of every month the span touches, plus the next one."""
        first = np.datetime64(self.sim_start, "M")
        last = np.datetime64(self.end, "M") + 1
        return np.arange(first, last + 1)

    def month_day(self, months: np.ndarray, day: int) -> np.ndarray:
        """Index of calendar day ``day`` of each month (clipped to the month's last day)."""
        first = months.astype("datetime64[D]")
        last = (months + 1).astype("datetime64[D]") - 1
        return self._to_idx(np.minimum(first + (day - 1), last))

    def month_end(self, months: np.ndarray) -> np.ndarray:
        return self._to_idx((months + 1).astype("datetime64[D]") - 1)

    def calendar(self) -> pd.DatetimeIndex:
        """All calendar days of the span, for month/year lookups."""
        return pd.DatetimeIndex(self.dates(np.arange(self.n_days)).astype("datetime64[ns]"))


def month_of(h: Horizon, idx: np.ndarray) -> np.ndarray:
    """Months since 1970 of day indexes (monotone; equal within a calendar month)."""
    return h.dates(idx).astype("datetime64[M]").astype("int64")


def quarter_of(h: Horizon, idx: np.ndarray) -> np.ndarray:
    return month_of(h, idx) // 3
