"""The engine's parts on hand-made arrays: selection, conformal calibration, metrics."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tools.forecasting.engine_conformal import (
    calibrate,
    interval_halfwidths,
    sample_paths,
    series_scale,
)
from tools.forecasting.engine_metrics import coverage, mase, naive2, owa, seasonality_test, smape
from tools.forecasting.engine_select import Backtest, select


def _backtest(noise: tuple[float, float, float], n_series: int = 8, seed: int = 0) -> Backtest:
    rng = np.random.default_rng(seed)
    y = rng.normal(100, 10, (n_series, 3, 5))
    pred = np.stack([y + rng.normal(0, s, y.shape) for s in noise], axis=-1)
    return Backtest(
        ids=[f"s{i}" for i in range(n_series)],
        models=["good", "fair", "bad"],
        y=y,
        pred=pred,
        scale=np.full(n_series, 10.0),
    )


def test_selection_prefers_the_accurate_model() -> None:
    sel = select(_backtest((0.1, 5.0, 50.0)), strategies=("best", "mean_all"))
    assert sel.strategy == "best"
    assert (sel.weights[:, 0] == 1).all()
    assert sel.scores["best"] < sel.scores["mean_all"]


def test_selection_averages_equally_good_models() -> None:
    # Two models with independent errors of the same size: their mean halves the variance.
    sel = select(_backtest((5.0, 5.0, 60.0), n_series=30), strategies=("best", "top2"))
    assert sel.strategy == "top2"
    assert np.allclose(sel.weights[:, :2], 0.5)


def test_heldout_forecast_never_uses_its_own_window() -> None:
    bt = _backtest((1.0, 1.0, 1.0), n_series=2)
    # Model "bad" is perfect on window 0 only; held out, window 0 must not pick it.
    bt.pred[:, 0, :, 2] = bt.y[:, 0, :]
    bt.pred[:, 1:, :, 2] = bt.y[:, 1:, :] + 40
    sel = select(bt, strategies=("best",))
    assert not np.allclose(sel.heldout_pred[:, 0, :], bt.y[:, 0, :])


def test_conformal_halfwidths_grow_with_the_level_and_match_paths() -> None:
    rng = np.random.default_rng(2)
    resid = rng.normal(0, 1, (40, 3, 6)) * np.arange(1, 7)
    lowo, full = series_scale(resid)
    cal = calibrate(resid, lowo, full)
    w80, w95 = interval_halfwidths(cal, 80), interval_halfwidths(cal, 95)
    assert (w95 >= w80).all()
    assert w80[-1] > w80[0]  # errors grow with the horizon
    paths = sample_paths(np.zeros((1, 6)), np.ones(1), cal, n_paths=4000, seed=1)
    q90 = np.quantile(paths[0], 0.9, axis=0)
    assert np.allclose(q90, w80, rtol=0.1)


def test_no_backtest_falls_back_to_random_walk_widths() -> None:
    resid = np.full((2, 3, 4), np.nan)
    lowo, _full = series_scale(resid)
    cal = calibrate(resid, lowo, np.ones(2))
    assert not cal.calibrated
    w = interval_halfwidths(cal, 80)
    assert (np.diff(w) > 0).all()


@settings(max_examples=40, deadline=None)
@given(
    resid=arrays(float, (5, 2, 4), elements=st.floats(-1e3, 1e3, allow_nan=False)),
    levels=st.lists(st.integers(1, 99), min_size=2, max_size=4, unique=True),
)
def test_wider_levels_never_give_narrower_intervals(resid: np.ndarray, levels: list[int]) -> None:
    lowo, full = series_scale(resid)
    cal = calibrate(resid, lowo, np.where(np.isfinite(full), full, 1.0))
    widths = [interval_halfwidths(cal, lv) for lv in sorted(levels)]
    for narrow, wide in itertools.pairwise(widths):
        assert (wide >= narrow - 1e-12).all()
    assert all(np.isfinite(w).all() and (w >= 0).all() for w in widths)


def test_competition_metrics_on_known_values() -> None:
    y = np.array([100.0, 200.0])
    f = np.array([110.0, 180.0])
    expected = 100 * np.mean([20 / 210, 40 / 380])
    assert smape(y, f) == pytest.approx(expected)
    assert smape(np.zeros(2), np.zeros(2)) == 0.0
    assert mase(y, f, np.array([1.0, 3.0, 5.0])) == pytest.approx(15 / 2)
    assert owa(10, 2, 20, 4) == pytest.approx(0.5)
    assert coverage(y, f - 15, f + 15) == 0.5


def test_naive2_deseasonalises_only_seasonal_series() -> None:
    t = np.arange(120)
    seasonal = 100 * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
    assert seasonality_test(seasonal, 12)
    fc = naive2(seasonal, 12, 12)
    assert np.allclose(fc, seasonal[-12:], rtol=0.05)
    flat = np.random.default_rng(0).normal(50, 1, 120)
    assert not seasonality_test(flat, 12)
    assert (naive2(flat, 5, 12) == flat[-1]).all()
