"""KPI tracking against targets: where each KPI stands, where it is heading, and alerts
when it deteriorates beyond its tolerance.

Targets come from ``kpi_targets.yaml`` in the workspace (optional; every KPI it does not
name keeps the default below)::

    dso: {target: 50, tolerance: 5}          # days, lower is better
    discount_capture: {target: 0.95}         # share, higher is better
    interval_coverage: {target: 0.8, tolerance: 0.1, direction: near}

A KPI is *off target* when it is on the wrong side of its target by more than the
tolerance (``near`` KPIs: by more than the tolerance either way). Alerts: **critical** when
it misses by more than twice the tolerance, **warning** by more than the tolerance (any
miss when the tolerance is 0), **info** when it is still within tolerance but worsened
by more than the tolerance since the previous period.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.errors import ConfigError, DataError, Problem
from tools.monitoring.alerts_store import MonitorAlert

__all__ = [
    "DEFAULT_TARGETS",
    "TARGETS_FILE",
    "KpiStatus",
    "KpiTarget",
    "KpiTracking",
    "load_targets",
    "track_kpis",
]

TARGETS_FILE = "kpi_targets.yaml"
Direction = Literal["higher", "lower", "near"]
Unit = Literal["days", "share", "count"]


class KpiTarget(BaseModel):
    """What good looks like for one KPI."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str
    label: str
    target: float
    direction: Direction = Field(description="higher / lower is better, or near the target")
    tolerance: float = Field(ge=0, description="Miss (or worsening) tolerated, in its unit")
    unit: Unit


def _t(
    metric: str, label: str, target: float, direction: Direction, tol: float, unit: Unit
) -> KpiTarget:
    return KpiTarget(
        metric=metric, label=label, target=target, direction=direction, tolerance=tol, unit=unit
    )


DEFAULT_TARGETS: dict[str, KpiTarget] = {
    t.metric: t
    for t in (
        _t("dso", "DSO", 45, "lower", 5, "days"),
        _t("dpo", "DPO", 40, "higher", 5, "days"),
        _t("dio", "DIO", 45, "lower", 10, "days"),
        _t("ccc", "Cash conversion cycle", 50, "lower", 10, "days"),
        _t("forecast_accuracy", "Forecast accuracy (weekly)", 0.75, "higher", 0.1, "share"),
        _t("interval_coverage", "80 % band coverage", 0.80, "near", 0.1, "share"),
        _t("discount_capture", "Discount capture rate", 0.90, "higher", 0.1, "share"),
        _t("idle_cash_share", "Idle-cash share", 0.25, "lower", 0.1, "share"),
        _t("breaches", "Minimum-cash breaches (scope-days)", 0, "lower", 0, "count"),
    )
}


class KpiStatus(BaseModel):
    """One KPI now, a period ago, and against its target."""

    model_config = ConfigDict(frozen=True)

    metric: str
    label: str
    unit: Unit
    value: float | None
    previous: float | None
    target: float
    direction: Direction
    tolerance: float
    miss: float | None = Field(description="How far on the wrong side of the target (>= 0)")
    change: float | None = Field(description="value - previous")
    trend: Literal["better", "worse", "flat"] | None
    status: Literal["on_target", "within_tolerance", "off_target", "no_data"]


class KpiTracking(BaseModel):
    """Every tracked KPI and the alerts their deterioration raises."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    period_days: int
    kpis: tuple[KpiStatus, ...]
    alerts: tuple[MonitorAlert, ...]
    provenance: dict[str, Any]

    def kpi(self, metric: str) -> KpiStatus:
        for k in self.kpis:
            if k.metric == metric:
                return k
        known = ", ".join(k.metric for k in self.kpis)
        raise KeyError(f"no tracked KPI {metric!r}; known: {known}")


def load_targets(path: Path) -> dict[str, KpiTarget]:
    """The defaults, overridden by ``path`` when it exists.

    Raises:
        ConfigError: not YAML, not a mapping, or names an unknown KPI.
        DataError: a value is invalid (each problem names the KPI and field).
    """
    if not path.is_file():
        return dict(DEFAULT_TARGETS)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of KPI -> {{target, tolerance, direction}}")
    out = dict(DEFAULT_TARGETS)
    problems = []
    for metric, given in data.items():
        if metric not in DEFAULT_TARGETS:
            raise ConfigError(
                f"{path}: unknown KPI {metric!r}; known: {', '.join(DEFAULT_TARGETS)}"
            )
        if not isinstance(given, dict):
            given = {"target": given}
        try:
            out[metric] = KpiTarget.model_validate(
                {**DEFAULT_TARGETS[metric].model_dump(), **given, "metric": metric}
            )
        except ValidationError as exc:
            problems += [
                Problem(
                    file=str(path),
                    column=f"{metric}." + ".".join(str(p) for p in err["loc"]),
                    message=err["msg"],
                    value=None if err.get("input") is None else str(err["input"])[:80],
                )
                for err in exc.errors()
            ]
    if problems:
        raise DataError(problems)
    return out


def _bad(direction: Direction, target: float, value: float) -> float:
    """Distance on the wrong side of the target (0 when on target or better)."""
    if direction == "higher":
        return max(0.0, target - value)
    if direction == "lower":
        return max(0.0, value - target)
    return abs(value - target)


def _status(t: KpiTarget, value: float | None, previous: float | None) -> KpiStatus:
    if value is None:
        return KpiStatus(
            **t.model_dump(),
            value=None,
            previous=previous,
            miss=None,
            change=None,
            trend=None,
            status="no_data",
        )
    miss = _bad(t.direction, t.target, value)
    change = None if previous is None else value - previous
    trend: Literal["better", "worse", "flat"] | None = None
    if previous is not None:
        delta = (
            miss - _bad(t.direction, t.target, previous) if t.direction == "near" else change or 0.0
        )
        if t.direction == "higher":
            delta = -delta
        trend = "flat" if abs(delta) < 1e-9 else ("worse" if delta > 0 else "better")
    status: Literal["on_target", "within_tolerance", "off_target"] = (
        "on_target" if miss == 0 else "within_tolerance" if miss <= t.tolerance else "off_target"
    )
    return KpiStatus(
        **t.model_dump(),
        value=round(value, 4),
        previous=previous,
        miss=round(miss, 4),
        change=None if change is None else round(change, 4),
        trend=trend,
        status=status,
    )


def _fmt(value: float, unit: Unit) -> str:
    if unit == "share":
        return f"{value:.0%}"
    if unit == "days":
        return f"{value:.1f} days"
    return f"{value:g}"


def _alert(s: KpiStatus, as_of: date) -> MonitorAlert | None:
    if s.value is None or s.miss is None:
        return None
    worse = 0.0  # movement the wrong way since the previous period
    if s.previous is not None:
        worse = {
            "higher": s.previous - s.value,
            "lower": s.value - s.previous,
            "near": s.miss - _bad(s.direction, s.target, s.previous),
        }[s.direction]
    severity: Literal["info", "warning", "critical"] | None = None
    if s.miss > s.tolerance:
        severity = "critical" if s.tolerance > 0 and s.miss > 2 * s.tolerance else "warning"
    elif s.trend == "worse" and worse > s.tolerance:
        severity = "info"
    if severity is None:
        return None
    side = {"higher": "at least", "lower": "at most", "near": "near"}[s.direction]
    cause = (
        f"{s.label} is {_fmt(s.value, s.unit)} against a target of {side} "
        f"{_fmt(s.target, s.unit)} (tolerance {_fmt(s.tolerance, s.unit)})"
    )
    if s.previous is not None:
        cause += f"; it was {_fmt(s.previous, s.unit)} a period before ({s.trend})"
    return MonitorAlert(
        dedupe_key=f"kpi:{s.metric}:{severity}",
        source="kpi",
        severity=severity,
        scope=s.metric,
        title=f"{s.label} {'off target' if severity != 'info' else 'deteriorating'}: "
        f"{_fmt(s.value, s.unit)}",
        cause=cause,
        metric=s.metric,
        value=s.value,
        target=s.target,
        as_of=as_of,
        data={"previous": s.previous, "trend": s.trend, "miss": s.miss},
    )


def track_kpis(
    values: Mapping[str, tuple[float | None, float | None]],
    targets: Mapping[str, KpiTarget],
    *,
    as_of: date,
    period_days: int,
    provenance: Mapping[str, Any] | None = None,
) -> KpiTracking:
    """Compare each KPI's (current, previous) value with its target and raise alerts.

    Args:
        values: metric -> (value now, value a period before); None where unknown.
        targets: from ``load_targets``; KPIs without a value are reported as ``no_data``.
        as_of: the date the current values describe.
        period_days: the length of the period the trend compares.
    """
    kpis = [_status(t, *values.get(m, (None, None))) for m, t in targets.items()]
    alerts = [a for s in kpis if (a := _alert(s, as_of)) is not None]
    return KpiTracking(
        as_of=as_of,
        period_days=period_days,
        kpis=tuple(kpis),
        alerts=tuple(alerts),
        provenance={
            "targets": {m: t.model_dump() for m, t in targets.items()},
            **(provenance or {}),
        },
    )
