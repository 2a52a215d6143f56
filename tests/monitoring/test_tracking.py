"""KPI targets and deterioration alerts; the alert store raises each condition once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tools.errors import ConfigError, DataError
from tools.monitoring.alerts_store import MonitorAlert, acknowledge, list_alerts, record_alerts
from tools.monitoring.measures import discount_capture
from tools.monitoring.tracking import DEFAULT_TARGETS, load_targets, track_kpis

DAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("metric", "now", "before", "severity"),
    [
        ("dso", 61.0, 66.0, "critical"),  # 16 days over 45, tolerance 5: more than twice
        ("dso", 52.0, 52.0, "warning"),  # 7 over: beyond tolerance
        ("dso", 48.0, 40.0, "info"),  # within tolerance but 8 days worse than before
        ("dso", 48.0, 47.0, None),  # within tolerance, barely moved
        ("dpo", 30.0, 35.0, "warning"),  # higher is better: 10 short of 40
        ("interval_coverage", 0.55, 0.8, "critical"),  # near 80 %: 25 points off
        ("interval_coverage", 0.95, 0.95, "warning"),  # too wide is off target too
        ("breaches", 1.0, 0.0, "warning"),  # any breach day, tolerance 0
        ("breaches", 0.0, 3.0, None),
    ],
)
def test_deterioration_raises_the_expected_alert(
    metric: str, now: float, before: float, severity: str | None
) -> None:
    result = track_kpis({metric: (now, before)}, DEFAULT_TARGETS, as_of=DAY, period_days=30)
    alerts = [a for a in result.alerts if a.metric == metric]
    assert [a.severity for a in alerts] == ([severity] if severity else [])
    if alerts:
        assert alerts[0].value == now and alerts[0].target == DEFAULT_TARGETS[metric].target
        assert alerts[0].dedupe_key == f"kpi:{metric}:{severity}"


def test_status_trend_and_missing_values() -> None:
    result = track_kpis({"dso": (50.0, 55.0)}, DEFAULT_TARGETS, as_of=DAY, period_days=30)
    dso = result.kpi("dso")
    assert (dso.status, dso.trend, dso.miss, dso.change) == (
        "within_tolerance",
        "better",
        5.0,
        -5.0,
    )
    assert result.kpi("forecast_accuracy").status == "no_data"


def test_targets_file_overrides_defaults(tmp_path: Path) -> None:
    path = tmp_path / "kpi_targets.yaml"
    path.write_text("dso: {target: 60, tolerance: 2}\ndiscount_capture: 0.95\n")
    targets = load_targets(path)
    assert (targets["dso"].target, targets["dso"].tolerance) == (60, 2)
    assert targets["discount_capture"].target == 0.95 and targets["dpo"] == DEFAULT_TARGETS["dpo"]
    path.write_text("dsoo: {target: 60}\n")
    with pytest.raises(ConfigError, match="unknown KPI 'dsoo'"):
        load_targets(path)
    path.write_text("dso: {tolerance: -1}\n")
    with pytest.raises(DataError, match=r"dso\.tolerance"):
        load_targets(path)
    assert load_targets(tmp_path / "absent.yaml") == DEFAULT_TARGETS


def test_discount_capture_weighs_discounts_by_value() -> None:
    bills = pd.DataFrame(
        {
            "issue_date": pd.to_datetime(["2026-03-01", "2026-03-01", "2026-03-02"]),
            "paid_date": pd.to_datetime(["2026-03-09", "2026-03-30", "2026-03-05"]),
            "amount": [1000.0, 3000.0, 500.0],
            "discount_pct": [2.0, 2.0, 0.0],
            "discount_days": [10, 10, 0],
        }
    )
    # 20 taken of 20 + 60 offered; the third bill offered nothing
    assert discount_capture(bills, start=date(2026, 3, 1), end=DAY) == 0.25
    assert discount_capture(bills, start=date(2026, 4, 1), end=date(2026, 4, 30)) is None


def _alert(key: str, severity: str = "warning") -> MonitorAlert:
    return MonitorAlert(
        dedupe_key=key, source="kpi", severity=severity, scope="dso", title=key, cause="why"
    )


def test_alert_store_raises_a_condition_once_and_resolves_it(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    t1, t2, t3 = (datetime(2026, 3, d, 6, 30, tzinfo=UTC) for d in (1, 2, 3))
    first = record_alerts(engine, [_alert("kpi:dso"), _alert("kpi:dpo")], now=t1, sources=["kpi"])
    again = record_alerts(engine, [_alert("kpi:dso")], now=t2, sources=["kpi"])
    assert (len(first.new), len(again.new), again.repeated, again.resolved) == (2, 0, 1, 1)
    live, count = list_alerts(engine, live=True)
    assert count == 1 and live[0].seen_count == 2
    seen = acknowledge(engine, live[0].alert_id, user="ann", now=t2)
    assert (seen.status, seen.acknowledged_by) == ("acknowledged", "ann")
    back = record_alerts(engine, [_alert("kpi:dso"), _alert("kpi:dpo")], now=t3, sources=["kpi"])
    assert [a.dedupe_key for a in back.new] == ["kpi:dpo"]  # returned after it was resolved
