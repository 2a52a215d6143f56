"""Global neural candidates (NHITS, NBEATS) for the panel engine, trained on CPU.

One network learns from every series of the panel at once; it earns a place in a forecast
only through the same backtest as the statistical models. Training is short and seeded,
and the trainer is kept silent (no progress bar, no logger, no checkpoints).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = ["NeuralBudget", "neural_backtest", "neural_default", "neural_forecast"]

# Panels below this size give a global network too little to learn from.
_MIN_SERIES = 50
# Estimated CPU milliseconds per training step of one network (batch of 32 series).
_STEP_MS = 60.0


@dataclass(frozen=True)
class NeuralBudget:
    """Training budget of each network (kept small and fixed so runs are reproducible)."""

    max_steps: int = 400
    batch_size: int = 32
    windows_batch_size: int = 256
    learning_rate: float = 1e-3
    input_multiplier: int = 3  # input window = multiplier x h, at least one season


def neural_default(
    n_series: int,
    n_obs: int,
    h: int,
    min_len: int,
    *,
    budget: NeuralBudget,
    budget_ms: float | None,
) -> bool:
    """Whether ``neural=None`` turns the networks on for a panel of this shape.

    They need a panel to learn from (50 series or more), histories of several horizons,
    and room in the time budget for two trainings (backtest and final) of both networks.
    """
    del n_obs  # training cost depends on steps and batch size, not on the panel's length
    cost = 4 * budget.max_steps * _STEP_MS
    affordable = budget_ms is None or cost <= budget_ms
    return n_series >= _MIN_SERIES and min_len >= 4 * h and affordable


@contextmanager
def _quiet() -> Iterator[None]:
    names = ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric")
    loggers = [logging.getLogger(n) for n in names]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)


def _models(
    names: Sequence[str], *, h: int, season_length: int, seed: int, budget: NeuralBudget
) -> list[Any]:
    from neuralforecast.models import NBEATS, NHITS

    input_size = max(budget.input_multiplier * h, season_length)
    common: dict[str, Any] = {
        "h": h,
        "input_size": input_size,
        "max_steps": budget.max_steps,
        "batch_size": budget.batch_size,
        "windows_batch_size": budget.windows_batch_size,
        "learning_rate": budget.learning_rate,
        "scaler_type": "robust",
        "random_seed": seed,
        "start_padding_enabled": True,
        "accelerator": "cpu",
        "devices": 1,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "enable_checkpointing": False,
        "logger": False,
        "deterministic": True,
    }
    classes = {"NHITS": NHITS, "NBEATS": NBEATS}
    return [classes[n](**common) for n in names]


def neural_backtest(
    df: pd.DataFrame,
    names: Sequence[str],
    *,
    h: int,
    freq: str,
    season_length: int,
    n_windows: int,
    seed: int,
    budget: NeuralBudget,
) -> pd.DataFrame:
    """Rolling-origin forecasts (``unique_id, ds, cutoff, <model>...``) of the networks.

    The networks are trained once, on the history before the first window, and slide over
    the windows without seeing them.
    """
    from neuralforecast import NeuralForecast

    with _quiet():
        nf = NeuralForecast(
            models=_models(names, h=h, season_length=season_length, seed=seed, budget=budget),
            freq=freq,
        )
        cv = nf.cross_validation(df=df, n_windows=n_windows, step_size=h, verbose=False)
    return cv.drop(columns=[c for c in ("y",) if c in cv.columns]).reset_index(drop=True)


def neural_forecast(
    df: pd.DataFrame,
    names: Sequence[str],
    *,
    h: int,
    freq: str,
    season_length: int,
    seed: int,
    budget: NeuralBudget,
) -> pd.DataFrame:
    """Forecasts (``unique_id, ds, <model>...``) of the networks trained on all history."""
    from neuralforecast import NeuralForecast

    with _quiet():
        nf = NeuralForecast(
            models=_models(names, h=h, season_length=season_length, seed=seed, budget=budget),
            freq=freq,
        )
        nf.fit(df=df, val_size=0)
        fc = nf.predict()
    return fc.reset_index(drop=True)
