"""Daily flow series and their sample paths: the statistical part of the cash forecast."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["daily_panel", "series_paths", "week_bootstrap_paths"]


def daily_panel(
    frame: pd.DataFrame, *, id_col: str, date_col: str, value_col: str, start: date, end: date
) -> pd.DataFrame:
    """A gap-free daily long frame ``unique_id, ds, y`` (missing days are zero flows)."""
    days = pd.date_range(start, end, freq="D")
    ids = sorted(frame[id_col].dropna().unique())
    sums = frame.groupby([id_col, date_col])[value_col].sum()
    full = pd.MultiIndex.from_product([ids, days], names=["unique_id", "ds"])
    y = sums.reindex(full, fill_value=0.0)
    return y.rename("y").reset_index()


def week_bootstrap_paths(
    history: np.ndarray, *, h: int, n_paths: int, seed: int, weeks: int = 13
) -> np.ndarray:
    """Paths made of whole historical weeks, weekday-aligned with the future.

    The last ``weeks`` weeks of ``history`` (ending on the forecast origin) are the pool;
    each future week of each path is one of them, drawn with replacement. Weekly and daily
    patterns (payment runs, Monday peaks) survive; the spread is the recent week-to-week
    variation.
    """
    rng = np.random.default_rng(seed)
    n_weeks = max(1, min(weeks, len(history) // 7))
    if len(history) < 7:
        pool = np.tile(np.resize(history if len(history) else np.zeros(1), 7), (1, 1))
    else:
        pool = history[len(history) - 7 * n_weeks :].reshape(n_weeks, 7)
    need = -(-h // 7)
    picks = rng.integers(0, len(pool), size=(n_paths, need))
    return pool[picks].reshape(n_paths, need * 7)[:, :h]


def series_paths(
    panel: pd.DataFrame, *, h: int, n_paths: int, seed: int, quality: str
) -> dict[str, np.ndarray]:
    """Sample paths per series of a daily panel (``unique_id, ds, y``)."""
    out: dict[str, np.ndarray] = {}
    for i, (uid, group) in enumerate(panel.groupby("unique_id", sort=True)):
        y = group.sort_values("ds")["y"].to_numpy(float)
        out[str(uid)] = week_bootstrap_paths(y, h=h, n_paths=n_paths, seed=seed + i)
    return out
