"""The panel forecasting engine: backtested model choice and calibrated uncertainty.

``forecast_panel`` forecasts every series of a long ``unique_id, ds, y`` frame. For each
series it backtests a zoo of statistical models (and, on panels big enough, global neural
networks) on rolling origins, picks the model or the average of models that the held-out
windows favour, and wraps the point forecast in conformal intervals and sample paths
calibrated on the same held-out errors. The cash forecast and the accuracy evaluations
both run on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from tools.errors import ConfigError
from tools.forecasting.engine_calendar import (
    estimate_calendar,
    restore_backtest,
    restore_forecast,
)
from tools.forecasting.engine_conformal import (
    calibrate,
    interval_halfwidths,
    sample_paths,
    series_scale,
)
from tools.forecasting.engine_frames import backtest_frame, future_dates, naive_scale
from tools.forecasting.engine_neural import NeuralBudget, neural_default
from tools.forecasting.engine_panel import FillMethod, prepare_panel
from tools.forecasting.engine_plan import plan_panel
from tools.forecasting.engine_run import fallback_forecasts, run_backtests, run_forecasts
from tools.forecasting.engine_select import STRATEGIES, select
from tools.forecasting.engine_zoo import NEURAL_MODELS, check_model_names

__all__ = ["PanelForecast", "forecast_panel"]

Progress = Callable[[str], None]


class PanelForecast(BaseModel):
    """A panel forecast: point forecasts with intervals, optional paths, and their evidence.

    ``forecast`` is long (``unique_id, ds, mean, lo-80, hi-80, lo-95, hi-95``, one pair of
    bounds per level); ``paths`` has shape (series, n_paths, h) in the order of ``ids``;
    ``chosen`` names per series the model or ensemble used; ``backtest`` holds per series
    and model the rolling-origin errors (``selected`` rows: the chosen forecast's held-out
    errors); ``flags`` lists what was repaired or special per series.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    forecast: pd.DataFrame
    paths: np.ndarray | None
    ids: list[str]
    chosen: dict[str, str]
    backtest: pd.DataFrame
    flags: dict[str, list[str]]
    provenance: dict[str, Any]

    def series_paths(self, uid: str) -> np.ndarray:
        """The sample paths (n_paths, h) of one series."""
        if self.paths is None:
            raise ConfigError("no sample paths: call forecast_panel with n_paths > 0")
        return np.asarray(self.paths[self.ids.index(uid)])


def _check_args(
    h: int, season_length: int, levels: tuple[int, ...], n_paths: int, n_windows: int
) -> None:
    if h < 1:
        raise ConfigError(f"h must be a positive number of periods (got {h})")
    if season_length < 1:
        raise ConfigError(f"season_length must be 1 or more (got {season_length})")
    if not levels or any(not 0 < lv < 100 for lv in levels):
        raise ConfigError(f"levels must be percentages between 0 and 100 (got {levels})")
    if n_paths < 0 or n_windows < 1:
        raise ConfigError(f"need n_paths >= 0 and n_windows >= 1 (got {n_paths}, {n_windows})")


def _versions(neural: bool) -> dict[str, str]:
    import numpy
    import statsforecast

    out = {"statsforecast": statsforecast.__version__, "numpy": numpy.__version__}
    out["pandas"] = pd.__version__
    if neural:
        import neuralforecast

        out["neuralforecast"] = neuralforecast.__version__
    return out


def _mean_over_windows(window_mae: np.ndarray) -> np.ndarray:
    """Mean error per series and model over the windows it was scored on (NaN if none)."""
    n = np.sum(~np.isnan(window_mae), axis=1)
    total = np.nansum(window_mae, axis=1)
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _chosen_name(weights: np.ndarray, models: list[str], err: np.ndarray, how: str) -> str:
    used = [j for j in np.argsort(np.where(np.isnan(err), np.inf, err)) if weights[j] > 0]
    names = [models[j] for j in used]
    kind = "median" if how == "median" else "ensemble"
    return names[0] if len(names) == 1 else f"{kind}({','.join(names)})"


def forecast_panel(
    df: pd.DataFrame,
    *,
    h: int,
    freq: str,
    season_length: int,
    levels: tuple[int, ...] = (80, 95),
    n_paths: int = 0,
    seed: int = 0,
    models: Sequence[str] | None = None,
    n_windows: int = 3,
    neural: bool | None = None,
    backend: Literal["local", "ray"] = "local",
    n_jobs: int = -1,
    fill: FillMethod = "zero",
    time_budget: float | None = 60.0,
    strategies: Sequence[str] = STRATEGIES,
    neural_budget: NeuralBudget | None = None,
    holidays: Mapping[date, str] | None = None,
    holiday_window: int = 3,
    progress: Progress | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> PanelForecast:
    """Forecast every series of a long panel ``h`` periods ahead, with calibrated uncertainty.

    Args:
        df: long frame (``id_col``, ``time_col``, ``target_col``).
        h: periods to forecast; freq: pandas frequency alias; season_length: main period.
        levels: central interval levels in percent; n_paths: sample paths per series.
        seed: seeds the networks and the paths; same inputs and seed, same result.
        models: candidate model names (None: the default zoo for the panel's shape).
        n_windows: rolling-origin backtest windows (``h`` apart) per series.
        neural: add NHITS and NBEATS (None: only on panels large and long enough).
        backend: ``"ray"`` runs the statistical models on a Ray cluster (statsforecast's
            fugue backend); n_jobs: local processes (-1: all cores).
        fill: how missing periods are filled, ``"zero"`` for flows, ``"seasonal"`` for levels.
        time_budget: wall-clock seconds the default zoo aims at (models are added, cheapest
            first, while their estimated cost fits; None: the whole zoo).
        strategies: combination strategies the backtest chooses from.
        holidays: public holidays by date (``engine_calendar.holiday_calendar``) for daily
            series: effects of the days within ``holiday_window`` days of each holiday are
            learned across the panel, divided out before fitting and multiplied back into
            forecasts, intervals, paths and backtests (``engine_calendar``).

    Returns:
        A frozen ``PanelForecast``.

    Raises:
        DataError: unusable input (missing column, unreadable value, series with one value).
        ConfigError: invalid option (unknown model, level outside 0-100, h < 1).
    """
    _check_args(h, season_length, levels, n_paths, n_windows)
    say = progress or (lambda _msg: None)
    names = check_model_names(models) if models is not None else None
    if backend not in ("local", "ray"):
        raise ConfigError(f"backend must be 'local' or 'ray' (got {backend!r})")
    panel = prepare_panel(
        df,
        freq=freq,
        season_length=season_length,
        fill=fill,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
    )
    data = panel.df
    ids = panel.ids
    calendar = None
    if holidays:
        calendar = estimate_calendar(data, holidays, freq=freq, window=holiday_window)
        raw, data = data, calendar.clean(data)
        say(f"calendar: {len(calendar.effects)} holiday effects on {len(calendar.series)} series")
    values = {str(u): g.to_numpy(float) for u, g in data.groupby("unique_id", sort=False)["y"]}
    cores = (os.cpu_count() or 1) if n_jobs < 1 else n_jobs
    budget_ms = None if time_budget is None else time_budget * 1000 * cores
    plan = plan_panel(
        values,
        h=h,
        season_length=season_length,
        n_windows=n_windows,
        models=names,
        budget_ms=budget_ms,
    )
    lengths = np.array([len(v) for v in values.values()])
    budget = neural_budget or NeuralBudget()
    if names is not None:
        neural_names = [m for m in names if m in NEURAL_MODELS]
    elif neural or (
        neural is None
        and neural_default(
            len(ids),
            int(lengths.sum()),
            h,
            int(lengths.min()),
            budget=budget,
            budget_ms=None if budget_ms is None else budget_ms / 2,
        )
    ):
        neural_names = list(NEURAL_MODELS)
    else:
        neural_names = []
    settings = {
        "h": h,
        "freq": freq,
        "season_length": season_length,
        "n_windows": n_windows,
        "n_jobs": n_jobs,
        "backend": backend,
        "seed": seed,
        "budget": budget,
    }
    say(f"backtest: {len(ids)} series, {len(plan.groups)} groups, neural={neural_names}")
    bt, objects = run_backtests(data, plan, neural_names, **settings)  # type: ignore[arg-type]
    if calendar is not None:
        bt = restore_backtest(bt, raw, calendar)
    sel = select(bt, strategies=tuple(strategies))
    say(f"selection: {sel.strategy} {sel.scores}")

    resid = bt.y - sel.heldout_pred
    lowo, full = series_scale(resid)
    ratio = np.nanmedian(full / bt.scale) if np.isfinite(full / bt.scale).any() else 1.0
    full = np.where(np.isfinite(full), full, bt.scale * ratio)
    cal = calibrate(resid, lowo, full)

    say("final forecasts")
    means = run_forecasts(
        data,
        plan,
        objects,
        bt,
        sel.weights,
        neural_names,
        how=sel.how,
        **settings,  # type: ignore[arg-type]
    )
    fallback, fb_names = fallback_forecasts(
        data, plan.short, h=h, freq=freq, season_length=season_length
    )
    naive = dict(zip(ids, naive_scale(list(values.values())), strict=True))
    bt_index = {u: i for i, u in enumerate(bt.ids)}
    mean = np.zeros((len(ids), h))
    scale = np.zeros(len(ids))
    chosen: dict[str, str] = {}
    mae = _mean_over_windows(bt.window_mae()) if len(bt.ids) else np.empty((0, 0))
    for i, uid in enumerate(ids):
        if uid in bt_index:
            k = bt_index[uid]
            mean[i], scale[i] = means[k], full[k]
            chosen[uid] = _chosen_name(sel.weights[k], bt.models, mae[k], sel.how)
        elif uid in fallback:
            mean[i], scale[i] = fallback[uid], naive[uid] * ratio
            chosen[uid] = f"fallback:{fb_names[uid]}"
        else:
            chosen[uid] = "zero"
    flags = {u: panel.flags.get(u, []) + plan.flags.get(u, []) for u in ids}
    flags = {u: f for u, f in flags.items() if f}
    if not cal.calibrated:
        for u in ids:
            flags.setdefault(u, []).append("intervals_not_calibrated")

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, h),
            "ds": future_dates(data.groupby("unique_id", sort=False)["ds"].last(), h, freq),
            "mean": mean.ravel(),
        }
    )
    for lv in sorted(levels):
        half = (scale[:, None] * interval_halfwidths(cal, lv)[None, :]).ravel()
        frame[f"lo-{lv}"] = frame["mean"] - half
        frame[f"hi-{lv}"] = frame["mean"] + half
    paths = sample_paths(mean, scale, cal, n_paths=n_paths, seed=seed) if n_paths else None
    if calendar is not None:
        values_cols = [c for c in frame.columns if c not in ("unique_id", "ds")]
        frame, paths = restore_forecast(frame, paths, calendar, values_cols)
        for u in sorted(set(ids) - calendar.series):
            flags.setdefault(u, []).append("no_holiday_effects_negative_values")
    provenance = {
        "n_series": len(ids),
        "n_obs": len(data),
        "start": str(data["ds"].min().date()),
        "end": str(data["ds"].max().date()),
        "models": {f"group{g}": grp.models for g, grp in enumerate(plan.groups)},
        "neural_models": neural_names,
        "neural_budget": budget.__dict__ if neural_names else None,
        "strategy": sel.strategy,
        "strategy_scores": sel.scores,
        "calibration_residuals": cal.n_residuals,
        "calendar": calendar.describe() if calendar is not None else None,
        "parameters": {
            "h": h,
            "freq": freq,
            "season_length": season_length,
            "levels": list(levels),
            "n_paths": n_paths,
            "seed": seed,
            "n_windows": n_windows,
            "fill": fill,
            "backend": backend,
            "n_jobs": n_jobs,
            "time_budget": time_budget,
            "holiday_window": holiday_window if calendar is not None else None,
        },
        "versions": _versions(bool(neural_names)),
    }
    return PanelForecast(
        forecast=frame,
        paths=paths,
        ids=ids,
        chosen=chosen,
        backtest=backtest_frame(bt.ids, bt.models, bt.y, bt.pred, sel.heldout_pred, bt.scale),
        flags=flags,
        provenance=provenance,
    )
