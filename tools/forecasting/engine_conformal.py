"""Prediction intervals and sample paths calibrated on held-out backtest errors.

Split-conformal in the usual sense, adapted to panels with few windows per series: each
held-out residual is divided by its series' error scale measured on the *other* windows
(so the scale never saw the residual it normalises), the normalised residuals are pooled
across series per horizon step, and a step's interval half-width is the conformal quantile
of their absolute values times the series' scale. Sample paths share the same per-step
distributions (so their quantiles reproduce the intervals) and the rank correlation of
whole held-out error trajectories across steps (a Gaussian copula), so a path that starts
high tends to stay high, as real cumulative cash does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

__all__ = ["Calibration", "calibrate", "sample_paths", "series_scale"]

# Fewest pooled residuals a step's quantile rests on; neighbouring steps are pooled up to it.
_MIN_POOL = 40


@dataclass(frozen=True)
class Calibration:
    """Per-step pools of absolute normalised residuals and their cross-step correlation."""

    pools: list[np.ndarray]  # per step, sorted absolute normalised residuals
    corr: np.ndarray  # (h, h) correlation of normal scores across steps
    n_residuals: int
    calibrated: bool  # False when no backtest residual existed (random-walk fallback)

    def quantile(self, step: int, p: np.ndarray | float) -> np.ndarray:
        """Conformal quantile of |normalised error| at level ``p`` for horizon ``step``."""
        a = self.pools[step]
        n = len(a)
        adj = np.minimum(np.asarray(p, dtype=float) * (n + 1) / n, 1.0)
        return np.asarray(np.interp(adj * (n - 1), np.arange(n), a))


def series_scale(resid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Error scales from held-out residuals (series, windows, h).

    Returns the leave-one-window-out scale per (series, window) and the scale over all
    windows per series (NaN where a series has no usable window).
    """
    absr = np.abs(resid)
    count = np.sum(~np.isnan(absr), axis=2)
    total = np.nansum(absr, axis=2)
    all_n = count.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        full = np.where(all_n > 0, total.sum(axis=1) / all_n, np.nan)
        rest_n = all_n[:, None] - count
        lowo = np.where(rest_n > 0, (total.sum(axis=1)[:, None] - total) / rest_n, np.nan)
    return lowo, full


def _normal_scores(r: np.ndarray) -> np.ndarray:
    n = r.shape[0]
    ranks = np.argsort(np.argsort(r, axis=0, kind="stable"), axis=0) + 1
    return np.asarray(ndtri(ranks / (n + 1)))


def _corr(r: np.ndarray, h: int) -> np.ndarray:
    rows = r[~np.isnan(r).any(axis=1)] if r.size else np.empty((0, h))
    idx = np.arange(h)
    if len(rows) >= 3 and h > 1:
        z = _normal_scores(rows)
        with np.errstate(invalid="ignore", divide="ignore"):
            c = np.nan_to_num(np.corrcoef(z, rowvar=False))
        phi = float(np.clip(np.mean(np.diag(c, 1)), 0.0, 0.95))
    else:
        c, phi = np.eye(h), 0.5
    # Shrink toward an AR(1) structure when there are few trajectories per step.
    lam = min(1.0, h / (len(rows) + h))
    target = phi ** np.abs(idx[:, None] - idx[None, :])
    c = (1 - lam) * c + lam * target
    vals, vecs = np.linalg.eigh((c + c.T) / 2)
    c = (vecs * np.clip(vals, 1e-6, None)) @ vecs.T
    d = np.sqrt(np.diag(c))
    return np.asarray(c / d[:, None] / d[None, :])


def calibrate(resid: np.ndarray, lowo_scale: np.ndarray, fallback_scale: np.ndarray) -> Calibration:
    """Pool normalised held-out residuals (series, windows, h) per horizon step.

    ``lowo_scale`` (series, windows) normalises each window's residuals; where it is
    missing (a series with one window) ``fallback_scale`` (series,) is used.
    """
    h = resid.shape[2]
    scale = np.where(np.isfinite(lowo_scale), lowo_scale, fallback_scale[:, None])
    scale = np.where(scale > 0, scale, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = resid / scale[:, :, None]
    # A zero error on a zero-scale series carries no information about spread.
    r = r.reshape(-1, h)
    r = r[~np.isnan(r).all(axis=1)]
    n_ok = int(np.sum(~np.isnan(r)))
    if n_ok == 0:
        # No backtest at all: random-walk growth of the one-step error (a normal error's
        # standard deviation is 1.25 times its mean absolute value).
        unit = 1.25 * np.abs(ndtri(np.linspace(0.5, 0.999, 200)))
        pools = [np.sort(unit * np.sqrt(k + 1)) for k in range(h)]
        return Calibration(pools, _corr(np.empty((0, h)), h), 0, calibrated=False)
    pools = []
    for k in range(h):
        width = 0
        while True:
            lo, hi = max(0, k - width), min(h, k + width + 1)
            vals = r[:, lo:hi].ravel()
            vals = np.abs(vals[~np.isnan(vals)])
            if len(vals) >= _MIN_POOL or (lo == 0 and hi == h):
                break
            width += 1
        pools.append(np.sort(vals) if len(vals) else np.zeros(1))
    return Calibration(pools, _corr(r, h), n_ok, calibrated=True)


def interval_halfwidths(cal: Calibration, level: int) -> np.ndarray:
    """Half-width per step, in units of a series' scale, for a central ``level`` % interval."""
    return np.array([float(cal.quantile(k, level / 100)) for k in range(len(cal.pools))])


def sample_paths(
    mean: np.ndarray, scale: np.ndarray, cal: Calibration, *, n_paths: int, seed: int
) -> np.ndarray:
    """Paths (series, n_paths, h) around ``mean`` (series, h) with the calibrated spread."""
    n_s, h = mean.shape
    rng = np.random.default_rng(seed)
    chol = np.linalg.cholesky(cal.corr)
    z = (rng.standard_normal((n_s * n_paths, h)) @ chol.T).reshape(n_s, n_paths, h)
    u = ndtr(z)
    # Symmetric marginal: sign from the uniform, size from the absolute-error quantile.
    p = np.abs(2 * u - 1)
    dev = np.empty_like(u)
    for k in range(h):
        dev[..., k] = np.sign(u[..., k] - 0.5) * cal.quantile(k, p[..., k])
    return mean[:, None, :] + scale[:, None, None] * dev
