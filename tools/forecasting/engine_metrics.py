"""Forecast accuracy as the forecasting competitions score it (sMAPE, MASE, OWA, coverage).

The definitions follow the M4 competition: sMAPE in percent with the factor 2, MASE scaled
by the in-sample mean absolute seasonal difference, OWA as the mean of both relative to the
Naive2 benchmark (naive on seasonally adjusted data, adjusted by a classical multiplicative
decomposition where a 90 % autocorrelation test finds seasonality).
"""

from __future__ import annotations

import numpy as np

__all__ = ["coverage", "mase", "naive2", "owa", "seasonality_test", "smape"]


def smape(y: np.ndarray, f: np.ndarray) -> float:
    """Symmetric MAPE in percent over the finite points (0/0 counts as a perfect forecast)."""
    y, f = np.asarray(y, float), np.asarray(f, float)
    ok = np.isfinite(y) & np.isfinite(f)
    den = np.abs(y[ok]) + np.abs(f[ok])
    num = 2 * np.abs(y[ok] - f[ok])
    terms = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(100 * terms.mean()) if ok.any() else float("nan")


def mase(y: np.ndarray, f: np.ndarray, insample: np.ndarray, m: int = 1) -> float:
    """Mean absolute error scaled by the in-sample mean absolute lag-``m`` difference."""
    x = np.asarray(insample, float)
    x = x[np.isfinite(x)]
    if len(x) <= m:
        return float("nan")
    scale = float(np.mean(np.abs(x[m:] - x[:-m])))
    err = np.abs(np.asarray(y, float) - np.asarray(f, float))
    err = err[np.isfinite(err)]
    return float(err.mean() / scale) if scale > 0 and len(err) else float("nan")


def owa(smape_value: float, mase_value: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average of sMAPE and MASE, each relative to Naive2."""
    return 0.5 * (smape_value / smape_naive2 + mase_value / mase_naive2)


def coverage(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of finite actuals inside [lo, hi]."""
    y = np.asarray(y, float)
    ok = np.isfinite(y)
    inside = (y[ok] >= np.asarray(lo, float)[ok]) & (y[ok] <= np.asarray(hi, float)[ok])
    return float(inside.mean()) if ok.any() else float("nan")


def _acf(x: np.ndarray, nlags: int) -> np.ndarray:
    x = x - x.mean()
    den = float(np.sum(x * x))
    return np.array(
        [np.sum(x[k:] * x[: len(x) - k]) / den if den else 0.0 for k in range(nlags + 1)]
    )


def seasonality_test(x: np.ndarray, m: int) -> bool:
    """M4's 90 % test: is the lag-``m`` autocorrelation significant?"""
    if m <= 1 or len(x) < 3 * m:
        return False
    acf = _acf(np.asarray(x, float), m)
    limit = 1.645 * np.sqrt((1 + 2 * np.sum(acf[1:m] ** 2)) / len(x))
    return bool(abs(acf[m]) > limit)


def _seasonal_indices(x: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative decomposition: the seasonal index of each of m positions."""
    n = len(x)
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(x, w, mode="valid")
    off = (len(w) - 1) // 2
    ratio = np.full(n, np.nan)
    ratio[off : off + len(trend)] = x[off : off + len(trend)] / trend
    idx = np.array([np.nanmean(ratio[k::m]) for k in range(m)])
    return idx / idx.mean()


def naive2(x: np.ndarray, h: int, m: int) -> np.ndarray:
    """The Naive2 benchmark forecast of ``h`` steps for a series with period ``m``."""
    x = np.asarray(x, float)
    if not seasonality_test(x, m):
        return np.full(h, x[-1])
    idx = _seasonal_indices(x, m)
    pos = np.arange(len(x)) % m
    adjusted = x / idx[pos]
    future = (np.arange(len(x), len(x) + h)) % m
    return adjusted[-1] * idx[future]
