"""Holiday effects in the panel engine: learned across series, divided out, multiplied back."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tools.errors import ConfigError
from tools.forecasting.engine import forecast_panel
from tools.forecasting.engine_calendar import (
    estimate_calendar,
    holiday_calendar,
    holiday_keys,
    restore_backtest,
)
from tools.forecasting.engine_select import Backtest

WEEKDAY = np.array([1.0, 0.9, 0.95, 1.1, 1.4, 1.2, 0.6])
HOLIDAYS = {
    date(2023, 4, 7): "Spring Day",
    date(2023, 12, 25): "Winter Day",
    date(2024, 3, 29): "Spring Day",
    date(2024, 12, 25): "Winter Day",
    date(2025, 4, 18): "Spring Day",
}
ON_DAY, DAY_BEFORE = 0.5, 1.6  # multipliers the panel is built with


def _panel(n: int = 12, start: str = "2023-01-02", end: str = "2025-03-31") -> pd.DataFrame:
    rng = np.random.default_rng(5)
    ds = pd.date_range(start, end, freq="D")
    rows = []
    for i in range(n):
        level = 100.0 * (1 + i)
        y = level * WEEKDAY[ds.dayofweek] * rng.lognormal(0, 0.05, len(ds))
        for day in HOLIDAYS:
            y[ds == pd.Timestamp(day)] *= ON_DAY
            y[ds == pd.Timestamp(day) - pd.Timedelta(days=1)] *= DAY_BEFORE
        rows.append(pd.DataFrame({"unique_id": f"atm{i}", "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_keys_name_the_nearest_holiday_and_the_offset() -> None:
    days = pd.DatetimeIndex(["2024-12-22", "2024-12-24", "2024-12-25", "2024-12-28", "2025-01-10"])
    keys = holiday_keys(days, HOLIDAYS, window=3)
    assert list(keys) == ["Winter Day-3", "Winter Day-1", "Winter Day+0", "Winter Day+3", None]
    tie = {date(2024, 1, 1): "A", date(2024, 1, 3): "B"}
    assert holiday_keys(pd.DatetimeIndex(["2024-01-02"]), tie, window=3)[0] == "A+1"


def test_effects_are_learned_across_the_panel() -> None:
    cal = estimate_calendar(_panel(), HOLIDAYS, freq="D", window=2)
    assert np.exp(cal.effects["Spring Day+0"]) == pytest.approx(ON_DAY, rel=0.05)
    assert np.exp(cal.effects["Winter Day-1"]) == pytest.approx(DAY_BEFORE, rel=0.05)
    assert abs(cal.effects["Spring Day+2"]) < 0.05  # nothing happens two days after
    assert cal.support["Spring Day+0"] == 2 * 12  # two past occurrences times twelve series


def test_forecast_carries_the_effect_of_a_coming_holiday() -> None:
    df = _panel()
    kw = {"h": 28, "freq": "D", "season_length": 7, "models": ["SeasonalNaive"], "n_paths": 20}
    plain = forecast_panel(df, **kw)
    adjusted = forecast_panel(df, holidays=HOLIDAYS, **kw)

    def on(res: object, day: str) -> np.ndarray:
        fc = res.forecast  # type: ignore[attr-defined]
        return fc.loc[fc["ds"] == pd.Timestamp(day)].sort_values("unique_id")

    week_before = on(adjusted, "2025-04-11")["mean"].to_numpy()
    holiday = on(adjusted, "2025-04-18")
    assert holiday["mean"].to_numpy() / week_before == pytest.approx(ON_DAY, rel=0.1)
    assert on(adjusted, "2025-04-17")["mean"].to_numpy() / on(adjusted, "2025-04-10")[
        "mean"
    ].to_numpy() == pytest.approx(DAY_BEFORE, rel=0.1)
    # without the calendar the holiday is forecast like any Friday
    assert on(plain, "2025-04-18")["mean"].to_numpy() == pytest.approx(
        on(plain, "2025-04-11")["mean"].to_numpy(), rel=0.05
    )
    # intervals and paths move with the mean
    friday = on(adjusted, "2025-04-11")
    width = (holiday["hi-95"] - holiday["lo-95"]).to_numpy()
    assert (width < (friday["hi-95"] - friday["lo-95"]).to_numpy()).all()
    col = list(pd.date_range("2025-04-01", periods=28)).index(pd.Timestamp("2025-04-18"))
    assert adjusted.series_paths("atm0")[:, col].mean() == pytest.approx(
        holiday["mean"].iloc[0], rel=0.15
    )
    assert adjusted.provenance["calendar"]["effects_pct"]["Spring Day+0"] < -40


def test_backtests_score_the_adjusted_forecast_on_raw_values() -> None:
    # Two 7-day windows ending with Christmas: actuals raw, forecasts with the effects back.
    raw = _panel(n=2, end="2024-12-28")
    cal = estimate_calendar(raw, HOLIDAYS, freq="D", window=1)
    clean = cal.clean(raw)
    tail = {u: g.tail(14) for u, g in clean.groupby("unique_id")}
    y = np.stack([tail[u]["y"].to_numpy().reshape(2, 7) for u in ("atm0", "atm1")])
    bt = Backtest(
        ids=["atm0", "atm1"], models=["M"], y=y, pred=y[..., None].copy(), scale=np.ones(2)
    )
    out = restore_backtest(bt, raw, cal)
    want = raw[raw["unique_id"] == "atm1"]["y"].to_numpy()[-14:].reshape(2, 7)
    assert out.y[1] == pytest.approx(want)
    assert out.pred[1, :, :, 0] == pytest.approx(want)  # a perfect cleaned forecast stays perfect
    christmas = list(pd.date_range(end="2024-12-28", periods=14)).index(pd.Timestamp("2024-12-25"))
    assert out.y[0].ravel()[christmas] < 0.8 * y[0].ravel()[christmas]


def test_series_that_go_negative_keep_their_values() -> None:
    df = _panel(n=3)
    df.loc[df["unique_id"] == "atm2", "y"] -= 1000.0
    res = forecast_panel(
        df, h=21, freq="D", season_length=7, models=["SeasonalNaive"], holidays=HOLIDAYS
    )
    assert "no_holiday_effects_negative_values" in res.flags["atm2"]
    assert "atm2" not in estimate_calendar(df, HOLIDAYS, freq="D").series


def test_clear_errors_for_unusable_calendars() -> None:
    with pytest.raises(ConfigError, match="daily series"):
        estimate_calendar(_panel(n=1), HOLIDAYS, freq="W-SUN")
    with pytest.raises(ConfigError, match="ISO 3166"):
        holiday_calendar("Atlantis", [2024])
    with pytest.raises(ConfigError, match="window"):
        estimate_calendar(_panel(n=1), HOLIDAYS, freq="D", window=-1)
    assert holiday_calendar("GB-ENG", [1998])[date(1998, 4, 10)] == "Good Friday"
