"""Balance bands calibrated on the outlook's own backtests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tools.data.asof import tables_as_of
from tools.data.simulator import SimConfig, generate_company
from tools.forecasting.calibration import CATEGORY
from tools.forecasting.cash import build_outlook
from tools.forecasting.cash_bands import calibrated_outlook

AS_OF = date(2025, 12, 31)


@pytest.fixture(scope="module")
def pair():
    company = generate_company(SimConfig(seed=3))
    tables = tables_as_of(company.tables, AS_OF)
    kwargs = {"as_of": AS_OF, "n_paths": 100, "seed": 1, "quality": "fast"}
    raw = build_outlook(tables, company.policy, **kwargs).outlook
    calibrated = calibrated_outlook(tables, company.policy, **kwargs).outlook
    return raw, calibrated


def test_calibration_widens_the_bands_and_keeps_the_mean(pair) -> None:
    raw, calibrated = pair
    summary = calibrated.provenance["calibration"]
    assert summary["calibrated"] and len(summary["origins"]) == 6 and summary["n_scores"] > 0
    widening = summary["weekly_widening_80"]
    swept = set(raw.provenance["swept_positions"])
    assert swept == {"DE01/USD"}  # the collection account swept to EUR keeps its own bands
    assert set(widening) == set(raw.keys) - swept
    assert all(f >= 1.0 for factors in widening.values() for f in factors)
    assert 0.0 <= summary["coverage_before"]["80"] <= 1.0
    for key in raw.keys:
        before, after = raw.balance_paths(key), calibrated.balance_paths(key)
        np.testing.assert_allclose(after.mean(axis=0), before.mean(axis=0), rtol=1e-9, atol=1e-3)
        width = lambda b: np.quantile(b, 0.9, axis=0) - np.quantile(b, 0.1, axis=0)  # noqa: E731
        assert np.all(width(after) >= width(before) - 1e-6)
        if key in swept:
            assert (key, CATEGORY) not in calibrated.paths
        else:
            assert calibrated.paths[(key, CATEGORY)].shape == before.shape


def test_backtests_never_see_the_future(pair) -> None:
    _, calibrated = pair
    origins = [date.fromisoformat(d) for d in calibrated.provenance["calibration"]["origins"]]
    assert max(origins) <= date.fromordinal(AS_OF.toordinal() - calibrated.horizon_days)


def test_too_little_history_leaves_the_bands_alone() -> None:
    company = generate_company(SimConfig(seed=3, start=date(2025, 8, 1), end=date(2025, 12, 31)))
    out = calibrated_outlook(
        company.tables, company.policy, as_of=AS_OF, n_paths=50, quality="fast"
    ).outlook
    summary = out.provenance["calibration"]
    assert not summary["calibrated"] and "history" in summary["reason"]
    assert all((k, CATEGORY) not in out.paths for k in out.keys)
