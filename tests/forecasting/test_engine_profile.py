"""The robust seasonal-profile candidates and the median / inverse-error combinations."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tools.forecasting.engine_profile import (
    SeasonalMedian,
    SeasonalProfile,
    profile_forecast,
    seasonal_median,
)
from tools.forecasting.engine_select import Backtest, combine, select, strategy_weights
from tools.forecasting.engine_zoo import make_stat_models

WEEK = np.array([0.8, 0.8, 1.0, 1.5, 1.3, 0.7, 0.9])


def _weekly(n_weeks: int, level: float = 100.0) -> np.ndarray:
    return np.tile(WEEK, n_weeks) * level


def test_seasonal_median_ignores_a_closed_day() -> None:
    y = _weekly(8)
    y[-3] = 0.0  # one outage in the last week
    f = seasonal_median(y, 14, 7, window=5)
    assert np.allclose(f, _weekly(2))


def test_forecast_continues_the_phase_of_the_season() -> None:
    y = _weekly(10)[:-2]  # the history ends on the fifth point of the season
    f = seasonal_median(y, 7, 7, window=4)
    assert np.allclose(f, np.roll(WEEK, -5) * 100)
    assert np.allclose(profile_forecast(y, 7, 7, 52, 4), np.roll(WEEK, -5) * 100)


def test_profile_keeps_a_long_pattern_at_the_new_level() -> None:
    y = np.concatenate([_weekly(30, 100.0), _weekly(4, 150.0)])
    y[-10] *= 3  # a spike does not move the profile or the level
    f = profile_forecast(y, 14, 7, profile_seasons=52, level_seasons=3)
    assert np.allclose(f, _weekly(2, 150.0))


def test_profile_is_additive_for_series_with_negative_values() -> None:
    pattern = np.array([-50.0, 10, 20, 30, 40, -20, -30])
    y = np.tile(pattern, 12) + 5.0
    f = profile_forecast(y, 7, 7, profile_seasons=52, level_seasons=4)
    assert np.allclose(f, pattern + 5.0)


def test_profile_models_run_inside_statsforecast() -> None:
    from statsforecast import StatsForecast

    rng = np.random.default_rng(0)
    n = 7 * 20
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], n),
            "ds": np.tile(pd.date_range("2024-01-01", periods=n, freq="D"), 2),
            "y": np.concatenate([_weekly(20), _weekly(20, 40.0)]) * rng.lognormal(0, 0.05, 2 * n),
        }
    )
    sf = StatsForecast(models=[SeasonalMedian(7), SeasonalProfile(7)], freq="D", n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = sf.cross_validation(df=df, h=14, n_windows=2, step_size=14)
        fc = sf.forecast(df=df, h=7)
    assert {"SeasonalMedian", "SeasonalProfile"} <= set(cv.columns)
    err = np.abs(cv["SeasonalProfile"] - cv["y"]) / cv["y"]
    assert err.mean() < 0.1
    assert fc.groupby("unique_id").size().tolist() == [7, 7]


def test_profile_models_need_three_seasons() -> None:
    names = ["SeasonalNaive", "SeasonalMedian", "SeasonalProfile"]
    short = make_stat_models(names, freq="D", season_length=7, n_obs=20)
    long = make_stat_models(names, freq="D", season_length=7, n_obs=21)
    assert [m.alias for m in short] == ["SeasonalNaive"]
    assert [m.alias for m in long] == names


def test_median_combination_ignores_a_model_gone_astray() -> None:
    pred = np.array([[[10.0, 11.0, 500.0]]])  # (series, h, models)
    w = np.array([[1 / 3, 1 / 3, 1 / 3]])
    assert np.allclose(combine(pred, w, "median"), 11.0)
    assert np.allclose(combine(pred, w, "mean"), 521 / 3)
    # Only models with a positive weight take part.
    assert np.allclose(combine(pred, np.array([[0.5, 0.0, 0.5]]), "median"), 255.0)


def test_inverse_error_weights_favour_the_more_accurate() -> None:
    err = np.array([[1.0, 2.0, 4.0, np.nan]])
    w = strategy_weights("inv3", err, np.ones(1))
    assert np.allclose(w, [[4 / 7, 2 / 7, 1 / 7, 0.0]])
    assert np.allclose(strategy_weights("median3", err, np.ones(1)), [[1 / 3, 1 / 3, 1 / 3, 0]])


def test_selection_takes_the_median_when_one_model_spikes() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(100, 10, (30, 4, 6))
    pred = np.stack([y + rng.normal(0, 3, y.shape) for _ in range(3)], axis=-1)
    # Each window, a different model goes far astray: a mean suffers, the median does not.
    for w in range(4):
        pred[:, w, :, w % 3] += 80
    bt = Backtest([f"s{i}" for i in range(30)], ["a", "b", "c"], y, pred, np.full(30, 10.0))
    sel = select(bt, strategies=("best", "top3", "median3"))
    assert sel.strategy == "median3"
    assert sel.how == "median"
    assert sel.scores["median3"] < sel.scores["top3"]


def _panel(n_series: int = 6, n_weeks: int = 30, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 7 * n_weeks
    frames = []
    for i in range(n_series):
        y = _weekly(n_weeks, 50.0 + 10 * i) * rng.lognormal(0, 0.1, n)
        y[rng.choice(n, 4, replace=False)] = 0.0  # closed days
        ds = pd.date_range("2024-01-01", periods=n, freq="D")
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(frames, ignore_index=True)


def test_default_zoo_offers_the_profile_models_and_they_win_on_weekday_flows() -> None:
    from tools.forecasting.engine import forecast_panel

    # A budget for the cheap models only (they come first in the default order).
    res = forecast_panel(_panel(), h=14, freq="D", season_length=7, n_jobs=1, time_budget=0.05)
    models = {m for ms in res.provenance["models"].values() for m in ms}
    assert {"SeasonalMedian", "SeasonalProfile"} <= models
    bt = res.backtest.groupby("model")["scaled_mae"].mean()
    assert min(bt["SeasonalMedian"], bt["SeasonalProfile"]) < bt["SeasonalNaive"]


def test_engine_reports_a_median_combination() -> None:
    from tools.forecasting.engine import forecast_panel

    res = forecast_panel(
        _panel(),
        h=14,
        freq="D",
        season_length=7,
        models=["SeasonalNaive", "SeasonalMedian", "SeasonalProfile"],
        strategies=("median3",),
    )
    assert res.provenance["strategy"] == "median3"
    assert all(c.startswith("median(") for c in res.chosen.values())
    assert np.isfinite(res.forecast["mean"]).all()
