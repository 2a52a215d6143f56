"""The few pay dates that matter for each bill.

Paying later never lowers a cash balance and, inside a window with the same discount
and fee, never costs more, so for each bill only these dates can be optimal: the last
payment run on or before the discount deadline, the last run on or before the due date
(an off-cycle payment on the due date for critical suppliers when no run fits), and for
non-critical suppliers the runs within the allowed lateness window. Bills whose deadline
lies after the horizon have an "after horizon" choice with no cash effect inside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.errors import ConfigError

__all__ = ["KINDS", "payment_candidates", "run_days"]

KINDS = ("discount", "on_time", "late", "urgent", "after_horizon")
AFTER = 10**6  # day index standing for "after the horizon"


def run_days(dates: pd.DatetimeIndex, weekdays: tuple[int, ...]) -> np.ndarray:
    """Horizon day indices that are payment-run days (Monday = 0)."""
    if not weekdays or any(not 0 <= w <= 6 for w in weekdays):
        raise ConfigError(
            f"payment_run_weekdays {weekdays!r}: give one or more weekdays 0-6 (Monday = 0), "
            "e.g. (1, 3) for Tuesday and Thursday runs"
        )
    runs = np.flatnonzero(np.isin(np.asarray(dates.weekday), list(weekdays)))
    if runs.size == 0:
        raise ConfigError(
            f"no payment-run day {weekdays} falls inside the {len(dates)}-day horizon; "
            "lengthen the horizon or add run days"
        )
    return runs


def _last_run_le(runs: np.ndarray, day: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(runs, day, side="right") - 1
    return np.where(pos >= 0, runs[np.clip(pos, 0, None)], -1)


def payment_candidates(
    bills: pd.DataFrame,
    dates: pd.DatetimeIndex,
    *,
    weekdays: tuple[int, ...],
    max_days_late: int,
    max_late_options: int = 4,
) -> pd.DataFrame:
    """Candidate (bill, day, kind) rows, sorted by bill then day (after-horizon last).

    ``bill`` is the row position in ``bills``; ``day`` indexes ``dates`` (``AFTER`` for
    after the horizon); ``days_late`` and ``days_early`` are relative to the due date.
    """
    if max_days_late < 0:
        raise ConfigError(f"max_days_late {max_days_late} is negative; use 0 to never pay late")
    h = len(dates)
    runs = run_days(dates, weekdays)
    start = dates[0]
    n = len(bills)
    idx = np.arange(n)
    due = (pd.to_datetime(bills["due_date"]) - start).dt.days.to_numpy()
    disc = (pd.to_datetime(bills["discount_date"]) - start).dt.days.to_numpy(
        dtype=float, na_value=np.nan
    )
    critical = bills["critical"].to_numpy(bool)
    has_disc = (bills["discount_pct"].to_numpy(float) > 0) & np.isfinite(disc)
    parts: list[tuple[np.ndarray, np.ndarray, str]] = []

    # Discount: last run on or before the deadline, when the deadline is in the horizon.
    d_in = has_disc & (np.nan_to_num(disc, nan=-1) >= 0) & (np.nan_to_num(disc, nan=h) < h)
    d_day = _last_run_le(runs, np.nan_to_num(disc, nan=-1).astype(int))
    ok = d_in & (d_day >= 0)
    parts.append((idx[ok], d_day[ok], "discount"))
    # Discount deadline after the horizon: paying then (outside the model) is the choice.
    d_after = has_disc & (np.nan_to_num(disc, nan=-1) >= h)
    parts.append((idx[d_after], np.full(int(d_after.sum()), AFTER), "after_horizon"))

    # On time.
    after = (due >= h) & ~d_after
    parts.append((idx[after], np.full(int(after.sum()), AFTER), "after_horizon"))
    inside = (due >= 0) & (due < h)
    o_day = _last_run_le(runs, np.clip(due, 0, h - 1))
    ok = inside & (o_day >= 0)
    parts.append((idx[ok], o_day[ok], "on_time"))
    urgent_due = inside & (o_day < 0) & critical
    parts.append((idx[urgent_due], due[urgent_due], "urgent"))
    overdue_critical = (due < 0) & critical
    parts.append((idx[overdue_critical], np.zeros(int(overdue_critical.sum()), int), "urgent"))

    # Late (non-critical): runs after the due date spread over the window (last one kept).
    late_ok = ~critical & (due < h)
    first = np.searchsorted(runs, np.maximum(due, -1), side="right")
    last = np.searchsorted(runs, due + max_days_late, side="right")
    count = np.maximum(last - first, 0)
    steps = max(max_late_options - 1, 1)
    for j in range(max_late_options):
        pos = first + np.round(j * (count - 1) / steps).astype(int)
        valid = late_ok & (count > 0) & (pos < runs.size)
        day = runs[np.clip(pos, 0, runs.size - 1)]
        parts.append((idx[valid], day[valid], "late"))

    frame = pd.DataFrame(
        {
            "bill": np.concatenate([p[0] for p in parts]),
            "day": np.concatenate([p[1] for p in parts]).astype(int),
            "kind": np.concatenate([np.full(len(p[0]), p[2]) for p in parts]),
        }
    )
    # A bill overdue beyond its lateness window is paid at the first run.
    missing = np.setdiff1d(idx, frame["bill"].to_numpy())
    if missing.size:
        fallback = pd.DataFrame({"bill": missing, "day": runs[0], "kind": "late"})
        frame = pd.concat([frame, fallback], ignore_index=True)
    rank = frame["kind"].map({k: i for i, k in enumerate(KINDS)})
    frame = (
        frame.assign(rank=rank)
        .sort_values(["bill", "day", "rank"], kind="stable")
        .drop_duplicates(["bill", "day"])
        .drop(columns="rank")
        .reset_index(drop=True)
    )
    due_c = due[frame["bill"].to_numpy()]
    day_c = frame["day"].to_numpy()
    real = day_c < AFTER
    frame["days_late"] = np.where(real, np.maximum(day_c - due_c, 0), 0)
    frame["days_early"] = np.where(real, np.maximum(due_c - day_c, 0), 0)
    return frame
