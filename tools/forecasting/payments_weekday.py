"""On which weekday money arrives: customers' payment runs and bank holidays at weekends.

Many customers pay in a weekly payment run, so their payments land on one weekday; and
where the ledger never shows a settlement on a Saturday or Sunday, the bank does not
book at weekends. Both move a predicted payment day to a day the money can
arrive, never before as_of.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.forecasting.payments_data import day_number

__all__ = ["place_on_weekdays", "weekday_habits"]

_MIN_PAYMENTS = 8  # settled invoices before a customer's payment day is trusted
_RUN_SHARE = 0.6  # share of payments on one weekday that marks a payment run
_WEEKEND_SHARE = 0.01  # below this share of weekend settlements, weekends are closed
_NO_RUN = -1


def _weekday(days: np.ndarray) -> np.ndarray:
    return ((days.astype(np.int64) + 3) % 7).astype(np.int64)  # day 0 was a Thursday


def weekday_habits(ledger: pd.DataFrame, customers: pd.Series) -> tuple[np.ndarray, bool]:
    """Each customer's payment-run weekday (Mon = 0; -1 for none) and whether the ledger's
    settlements show that weekends are closed."""
    settled = ledger.loc[ledger["settled_date"].notna()]
    if settled.empty:
        return np.full(len(customers), _NO_RUN), False
    wd = _weekday(day_number(settled["settled_date"]))
    closed = bool(np.mean(wd >= 5) < _WEEKEND_SHARE)
    counts = pd.crosstab(settled["customer_id"].to_numpy(), wd)
    total = counts.sum(axis=1)
    share = counts.max(axis=1) / total
    run = pd.Series(counts.idxmax(axis=1), index=counts.index).where(
        (total >= _MIN_PAYMENTS) & (share >= _RUN_SHARE), _NO_RUN
    )
    return customers.map(run).fillna(_NO_RUN).to_numpy(np.int64), closed


def place_on_weekdays(
    late: np.ndarray,
    due: np.ndarray,
    run_day: np.ndarray,
    weekends_closed: bool,
    min_late: np.ndarray,
) -> np.ndarray:
    """Days late (n, atoms) moved to the nearest day of each customer's payment run, or
    off closed weekends (Saturday to Friday, Sunday to Monday); the model's days late
    already include these habits on average, so the nearest day keeps the mean. A day
    moved before ``min_late`` goes a week (or to Monday) forward instead. Rows stay sorted.
    """
    wd = _weekday(due[:, None] + late)
    nearest = (run_day[:, None] - wd + 3) % 7 - 3  # -3..+3 days to the run weekday
    shift = np.where(run_day[:, None] >= 0, nearest, 0)
    if weekends_closed:
        wd_after = (wd + shift) % 7
        shift = shift + np.where(wd_after == 5, -1, np.where(wd_after == 6, 1, 0))
    moved = late + shift
    early = moved < min_late[:, None]
    forward = np.where(run_day[:, None] >= 0, moved + 7, late + (7 - wd) % 7)
    return np.sort(np.where(early, np.maximum(forward, late), moved), axis=1)
