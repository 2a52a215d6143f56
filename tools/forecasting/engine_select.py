"""Choosing per series which model, or which average of models, to trust.

The evidence is the rolling-origin backtest: every candidate model forecast the last
windows of each series' history from an earlier origin. Several combination strategies
(the single best model per series, the mean of its top-k, one global model or ensemble for
the whole panel) are themselves scored honestly by leave-one-window-out: for each window,
the ranking is made on the other windows only and the combination is scored on the held-out
window. The strategy with the lowest held-out error wins; its held-out residuals are also
what calibrates the prediction intervals.

Combinations are means (equal weights, or weights inversely proportional to each model's
backtest error) or medians of a series' top models; the median ignores one model going
astray on a window, which a mean does not.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

__all__ = [
    "STRATEGIES",
    "Backtest",
    "Selection",
    "combine",
    "combine_how",
    "select",
    "strategy_weights",
]

STRATEGIES = (
    "best",
    "top2",
    "top3",
    "top4",
    "inv3",
    "inv5",
    "median3",
    "median5",
    "mean_all",
    "global_best",
    "global_top2",
    "global_top3",
)
# Panels with fewer series than this choose per series only: a global ranking needs a panel.
_MIN_GLOBAL = 5


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin forecasts of every model on every series (NaN where not run).

    ``y`` and ``pred`` have shapes (series, windows, h) and (series, windows, h, models);
    ``scale`` is each series' in-sample mean absolute one-step change, used to compare
    errors across series.
    """

    ids: list[str]
    models: list[str]
    y: np.ndarray
    pred: np.ndarray
    scale: np.ndarray

    def window_mae(self) -> np.ndarray:
        """Mean absolute error per (series, window, model)."""
        with np.errstate(invalid="ignore"):
            err = np.abs(self.pred - self.y[..., None])
        return _nanmean(err, axis=2)


@dataclass(frozen=True)
class Selection:
    """The winning strategy, its per-series model weights and its honest backtest."""

    strategy: str
    weights: np.ndarray  # (series, models), rows sum to 1; the members of a median
    how: str  # "mean" (weighted) or "median" (of the models with a positive weight)
    heldout_pred: np.ndarray  # (series, windows, h): each window forecast without its own data
    scores: dict[str, float]  # held-out scaled MAE per strategy


def _nanmean(a: np.ndarray, axis: int | tuple[int, ...]) -> np.ndarray:
    count = np.sum(~np.isnan(a), axis=axis)
    total = np.nansum(a, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _topk(err: np.ndarray, k: int) -> np.ndarray:
    """Equal weights on the k lowest finite errors per row."""
    w = np.zeros_like(err)
    filled = np.where(np.isnan(err), np.inf, err)
    order = np.argsort(filled, axis=1, kind="stable")
    n_ok = np.sum(np.isfinite(filled), axis=1)
    for i in range(err.shape[0]):
        take = order[i, : max(1, min(k, int(n_ok[i])))]
        w[i, take] = 1.0 / len(take)
    return w


def strategy_weights(strategy: str, err: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Model weights (series, models) of ``strategy`` given per-series mean errors ``err``.

    Series with no finite error in ``err`` (no usable window) get equal weights on the
    models that exist for them later; callers fill those from another ranking.
    """
    if strategy == "best":
        return _topk(err, 1)
    if strategy.startswith("top") or strategy.startswith("median"):
        return _topk(err, int(strategy.removeprefix("top").removeprefix("median")))
    if strategy.startswith("inv"):
        member = _topk(err, int(strategy[3:])) > 0
        with np.errstate(divide="ignore"):
            inv = np.where(member, 1.0 / np.maximum(np.nan_to_num(err, nan=np.inf), 1e-12), 0.0)
        return np.asarray(inv / np.maximum(inv.sum(axis=1, keepdims=True), 1e-300))
    if strategy == "mean_all":
        ok = np.isfinite(err).astype(float)
        return ok / np.maximum(ok.sum(axis=1, keepdims=True), 1)
    if strategy.startswith("global_"):
        k = 1 if strategy == "global_best" else int(strategy[-1])
        # Compare models within each series (error relative to the series' median model),
        # then average over the series a model was run on: groups may have different zoos.
        with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # rows with no finite error
            med = np.nanmedian(np.where(np.isfinite(err), err, np.nan), axis=1, keepdims=True)
            rel = np.where(med > 0, err / med, np.where(err > 0, np.inf, 1.0))
        rel = np.where(np.isfinite(err), np.minimum(rel, 1e6), np.nan)
        panel = _nanmean(rel, axis=0)[None, :]
        w = _topk(np.where(np.isfinite(err), panel, np.nan), k)
        return w
    raise ValueError(f"unknown combination strategy {strategy!r}; one of {STRATEGIES}")


def combine_how(strategy: str) -> str:
    """How a strategy combines its members: ``"median"`` or a weighted ``"mean"``."""
    return "median" if strategy.startswith("median") else "mean"


def combine(pred: np.ndarray, w: np.ndarray, how: str = "mean") -> np.ndarray:
    """Combined forecast (series, ...) from ``pred`` (series, ..., models) and weights.

    ``how="median"``: the median of the models with a positive weight (per point).
    """
    if how == "median":
        member = (w > 0).reshape(w.shape[0], *([1] * (pred.ndim - 2)), w.shape[1])
        picked = np.where(member & ~np.isnan(pred), pred, np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a series without members
            out = np.nanmedian(picked, axis=-1)
        return np.asarray(np.nan_to_num(out))
    return np.asarray(np.einsum("s...m,sm->s...", np.nan_to_num(pred), w))


def _heldout(bt: Backtest, strategy: str, mae: np.ndarray) -> np.ndarray:
    n_s, n_w, h = bt.y.shape
    out = np.full((n_s, n_w, h), np.nan)
    all_err = _nanmean(mae, axis=1)
    base = strategy_weights(strategy, all_err, bt.scale)
    for w in range(n_w):
        others = np.delete(mae, w, axis=1)
        err = _nanmean(others, axis=1) if others.shape[1] else np.full_like(all_err, np.nan)
        # A model must have been run on the held-out window to be chosen for it.
        err = np.where(np.isnan(mae[:, w, :]), np.nan, err)
        weights = strategy_weights(strategy, err, bt.scale)
        no_rank = ~np.isfinite(err).any(axis=1)
        weights[no_rank] = base[no_rank]
        out[:, w, :] = combine(bt.pred[:, w], weights, combine_how(strategy))
    out[np.isnan(bt.y)] = np.nan
    return out


def select(bt: Backtest, *, strategies: tuple[str, ...] = STRATEGIES) -> Selection:
    """Pick the combination strategy with the lowest leave-one-window-out error.

    With a single window no honest comparison exists; the mean of each series' top three
    models is used then (combinations of a few good models are rarely much worse than the
    best one and much less variable).
    """
    mae = bt.window_mae()
    all_err = _nanmean(mae, axis=1)
    multi = np.sum(np.isfinite(mae).any(axis=2), axis=1) >= 2
    candidates = [
        s for s in strategies if not (s.startswith("global") and len(bt.ids) < _MIN_GLOBAL)
    ] or ["best"]
    scores: dict[str, float] = {}
    held: dict[str, np.ndarray] = {}
    for s in candidates:
        held[s] = _heldout(bt, s, mae)
        if multi.any():
            with np.errstate(invalid="ignore", divide="ignore"):
                e = np.abs(held[s] - bt.y)[multi] / bt.scale[multi, None, None]
            scores[s] = round(float(np.nanmean(e)), 6)
    if scores:
        chosen = min(scores, key=lambda s: (scores[s], candidates.index(s)))
    else:
        chosen = "top3" if "top3" in candidates else candidates[0]
    return Selection(
        strategy=chosen,
        weights=strategy_weights(chosen, all_err, bt.scale),
        how=combine_how(chosen),
        heldout_pred=held[chosen],
        scores=scores,
    )
