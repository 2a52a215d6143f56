"""The panel forecasting engine: shapes, intervals, paths, model choice and determinism."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from tools.forecasting.engine import PanelForecast, forecast_panel

H = 14
FAST = ("SeasonalNaive", "Naive", "AutoETS")


def _panel(n: int = 6, length: int = 180, seed: int = 0) -> pd.DataFrame:
    """Half weekly-seasonal series, half random walks with drift."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    rows = []
    for i in range(n):
        if i % 2 == 0:
            y = 100 + 25 * np.sin(2 * np.pi * t / 7 + i) + rng.normal(0, 2, length)
        else:
            y = 50 + np.cumsum(rng.normal(0.3, 2, length))
        ds = pd.date_range("2024-01-01", periods=length, freq="D")
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def result() -> PanelForecast:
    return forecast_panel(
        _panel(), h=H, freq="D", season_length=7, models=FAST, n_paths=400, seed=3
    )


def test_forecast_frame_has_one_row_per_series_and_step(result: PanelForecast) -> None:
    fc = result.forecast
    assert list(fc.columns) == ["unique_id", "ds", "mean", "lo-80", "hi-80", "lo-95", "hi-95"]
    assert len(fc) == 6 * H
    assert result.ids == [f"s{i}" for i in range(6)]
    first = fc.groupby("unique_id")["ds"].min()
    assert (first == pd.Timestamp("2024-01-01") + pd.Timedelta(days=180)).all()
    assert fc.notna().all().all()


def test_intervals_are_nested_around_the_mean(result: PanelForecast) -> None:
    fc = result.forecast
    assert (fc["lo-95"] <= fc["lo-80"]).all()
    assert (fc["lo-80"] <= fc["mean"]).all()
    assert (fc["mean"] <= fc["hi-80"]).all()
    assert (fc["hi-80"] <= fc["hi-95"]).all()
    assert (fc["hi-95"] - fc["lo-95"]).gt(0).all()


def test_paths_match_the_intervals(result: PanelForecast) -> None:
    assert result.paths is not None
    assert result.paths.shape == (6, 400, H)
    for uid in result.ids:
        paths = result.series_paths(uid)
        fc = result.forecast[result.forecast["unique_id"] == uid]
        width = (fc["hi-80"] - fc["lo-80"]).to_numpy()
        q10, q90 = np.quantile(paths, [0.1, 0.9], axis=0)
        assert np.abs(q10 - fc["lo-80"].to_numpy()).max() < 0.2 * width.max()
        assert np.abs(q90 - fc["hi-80"].to_numpy()).max() < 0.2 * width.max()


def test_paths_are_autocorrelated_across_steps(result: PanelForecast) -> None:
    # Deviations of neighbouring steps move together, as whole backtest errors do.
    assert result.paths is not None
    dev = result.paths - result.paths.mean(axis=1, keepdims=True)
    corr = np.corrcoef(dev[:, :, 5].ravel(), dev[:, :, 6].ravel())[0, 1]
    assert corr > 0.2


def test_backtest_and_provenance_are_recorded(result: PanelForecast) -> None:
    bt = result.backtest
    assert set(bt["model"]) == {*FAST, "selected"}
    assert (bt["n_windows"] == 3).all()
    assert set(result.chosen) == set(result.ids)
    prov = result.provenance
    assert prov["parameters"]["n_windows"] == 3
    assert prov["parameters"]["seed"] == 3
    assert prov["strategy"] in prov["strategy_scores"]
    assert prov["start"] == "2024-01-01"
    assert "statsforecast" in prov["versions"]


def test_selection_picks_the_clearly_right_model() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(150)
    pattern = np.array([5.0, 9, 14, 12, 8, 1, 0.5])
    rows = []
    for i in range(3):
        seasonal = 100 + 10 * pattern[t % 7] + rng.normal(0, 0.1, len(t))
        walk = 200 + np.cumsum(rng.normal(0, 3, len(t)))
        ds = pd.date_range("2024-01-01", periods=len(t), freq="D")
        rows.append(pd.DataFrame({"unique_id": f"week{i}", "ds": ds, "y": seasonal}))
        rows.append(pd.DataFrame({"unique_id": f"walk{i}", "ds": ds, "y": walk}))
    res = forecast_panel(
        pd.concat(rows),
        h=H,
        freq="D",
        season_length=7,
        models=["SeasonalNaive", "Naive"],
        strategies=("best",),
    )
    for i in range(3):
        assert res.chosen[f"week{i}"] == "SeasonalNaive"
        assert res.chosen[f"walk{i}"] == "Naive"


def test_same_seed_same_result_and_seed_moves_paths() -> None:
    df = _panel(n=4, length=120, seed=5)
    kw: dict[str, Any] = {
        "h": 7,
        "freq": "D",
        "season_length": 7,
        "models": ["SeasonalNaive", "Naive"],
    }
    a = forecast_panel(df, n_paths=50, seed=11, **kw)
    b = forecast_panel(df, n_paths=50, seed=11, **kw)
    c = forecast_panel(df, n_paths=50, seed=12, **kw)
    pd.testing.assert_frame_equal(a.forecast, b.forecast)
    assert a.paths is not None and b.paths is not None and c.paths is not None
    assert np.array_equal(a.paths, b.paths)
    assert not np.array_equal(a.paths, c.paths)
    assert a.chosen == b.chosen


@pytest.mark.slow
def test_neural_models_join_the_backtest_with_a_tiny_budget() -> None:
    from tools.forecasting.engine_neural import NeuralBudget

    res = forecast_panel(
        _panel(n=6, length=120),
        h=H,
        freq="D",
        season_length=7,
        models=["SeasonalNaive", "NHITS", "NBEATS"],
        neural_budget=NeuralBudget(max_steps=2),
        n_paths=10,
        seed=1,
    )
    assert {"NHITS", "NBEATS"} <= set(res.backtest["model"])
    assert res.provenance["neural_models"] == ["NHITS", "NBEATS"]
    assert "neuralforecast" in res.provenance["versions"]
    assert res.forecast[["mean", "lo-95", "hi-95"]].notna().all().all()


@pytest.mark.slow
def test_ray_backend_gives_the_local_result() -> None:
    ray = pytest.importorskip("ray")
    pytest.importorskip("fugue_ray")
    df = _panel(n=4, length=120)
    kw: dict[str, Any] = {
        "h": 7,
        "freq": "D",
        "season_length": 7,
        "models": ["SeasonalNaive", "AutoETS"],
    }
    local = forecast_panel(df, **kw)
    try:
        on_ray = forecast_panel(df, backend="ray", **kw)
    finally:
        ray.shutdown()
    pd.testing.assert_frame_equal(local.forecast, on_ray.forecast, check_exact=False)
    assert on_ray.provenance["parameters"]["backend"] == "ray"
