"""The early-warning evaluation's definitions, on hand-made check records."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from evals.early_warning import score

S = date(2025, 10, 6)  # a Monday


def _records(
    *,
    design: str,
    twin: date | None,
    alerts: list[int],
    truth_ahead: list[int],
    post: date | None = S + timedelta(days=28),
) -> pd.DataFrame:
    checks = [S + timedelta(days=7 * w) for w in range(-1, len(alerts) - 1)]
    return pd.DataFrame(
        {
            "run": 0,
            "design": design,
            "start": S,
            "key": "US01/USD",
            "check": checks,
            "truth": [post if t else None for t in truth_ahead],
            "method": [
                c + timedelta(days=30) if a else None for c, a in zip(checks, alerts, strict=True)
            ],
            "post": post,
            "twin": twin,
            "pre": None,
        }
    )


def test_breach_the_twin_also_has_is_not_the_shocks() -> None:
    # the unshocked twin breaches too: not a breach-causing shock, nothing to detect
    rec = _records(
        design="prepayment",
        twin=S + timedelta(days=20),
        alerts=[0, 0, 0, 0, 0],
        truth_ahead=[1, 1, 1, 1, 0],
    )
    assert score(rec, "method")["breach_events_shocked"] == 0


def test_detection_lead_and_false_alarms() -> None:
    # breach on S + 28; the check on S + 7 is the first after S to alert: lead 15 business
    # days; the check before S alerts with no breach ahead: one false alarm of 1 negative
    rec = _records(
        design="prepayment",
        twin=None,
        alerts=[1, 0, 1, 1, 0],
        truth_ahead=[0, 1, 1, 1, 0],
    )
    res = score(rec, "method")
    assert res["breach_events_shocked"] == 1
    assert res["detection_rate"] == 1.0
    assert res["median_lead_days"] == 15.0
    assert res["false_alarm_rate"] == 0.5  # 1 of the 2 checks with no breach ahead
    assert res["episodes"] == 2 and res["false_episode_share"] == 0.5


def test_alerts_before_the_shock_do_not_count_as_detection() -> None:
    rec = _records(
        design="prepayment", twin=None, alerts=[1, 0, 0, 0, 0], truth_ahead=[1, 1, 1, 1, 0]
    )
    assert score(rec, "method")["detection_rate"] == 0.0
