"""The candidate models of the panel forecasting engine, by name.

Statistical models come from statsforecast, global neural models from neuralforecast.
Which of them are tried on a panel depends on what the data can support (seasonal
periods need two full seasons of history, intermittent models only run on series with
many zero periods), on the runtime budget, and on what the caller asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tools.errors import ConfigError

__all__ = [
    "INTERMITTENT_MODELS",
    "NEURAL_MODELS",
    "STAT_MODELS",
    "default_models",
    "intermittent_share",
    "make_stat_models",
    "seasonalities",
]

STAT_MODELS = (
    "SeasonalNaive",
    "Naive",
    "SeasonalMedian",
    "SeasonalProfile",
    "AutoETS",
    "AutoTheta",
    "AutoARIMA",
    "MSTL",
)
# The robust profile models need this many full seasons of history to differ from
# SeasonalNaive.
PROFILE_MIN_SEASONS = 3
INTERMITTENT_MODELS = ("CrostonOptimized", "ADIDA", "IMAPA")
NEURAL_MODELS = ("NHITS", "NBEATS")
ALL_MODELS = STAT_MODELS + INTERMITTENT_MODELS + NEURAL_MODELS

# Estimated CPU milliseconds per observation for one backtest plus one final fit (measured
# on daily series of two years); the default zoo adds models in this order while the panel's
# estimated cost stays within the time budget.
COST_MS_PER_OBS = {
    "SeasonalNaive": 0.002,
    "Naive": 0.002,
    "SeasonalMedian": 0.01,
    "SeasonalProfile": 0.01,
    "CrostonOptimized": 0.002,
    "ADIDA": 0.002,
    "IMAPA": 0.002,
    "MSTL": 0.1,
    "AutoTheta": 0.27,
    "AutoETS": 0.73,
    "AutoARIMA": 3.9,
}
# A series with at least this share of zero periods is intermittent.
INTERMITTENT_ZERO_SHARE = 0.3


def seasonalities(freq: str, season_length: int, n_obs: int) -> list[int]:
    """Seasonal periods the history of ``n_obs`` periods supports (two full cycles each).

    Daily series also get the yearly cycle (365) once there are two years of history.
    """
    periods = [season_length] if season_length > 1 else []
    if freq.upper().startswith("D") and season_length == 7:
        periods.append(365)
    return [p for p in periods if n_obs >= 2 * p + 1]


def intermittent_share(y: np.ndarray) -> float:
    """The share of zero periods of a series (after its first non-zero value)."""
    nz = np.flatnonzero(y)
    if len(nz) == 0:
        return 1.0
    tail = y[nz[0] :]
    return float(np.mean(tail == 0))


def default_models(n_obs: int, *, intermittent: bool, budget_ms: float | None) -> list[str]:
    """The statistical zoo tried when the caller names none.

    Args:
        n_obs: observations of the group (all series added up).
        intermittent: the group's series are intermittent (adds Croston, ADIDA, IMAPA).
        budget_ms: CPU milliseconds the group may take (None: no limit).
    """
    order = ["SeasonalNaive", "Naive", "SeasonalMedian", "SeasonalProfile"]
    if intermittent:
        order += list(INTERMITTENT_MODELS)
    order += ["MSTL", "AutoTheta", "AutoETS", "AutoARIMA"]
    names: list[str] = []
    spent = 0.0
    for name in order:
        cost = COST_MS_PER_OBS[name] * n_obs
        if budget_ms is None or spent + cost <= budget_ms or len(names) < 2:
            names.append(name)
            spent += cost
    return names


def check_model_names(models: Sequence[str]) -> list[str]:
    """The requested model names, in order, without duplicates; unknown names raise."""
    unknown = [m for m in models if m not in ALL_MODELS]
    if unknown:
        raise ConfigError(
            f"unknown forecasting model(s) {unknown}; choose among {', '.join(ALL_MODELS)}"
        )
    if not models:
        raise ConfigError(f"models is empty; choose among {', '.join(ALL_MODELS)}")
    return list(dict.fromkeys(models))


def make_stat_models(
    names: Sequence[str], *, freq: str, season_length: int, n_obs: int
) -> list[Any]:
    """statsforecast model objects for ``names`` given the shortest training length ``n_obs``.

    Seasonal terms are dropped where the history cannot estimate them, so every model fits
    every series of the group; ``MSTL`` without any usable period is skipped, and so are the
    profile models without ``PROFILE_MIN_SEASONS`` full seasons.
    """
    from statsforecast.models import (
        ADIDA,
        IMAPA,
        MSTL,
        AutoARIMA,
        AutoETS,
        AutoTheta,
        CrostonOptimized,
        Naive,
        SeasonalNaive,
    )

    from tools.forecasting.engine_profile import SeasonalMedian, SeasonalProfile

    periods = seasonalities(freq, season_length, n_obs)
    profiled = season_length > 1 and n_obs >= PROFILE_MIN_SEASONS * season_length
    m = periods[0] if periods else 1
    # ETS estimates one state per season: statsforecast refuses periods above 24.
    ets_m = m if m <= 24 else 1
    out: list[Any] = []
    for name in names:
        if name == "SeasonalNaive":
            out.append(SeasonalNaive(season_length=max(1, min(season_length, n_obs))))
        elif name == "Naive":
            out.append(Naive())
        elif name == "SeasonalMedian" and profiled:
            out.append(SeasonalMedian(season_length))
        elif name == "SeasonalProfile" and profiled:
            out.append(SeasonalProfile(season_length))
        elif name == "AutoETS":
            out.append(AutoETS(season_length=ets_m))
        elif name == "AutoTheta":
            out.append(AutoTheta(season_length=m))
        elif name == "AutoARIMA":
            out.append(AutoARIMA(season_length=ets_m))
        elif name == "MSTL" and periods:
            trend = AutoETS(model="ZZN")
            out.append(
                MSTL(season_length=periods if len(periods) > 1 else m, trend_forecaster=trend)
            )
        elif name == "CrostonOptimized":
            out.append(CrostonOptimized())
        elif name == "ADIDA":
            out.append(ADIDA())
        elif name == "IMAPA":
            out.append(IMAPA())
    return out


def group_lengths(df: pd.DataFrame) -> pd.Series:
    """Observations per series of a long frame."""
    return df.groupby("unique_id", sort=False).size()
