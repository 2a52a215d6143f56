"""Conformance: the public evaluation sets load as the competitions define them."""

from __future__ import annotations

import numpy as np
import pytest

from evals.forecast import load_m4, load_nn5, load_topcoder
from tests.conftest import SHARED_DATA

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


def test_topcoder_cash_flow_is_monthly_per_country() -> None:
    df = load_topcoder(TOPCODER)
    assert sorted(df["unique_id"].unique()) == ["CHINA", "Germany", "Ireland", "Switzerland", "USA"]
    assert (df["ds"].dt.day == 1).all()
    assert df.groupby("unique_id").size().max() == 55
