"""Early-warning alerts: thresholds, severities, lead time in business days, causes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.risk.helpers import outlook, position, steady
from tools.domain.policy import EarlyWarningPolicy, Policy
from tools.risk import business_days, early_warnings, liquidity_risk

KEY = "US01/USD"
POLICY = Policy(early_warning=EarlyWarningPolicy(warning_probability=0.2, critical_probability=0.5))


def _share_breaching(share: float, n_paths: int = 20) -> np.ndarray:
    flows = np.zeros((n_paths, 30))
    flows[: int(share * n_paths)] = -5.0  # these paths fall below 50 from day index 10
    return flows


@pytest.mark.parametrize(
    ("share", "severity"),
    [
        (1.0, "critical"),  # every path breaches
        (0.6, "critical"),  # above the 50 % critical threshold
        (0.3, "warning"),  # above 20 %, below 50 %
        (0.1, "info"),  # at least the 5 % info level
        (0.0, None),  # nothing to say
    ],
)
def test_severity_follows_the_policy_thresholds(share: float, severity: str | None) -> None:
    o = outlook({(KEY, "supplier_payment"): _share_breaching(share)}, [position()])
    alerts = early_warnings(liquidity_risk(o, POLICY)).alerts
    got = [a.severity for a in alerts if a.scope == KEY]
    assert got == ([severity] if severity else [])


def test_lead_time_counts_business_days() -> None:
    o = outlook({(KEY, "supplier_payment"): _share_breaching(1.0)}, [position()])
    warning = early_warnings(liquidity_risk(o, POLICY))
    alert = next(a for a in warning.alerts if a.scope == KEY)
    # as of Fri 2 Jan 2026, breach on Tue 13 Jan: Fri 2, Mon 5 .. Fri 9, Mon 12 = 7 days
    assert alert.breach_date == date(2026, 1, 13)
    assert alert.lead_time_days == 7 == business_days(date(2026, 1, 2), date(2026, 1, 13))
    assert alert.probability == 1.0
    assert "US01/USD" in alert.cause and "2026-01-13" in alert.cause
    assert "no undrawn credit line" in alert.cause
    assert alert.data["expected_shortfall"] == 100.0
    assert warning.worst == "critical"


def test_cause_mentions_the_credit_line_mitigant() -> None:
    o = outlook({(KEY, "supplier_payment"): steady(10, 30, -5.0)}, [position(credit=200.0)])
    alert = early_warnings(liquidity_risk(o, POLICY)).alerts[0]
    assert "available credit brings it to 0%" in alert.cause
    assert alert.data["breach_probability_with_credit"] == 0.0


def test_position_without_floor_is_only_info_and_single_entity_not_repeated() -> None:
    flows = {
        ("DE01/EUR", "other"): steady(5, 20, 0.0),
        ("DE01/USD", "other"): steady(5, 20, -10.0),  # overdraws its own account
    }
    positions = [
        position("DE01/EUR", opening=1000.0, minimum=100.0),
        position("DE01/USD", opening=50.0, minimum=0.0),
    ]
    alerts = early_warnings(liquidity_risk(outlook(flows, positions), POLICY)).alerts
    by_scope = {a.scope: a.severity for a in alerts}
    assert by_scope == {"DE01/USD": "info"}  # the entity and group pool enough cash
    single = outlook({(KEY, "supplier_payment"): steady(5, 30, -5.0)}, [position()])
    scopes = [a.scope for a in early_warnings(liquidity_risk(single, POLICY)).alerts]
    assert scopes == [KEY, "group"]  # no separate US01 entity alert
