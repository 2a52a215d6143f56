"""Running the engine's plan: the backtests, the final forecasts and the fallbacks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tools.forecasting.engine_frames import cv_to_arrays, fc_to_array, naive_scale
from tools.forecasting.engine_neural import NeuralBudget, neural_backtest, neural_forecast
from tools.forecasting.engine_plan import Plan
from tools.forecasting.engine_select import Backtest, combine
from tools.forecasting.engine_stats import Backend, stats_backtest, stats_forecast
from tools.forecasting.engine_zoo import make_stat_models

__all__ = ["fallback_forecasts", "run_backtests", "run_forecasts"]


def _alias(model: Any) -> str:
    return str(getattr(model, "alias", type(model).__name__))


def _jobs(n_jobs: int, n_series: int) -> int:
    # Starting worker processes costs more than it saves on small groups.
    return 1 if n_series < 8 else n_jobs


def _bt_ids(plan: Plan) -> list[str]:
    return [u for g in plan.groups for u in g.ids]


def _neural_ids(plan: Plan, n_windows: int) -> list[str]:
    return [u for g in plan.groups if g.n_windows == n_windows for u in g.ids]


def run_backtests(
    data: pd.DataFrame,
    plan: Plan,
    neural_names: Sequence[str],
    *,
    h: int,
    freq: str,
    season_length: int,
    n_windows: int,
    n_jobs: int,
    backend: Backend,
    seed: int,
    budget: NeuralBudget,
) -> tuple[Backtest, dict[int, list[Any]]]:
    """Backtest every group's statistical models and the networks on the full-window series."""
    ids = _bt_ids(plan)
    index = {u: i for i, u in enumerate(ids)}
    objects = {
        g: make_stat_models(grp.models, freq=freq, season_length=season_length, n_obs=grp.min_train)
        for g, grp in enumerate(plan.groups)
    }
    names = list(dict.fromkeys(_alias(o) for objs in objects.values() for o in objs))
    nn_ids = _neural_ids(plan, n_windows) if neural_names else []
    models = names + (list(neural_names) if nn_ids else [])
    y = np.full((len(ids), n_windows, h), np.nan)
    pred = np.full((len(ids), n_windows, h, len(models)), np.nan)
    series = {u: g.to_numpy(float) for u, g in data.groupby("unique_id", sort=False)["y"]}
    for grp in plan.groups:
        for u in grp.ids:
            tail = series[u][len(series[u]) - grp.n_windows * h :]
            y[index[u], n_windows - grp.n_windows :, :] = tail.reshape(grp.n_windows, h)
    for g, grp in enumerate(plan.groups):
        if not objects[g]:
            continue
        sub = data.loc[data["unique_id"].isin(grp.ids)]
        cv = stats_backtest(
            sub,
            objects[g],
            h=h,
            freq=freq,
            n_windows=grp.n_windows,
            n_jobs=_jobs(n_jobs, len(grp.ids)),
            backend=backend,
        )
        cv_to_arrays(cv, index, models, y.copy(), pred, n_windows=n_windows)
    if nn_ids:
        sub = data.loc[data["unique_id"].isin(nn_ids)]
        cv = neural_backtest(
            sub,
            neural_names,
            h=h,
            freq=freq,
            season_length=season_length,
            n_windows=n_windows,
            seed=seed,
            budget=budget,
        )
        cv_to_arrays(cv, index, models, y.copy(), pred, n_windows=n_windows)
    scale = naive_scale([series[u] for u in ids])
    return Backtest(ids=ids, models=models, y=y, pred=pred, scale=scale), objects


def run_forecasts(
    data: pd.DataFrame,
    plan: Plan,
    objects: dict[int, list[Any]],
    bt: Backtest,
    weights: np.ndarray,
    neural_names: Sequence[str],
    *,
    h: int,
    freq: str,
    season_length: int,
    n_windows: int,
    n_jobs: int,
    backend: Backend,
    seed: int,
    budget: NeuralBudget,
    how: str = "mean",
) -> np.ndarray:
    """The combined point forecast (series of the backtest, h), fitting only models in use.

    ``how``: ``"mean"`` weights the models, ``"median"`` takes the median of those with a
    positive weight.
    """
    index = {u: i for i, u in enumerate(bt.ids)}
    out = np.full((len(bt.ids), h, len(bt.models)), np.nan)
    for g, grp in enumerate(plan.groups):
        rows = [index[u] for u in grp.ids]
        used = {bt.models[j] for j in np.flatnonzero(weights[rows].sum(axis=0) > 0)}
        objs = [o for o in objects[g] if _alias(o) in used]
        if not objs:
            continue
        sub = data.loc[data["unique_id"].isin(grp.ids)]
        fc = stats_forecast(
            sub, objs, h=h, freq=freq, n_jobs=_jobs(n_jobs, len(grp.ids)), backend=backend
        )
        fc_to_array(fc, index, bt.models, out)
    nn_used = [
        m for m in neural_names if m in bt.models and weights[:, bt.models.index(m)].sum() > 0
    ]
    if nn_used:
        sub = data.loc[data["unique_id"].isin(_neural_ids(plan, n_windows))]
        fc = neural_forecast(
            sub, nn_used, h=h, freq=freq, season_length=season_length, seed=seed, budget=budget
        )
        fc_to_array(fc, index, bt.models, out)
    return combine(out, weights, how)


def fallback_forecasts(
    data: pd.DataFrame, ids: Sequence[str], *, h: int, freq: str, season_length: int
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Seasonal naive (a full season of history) or naive forecasts for too-short series."""
    del freq  # the fallbacks repeat history; the calendar comes from the caller
    wanted = set(ids)
    means: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    for uid, g in data.groupby("unique_id", sort=False)["y"]:
        if uid not in wanted:
            continue
        y = g.to_numpy(float)
        if season_length > 1 and len(y) >= season_length:
            means[str(uid)] = np.resize(y[-season_length:], h)
            names[str(uid)] = "SeasonalNaive"
        else:
            means[str(uid)] = np.full(h, y[-1])
            names[str(uid)] = "Naive"
    return means, names
