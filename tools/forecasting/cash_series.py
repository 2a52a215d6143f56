"""The statistical series of the cash forecast: sample paths from the engine or the bootstrap.

The cash forecast has a few daily series it cannot derive from documents or the calendar:
the invoicing and billing still to come, and flows no rule explains (``other``). Each gets
weekday-aligned bootstrap paths of its recent weeks. With ``quality="engine"`` the paths
are re-centred on the panel engine's point forecast (``forecast_panel``: backtested model
choice per series, all series in one run within a time budget), so level, trend and
seasonality come from the engine while the day-to-day spread stays that of real weeks.
Series that must not change sign (invoicing, billing) have their paths cut at zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tools.forecasting.series import series_paths

__all__ = ["statistical_paths"]

_SEP = "|"


def statistical_paths(
    panels: Mapping[str, pd.DataFrame],
    *,
    h: int,
    n_paths: int,
    seed: int,
    quality: str,
    time_budget: float,
    non_negative: frozenset[str] = frozenset(),
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, Any]]:
    """Paths per panel and series id, and how they were made.

    Args:
        panels: name -> daily long frame (``unique_id, ds, y``), e.g. ``"other"``.
        h: days ahead; n_paths: paths per series; seed: reproducibility.
        quality: ``"engine"`` (engine point forecast, bootstrap spread); anything else: the
            week bootstrap.
        time_budget: wall-clock seconds the engine aims at for all panels together.
        non_negative: panels whose paths are cut at zero.

    Returns:
        (paths, provenance): ``paths[name][uid]`` has shape ``(n_paths, h)``; provenance
        names the method and, for the engine, each series' chosen model and backtest error.
    """
    boot = {
        name: series_paths(panel, h=h, n_paths=n_paths, seed=seed + i, quality=quality)
        for i, (name, panel) in enumerate(panels.items())
    }
    frames = [p for p in panels.values() if not p.empty]
    if quality != "engine" or not frames:
        return _clip(boot, non_negative), {"method": "week_bootstrap"}
    from tools.forecasting.engine import forecast_panel

    combined = pd.concat(
        [
            panel.assign(unique_id=name + _SEP + panel["unique_id"].astype(str))
            for name, panel in panels.items()
            if not panel.empty
        ],
        ignore_index=True,
    )
    fc = forecast_panel(
        combined,
        h=h,
        freq="D",
        season_length=7,
        n_paths=0,
        seed=seed,
        neural=False,
        n_jobs=1,
        time_budget=time_budget,
    )
    means = {
        str(uid): g["mean"].to_numpy(float)
        for uid, g in fc.forecast.groupby("unique_id", sort=False)
    }
    out: dict[str, dict[str, np.ndarray]] = {name: {} for name in panels}
    for name, series in boot.items():
        for uid, arr in series.items():
            mean = means.get(name + _SEP + uid)
            # The engine's level and seasonality; the spread of whole historical weeks around
            # it, which keeps lumpy flows (a large bill, a quarterly payment) as lumpy as
            # they were instead of smearing them into symmetric noise.
            out[name][uid] = arr if mean is None else mean[None, :] + (arr - arr.mean(axis=0))
    selected = fc.backtest.loc[fc.backtest["model"] == "selected"]
    provenance = {
        "method": "engine_mean_week_bootstrap_spread",
        "chosen": fc.chosen,
        "strategy": fc.provenance.get("strategy"),
        "flags": fc.flags,
        "backtest_scaled_mae": {
            str(r["unique_id"]): round(float(r["scaled_mae"]), 3)
            for r in selected.to_dict("records")
        },
    }
    return _clip(out, non_negative), provenance


def _clip(
    out: dict[str, dict[str, np.ndarray]], non_negative: frozenset[str]
) -> dict[str, dict[str, np.ndarray]]:
    for name in non_negative & out.keys():
        out[name] = {uid: np.maximum(arr, 0.0) for uid, arr in out[name].items()}
    return out
