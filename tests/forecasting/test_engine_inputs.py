"""The panel engine on bad input: repaired and flagged, or refused with a clear error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from tools.errors import ConfigError, DataError
from tools.forecasting.engine import PanelForecast, forecast_panel
from tools.forecasting.engine_panel import prepare_panel

MODELS = ["SeasonalNaive", "Naive"]


def _series(uid: str, n: int = 90, start: str = "2024-01-01", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 20 + 5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, n)
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=n), "y": y})


def _run(df: pd.DataFrame, **kw: Any) -> PanelForecast:
    args: dict[str, Any] = {"h": 7, "freq": "D", "season_length": 7, "models": MODELS}
    args.update(kw)
    return forecast_panel(df, **args)


@pytest.mark.parametrize(
    ("frame", "needle"),
    [
        # a required column is absent
        (pd.DataFrame({"unique_id": ["a"], "ds": ["2024-01-01"]}), "'y'"),
        # a value that is not a number
        (
            pd.DataFrame(
                {"unique_id": ["a", "a"], "ds": ["2024-01-01", "2024-01-02"], "y": [1.0, "x"]}
            ),
            "column 'y'",
        ),
        # a timestamp that is not a date
        (pd.DataFrame({"unique_id": ["a"], "ds": ["someday"], "y": [1.0]}), "column 'ds'"),
        # a series with a single observation
        (pd.concat([_series("long"), _series("one", n=1)]), "'one'"),
        # no rows at all
        (pd.DataFrame({"unique_id": [], "ds": [], "y": []}), "no rows"),
    ],
)
def test_unusable_input_raises_a_data_error_naming_the_problem(
    frame: pd.DataFrame, needle: str
) -> None:
    with pytest.raises(DataError, match=needle):
        _run(frame)


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"h": 0}, "h must be"),  # no horizon
        ({"levels": (80, 120)}, "levels"),  # a level above 100 %
        ({"models": ["Prophet"]}, "unknown forecasting model"),  # not in the zoo
        ({"backend": "dask"}, "backend"),  # unsupported backend
    ],
)
def test_invalid_options_raise_a_config_error(kw: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        _run(_series("a"), **kw)


def test_duplicates_are_summed_and_flagged() -> None:
    df = _series("a")
    dup = df.iloc[[10]].assign(y=5.0)
    prepared = prepare_panel(pd.concat([df, dup]), freq="D", season_length=7)
    assert prepared.flags["a"] == ["duplicates_aggregated"]
    assert prepared.df["y"].iloc[10] == pytest.approx(df["y"].iloc[10] + 5.0)
    assert len(prepared.df) == len(df)


def test_missing_days_are_zero_filled_for_flows_or_seasonal_for_levels() -> None:
    df = _series("a").drop(index=[20, 21])
    zero = prepare_panel(df, freq="D", season_length=7)
    assert zero.flags["a"] == ["gap_filled:2"]
    assert zero.df.loc[20, "y"] == 0.0
    seasonal = prepare_panel(df, freq="D", season_length=7, fill="seasonal")
    assert seasonal.df.loc[20, "y"] == pytest.approx(df.loc[13, "y"])


def test_irregular_timestamps_are_snapped_to_the_period() -> None:
    df = _series("a", n=60)
    df["ds"] = df["ds"] + pd.Timedelta(hours=9)
    weekly = pd.DataFrame(
        {
            "unique_id": "w",
            "ds": pd.to_datetime(["2024-01-03", "2024-01-09", "2024-01-17"]),
            "y": 1.0,
        }
    )
    prepared = prepare_panel(pd.concat([df, weekly]), freq="W-SUN", season_length=1)
    assert "irregular_timestamps_snapped" in prepared.flags["w"]
    w = prepared.df[prepared.df["unique_id"] == "w"]
    assert list(w["ds"].dt.day_name().unique()) == ["Sunday"]
    assert w["y"].tolist() == [1.0, 1.0, 1.0]


def test_special_series_get_their_own_treatment() -> None:
    zeros = _series("zeros").assign(y=0.0)
    short = _series("short", n=12)
    sparse = _series("sparse", seed=3)
    sparse.loc[sparse.index % 3 != 0, "y"] = 0.0
    res = _run(
        pd.concat([_series("ok"), zeros, short, sparse]),
        n_paths=20,
        models=[*MODELS, "CrostonOptimized"],
    )
    assert res.chosen["zeros"] == "zero"
    assert "all_zeros" in res.flags["zeros"]
    z = res.forecast[res.forecast["unique_id"] == "zeros"]
    assert (z[["mean", "lo-95", "hi-95"]] == 0).all().all()
    assert res.chosen["short"] == "fallback:SeasonalNaive"
    assert any(f.startswith("too_short") for f in res.flags["short"])
    s = res.forecast[res.forecast["unique_id"] == "short"]
    assert (s["hi-95"] > s["lo-95"]).all()
    assert "intermittent" in res.flags["sparse"]
    assert "ok" not in res.flags
    assert res.paths is not None and res.paths.shape == (4, 20, 7)


def test_a_series_booked_on_few_dates_is_flagged_mostly_gaps() -> None:
    paydays = pd.DataFrame(
        {
            "unique_id": "payroll",
            "ds": pd.date_range("2024-01-31", periods=6, freq="ME"),
            "y": -50_000.0,
        }
    )
    prepared = prepare_panel(paydays, freq="D", season_length=7)
    flags = prepared.flags["payroll"]
    assert flags[0].startswith("gap_filled:") and "mostly_gaps" in flags
    assert (prepared.df["y"] != 0).sum() == 6
