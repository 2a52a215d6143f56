"""Running the statistical zoo through statsforecast, on this machine or on Ray.

statsforecast parallelises over series with ``n_jobs`` processes; given a Ray dataset it
runs the same calls through its fugue backend on the Ray cluster. Both paths return
plain pandas frames.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import pandas as pd

__all__ = ["Backend", "stats_backtest", "stats_forecast"]

Backend = Literal["local", "ray"]


@contextmanager
def _quiet() -> Iterator[None]:
    # Model fits on flat or tiny series warn (convergence, divide by zero) and statsforecast
    # already falls back where a fit fails; the backtest is what judges each model.
    with warnings.catch_warnings(), _silent_loggers():
        warnings.simplefilter("ignore")
        yield


@contextmanager
def _silent_loggers() -> Iterator[None]:
    names = ("statsforecast", "ray", "ray.data", "fugue", "fugue_ray")
    loggers = [logging.getLogger(n) for n in names]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)


def _to_backend(df: pd.DataFrame, backend: Backend) -> Any:
    if backend == "local":
        return df
    import ray

    if not ray.is_initialized():
        # A caller on a cluster connects first (ray.init(address=...)); otherwise a local
        # Ray instance is started and left running for the next call.
        ray.init(include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    ray.data.DataContext.get_current().enable_progress_bars = False
    return ray.data.from_pandas(df.assign(unique_id=df["unique_id"].astype(str)))


def _from_backend(out: Any) -> pd.DataFrame:
    if isinstance(out, pd.DataFrame):
        return out.reset_index(drop=True)
    return pd.DataFrame(out.to_pandas()).reset_index(drop=True)


def _sf(models: list[Any], freq: str, n_jobs: int) -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import Naive

    return StatsForecast(models=models, freq=freq, n_jobs=n_jobs, fallback_model=Naive())


def stats_backtest(
    df: pd.DataFrame,
    models: list[Any],
    *,
    h: int,
    freq: str,
    n_windows: int,
    n_jobs: int,
    backend: Backend,
) -> pd.DataFrame:
    """Rolling-origin forecasts (``unique_id, ds, cutoff, y, <model>...``), windows ``h`` apart.

    Models that can be are fitted on the first window's history and carried forward to the
    later windows with their parameters fixed (``refit=False``), which keeps the backtest
    to one fit per model and series; the others are refitted per window (they are cheap).
    """
    with _quiet():
        data = _to_backend(df, backend)
    frames = []
    forward = [m for m in models if hasattr(m, "forward")]
    refit = [m for m in models if not hasattr(m, "forward")]
    for batch, again in ((forward, False), (refit, True)):
        if not batch:
            continue
        with _quiet():
            out = _sf(batch, freq, n_jobs).cross_validation(
                df=data, h=h, n_windows=n_windows, step_size=h, refit=again
            )
        frames.append(_from_backend(out).sort_values(["unique_id", "cutoff", "ds"]))
    merged = frames[0]
    for extra in frames[1:]:
        merged = merged.merge(extra.drop(columns="y"), on=["unique_id", "ds", "cutoff"])
    return merged.reset_index(drop=True)


def stats_forecast(
    df: pd.DataFrame, models: list[Any], *, h: int, freq: str, n_jobs: int, backend: Backend
) -> pd.DataFrame:
    """Forecasts (``unique_id, ds, <model>...``) from each series' last observation."""
    sf = _sf(models, freq, n_jobs)
    with _quiet():
        out = sf.forecast(df=_to_backend(df, backend), h=h)
    return _from_backend(out)
