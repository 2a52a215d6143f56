"""A warning's bar rises with the distance to the breach: the policy's warning probability
for breaches within four weeks, up to the critical probability at thirteen weeks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.risk.helpers import outlook, position, random_outlook
from tools.domain.policy import EarlyWarningPolicy, Policy
from tools.forecasting.outlook import CashOutlook
from tools.risk import RANK, early_warnings, liquidity_risk, warning_levels

KEY = "US01/USD"
POLICY = Policy(early_warning=EarlyWarningPolicy(warning_probability=0.2, critical_probability=0.5))


def _drop(share: float, day: int, *, credit: float = 0.0) -> str | None:
    """Severity on KEY when ``share`` of 20 paths drop below the floor on day ``day``."""
    flows = np.zeros((20, 91))
    flows[: int(share * 20), day] = -60.0  # 100 -> 40, below the 50 floor from then on
    o = outlook({(KEY, "supplier_payment"): flows}, [position(credit=credit)])
    mine = [a for a in early_warnings(liquidity_risk(o, POLICY)).alerts if a.scope == KEY]
    return mine[0].severity if mine else None


@pytest.mark.parametrize(
    ("share", "day", "credit", "severity"),
    [
        (0.3, 10, 0.0, "warning"),  # 7 business days ahead: the policy's 20 % applies
        (0.3, 40, 0.0, "warning"),  # 29 business days: the bar is 26 %
        (0.3, 84, 0.0, "info"),  # 61 business days: the bar is 47 %, 30 % is not enough
        (0.4, 84, 500.0, "info"),  # 40 % with a line that covers it: still below the bar
        (0.55, 84, 500.0, "warning"),  # more likely than not, even that far out
        (0.6, 84, 0.0, "critical"),  # no credit to fall back on: critical at any distance
    ],
)
def test_far_breaches_need_a_higher_probability(
    share: float, day: int, credit: float, severity: str
) -> None:
    assert _drop(share, day, credit=credit) == severity


def test_levels_are_recorded_with_the_thresholds() -> None:
    ew = early_warnings(liquidity_risk(random_outlook(1), POLICY))
    assert ew.thresholds["near_days"] == 20 and ew.thresholds["far_days"] == 65
    assert ew.thresholds["far_probability"] == 0.5  # the policy's critical probability


@settings(max_examples=60, deadline=None)
@given(
    warning=st.floats(0.01, 0.5),
    extra=st.floats(0.0, 0.49),
    near=st.integers(0, 40),
    span=st.integers(1, 60),
)
def test_levels_rise_from_the_warning_to_the_far_probability(
    warning: float, extra: float, near: int, span: int
) -> None:
    far = min(warning + extra, 0.99)
    leads = np.arange(0, 130)
    levels = warning_levels(
        leads, warning_probability=warning, far_probability=far, near_days=near,
        far_days=near + span,
    )  # fmt: skip
    assert np.all(np.diff(levels) >= -1e-12)  # never lower for a later breach
    assert np.allclose(levels[leads <= near], warning)
    assert np.allclose(levels[leads >= near + span], far)
    assert levels.min() >= warning - 1e-12 and levels.max() <= far + 1e-12


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), shift=st.floats(0.0, 3.0))
def test_a_worse_outlook_never_lowers_the_severity(seed: int, shift: float) -> None:
    # no credit line, so no position is demoted to "runs on its line" (structural)
    noisy = random_outlook(seed, n_days=60)
    base = outlook(noisy.paths, [position(opening=100.0, minimum=60.0)])
    worse = base.with_paths(
        {k: v - shift if k[1] == "supplier_payment" else v for k, v in base.paths.items()}
    )

    def rank(o: CashOutlook) -> int:
        alerts = early_warnings(liquidity_risk(o, POLICY)).alerts
        return max((RANK[a.severity] for a in alerts if a.scope == KEY), default=-1)

    assert rank(worse) >= rank(base)
