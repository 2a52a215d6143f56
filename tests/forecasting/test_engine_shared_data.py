"""Conformance: the public evaluation sets load as the competitions define them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evals.forecast import load_m4, load_nn5, load_topcoder
from tests.conftest import SHARED_DATA
from tools.forecasting.engine_calendar import estimate_calendar, holiday_calendar
from tools.forecasting.engine_panel import prepare_panel

M4 = SHARED_DATA / "m4_weekly"
NN5 = SHARED_DATA / "nn5_daily_atm"
TOPCODER = SHARED_DATA / "topcoder_cashflow_2020"
pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not M4.exists(), reason="../shared/data is not present"),
]


def test_m4_weekly_has_359_series_and_a_13_week_test() -> None:
    train, test = load_m4(M4)
    lengths = train.groupby("unique_id").size()
    assert len(lengths) == 359 and test.shape == (359, 13)
    assert lengths.min() == 80 and lengths.max() == 2597
    assert not np.isnan(test).any()
    assert (train.groupby("unique_id")["ds"].max() == train["ds"].max()).all()


def test_nn5_keeps_the_last_56_days_for_testing() -> None:
    train, test = load_nn5(NN5)
    assert test.shape == (111, 56)
    assert train.groupby("unique_id").size().eq(735).all()
    assert train["y"].isna().any()  # the gaps reach the engine, which fills them


def test_nn5_development_origin_stays_inside_the_training_part() -> None:
    origin = pd.Timestamp("1997-03-23")
    train, valid = load_nn5(NN5, origin=origin)
    assert train["ds"].max() == origin and valid.shape == (111, 56)
    _, test = load_nn5(NN5)
    assert not np.array_equal(np.nan_to_num(valid), np.nan_to_num(test))


def test_nn5_holiday_effects_learned_from_the_training_part() -> None:
    train, _ = load_nn5(NN5)
    panel = prepare_panel(train, freq="D", season_length=7, fill="seasonal").df
    cal = estimate_calendar(panel, holiday_calendar("GB-ENG", [1996, 1997, 1998]), freq="D")
    assert cal.series == frozenset(panel["unique_id"])
    # the ATMs run dry over Christmas and busy up before the long weekends
    assert cal.effects["Christmas Day+0"] < np.log(0.5)
    assert cal.effects["Good Friday-2"] > np.log(1.2)
    assert cal.support["Easter Monday+0"] >= 2 * 100


def test_topcoder_cash_flow_is_monthly_per_country() -> None:
    df = load_topcoder(TOPCODER)
    assert sorted(df["unique_id"].unique()) == ["CHINA", "Germany", "Ireland", "Switzerland", "USA"]
    assert (df["ds"].dt.day == 1).all()
    assert df.groupby("unique_id").size().max() == 55
