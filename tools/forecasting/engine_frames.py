"""Moving between the libraries' long frames and the engine's (series, window, step) arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["backtest_frame", "cv_to_arrays", "fc_to_array", "future_dates", "naive_scale"]


def naive_scale(values: Sequence[np.ndarray]) -> np.ndarray:
    """Mean absolute one-step change of each series (its level when it never changes)."""
    out = np.empty(len(values))
    for i, y in enumerate(values):
        d = np.mean(np.abs(np.diff(y))) if len(y) > 1 else 0.0
        out[i] = d if d > 0 else float(np.mean(np.abs(y)))
    return out


def cv_to_arrays(
    cv: pd.DataFrame,
    index: dict[str, int],
    models: list[str],
    y: np.ndarray,
    pred: np.ndarray,
    *,
    n_windows: int,
) -> None:
    """Write a cross-validation frame into ``y`` (S, W, h) and ``pred`` (S, W, h, M).

    A series backtested on fewer windows than ``n_windows`` fills the latest ones.
    """
    cv = cv.sort_values(["unique_id", "cutoff", "ds"], kind="stable")
    uid = cv["unique_id"].astype(str).map(index).to_numpy()
    win = cv.groupby("unique_id", sort=False)["cutoff"].rank(method="dense").to_numpy(int) - 1
    per = cv.groupby("unique_id", sort=False)["cutoff"].transform("nunique").to_numpy(int)
    win = win + (n_windows - per)
    step = cv.groupby(["unique_id", "cutoff"], sort=False).cumcount().to_numpy()
    if "y" in cv.columns:
        y[uid, win, step] = cv["y"].to_numpy(float)
    for j, m in enumerate(models):
        if m in cv.columns:
            pred[uid, win, step, j] = cv[m].to_numpy(float)


def fc_to_array(
    fc: pd.DataFrame, index: dict[str, int], models: list[str], out: np.ndarray
) -> None:
    """Write a forecast frame into ``out`` (S, h, M)."""
    fc = fc.sort_values(["unique_id", "ds"], kind="stable")
    uid = fc["unique_id"].astype(str).map(index).to_numpy()
    step = fc.groupby("unique_id", sort=False).cumcount().to_numpy()
    for j, m in enumerate(models):
        if m in fc.columns:
            out[uid, step, j] = fc[m].to_numpy(float)


def future_dates(last: pd.Series, h: int, freq: str) -> pd.DatetimeIndex:
    """The ``h`` periods after each series' last timestamp, concatenated in order."""
    parts = [pd.date_range(ts, periods=h + 1, freq=freq)[1:] for ts in last]
    return pd.DatetimeIndex(parts[0].append(parts[1:]) if len(parts) > 1 else parts[0])


def backtest_frame(
    ids: list[str],
    models: list[str],
    y: np.ndarray,
    pred: np.ndarray,
    selected: np.ndarray,
    scale: np.ndarray,
) -> pd.DataFrame:
    """Per series and model: backtest MAE, RMSE, scaled MAE and windows evaluated.

    The ``selected`` rows hold the chosen forecast's held-out errors (each window forecast
    by a choice made without that window).
    """
    rows = []
    cols = {**{m: pred[..., j] for j, m in enumerate(models)}, "selected": selected}
    for name, p in cols.items():
        with np.errstate(invalid="ignore"):
            err = p - y
        ok = ~np.isnan(err)
        n = ok.sum(axis=(1, 2))
        has = n > 0
        abs_sum = np.where(ok, np.abs(err), 0.0).sum(axis=(1, 2))
        sq_sum = np.where(ok, err**2, 0.0).sum(axis=(1, 2))
        windows = ok.any(axis=2).sum(axis=1)
        for i in np.flatnonzero(has):
            mae = abs_sum[i] / n[i]
            rows.append(
                {
                    "unique_id": ids[i],
                    "model": name,
                    "mae": float(mae),
                    "rmse": float(np.sqrt(sq_sum[i] / n[i])),
                    "scaled_mae": float(mae / scale[i]) if scale[i] > 0 else float("nan"),
                    "n_windows": int(windows[i]),
                }
            )
    cols_out = ["unique_id", "model", "mae", "rmse", "scaled_mae", "n_windows"]
    return pd.DataFrame(rows, columns=cols_out)
