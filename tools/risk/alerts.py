"""Early warnings: alerts raised when the chance of breaching minimum cash crosses the
policy's thresholds, with the lead time left and the cause in words and numbers.

The bar for a warning rises with the distance to the breach. Within ``near_days`` business
days (four weeks) the policy's ``warning_probability`` applies as it stands; from there it
rises in a straight line to ``far_probability`` (by default the policy's
``critical_probability``) at ``far_days`` (thirteen weeks). A forecast's spread widens and its
estimates of distant flows (next quarter's supplier bills, taxes) are rough, and a breach two
months out leaves time to see it again, so a 20 % chance that far out is mostly noise; a
breach two weeks out leaves no such time. On the simulator's development seeds nearly every
warning that did not come true was more than six weeks ahead.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tools.risk.levels import FAR_DAYS, NEAR_DAYS, risk_levels, warning_levels
from tools.risk.models import LiquidityRisk, ScopeRisk

__all__ = [
    "FAR_DAYS",
    "NEAR_DAYS",
    "RANK",
    "Alert",
    "EarlyWarning",
    "Severity",
    "business_days",
    "early_warnings",
    "risk_levels",
    "warning_levels",
]

Severity = Literal["info", "warning", "critical"]
RANK = {"info": 0, "warning": 1, "critical": 2}


class Alert(BaseModel):
    """One early warning a person can act on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severity: Severity
    kind: Literal["liquidity", "anomaly"]
    scope: str = Field(description="Position key, entity, 'group', or a bank account")
    title: str
    cause: str = Field(description="Why, in words, with the figures in ``data``")
    as_of: date
    breach_date: date | None = None
    lead_time_days: int | None = Field(
        default=None, description="Business days from as_of to the breach date"
    )
    probability: float | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class EarlyWarning(BaseModel):
    """The alerts of one run, most severe and soonest first."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    alerts: tuple[Alert, ...]
    thresholds: dict[str, float]
    provenance: dict[str, Any]

    def with_alerts(self, extra: tuple[Alert, ...]) -> EarlyWarning:
        """These alerts followed by ``extra`` (counterparty warnings, for instance)."""
        return self.model_copy(update={"alerts": (*self.alerts, *extra)})

    @property
    def worst(self) -> Severity | None:
        if not self.alerts:
            return None
        return max((a.severity for a in self.alerts), key=RANK.__getitem__)


def business_days(start: date, end: date) -> int:
    """Business days (Mon-Fri) from ``start`` up to ``end``: [start, end)."""
    return int(np.busday_count(start, end))


def _fmt(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def _cause(risk: ScopeRisk, day: int, dates: tuple[date, ...], lead: int) -> str:
    p = risk.breach_probability[day]
    parts = [
        f"{risk.scope}: {p:.0%} chance of ending {dates[day]} below the "
        f"{_fmt(risk.minimum, risk.currency)} minimum ({lead} business days ahead); "
        f"5 % worst-case low {_fmt(risk.min_balance_q05, risk.currency)} on "
        f"{risk.min_balance_q05_date}"
    ]
    harmful = [d for d in risk.drivers if d.contribution < 0][:2]
    if harmful:
        parts.append(
            "driven by "
            + ", ".join(
                f"{d.category} ({_fmt(d.contribution, risk.currency)} on the "
                f"{risk.tail.replace('_', ' ')} paths)"
                for d in harmful
            )
        )
    if risk.largest_bills:
        b = risk.largest_bills[0]
        parts.append(
            f"largest bill before then: {b.counterparty_id} {b.item_id} "
            f"{_fmt(-b.amount_scope, risk.currency)} due {b.due_date}"
        )
    if risk.credit_available > 0:
        p_credit = risk.breach_probability_with_credit[day]
        parts.append(
            f"drawing the {_fmt(risk.credit_available, risk.currency)} available credit "
            f"brings it to {p_credit:.0%}"
        )
    else:
        parts.append("no undrawn credit line to fall back on")
    return "; ".join(parts)


def _classify(
    risk: ScopeRisk,
    th: dict[str, float],
    levels: np.ndarray,
    info: float,
    structural_days: int,
) -> tuple[Severity, int, bool] | None:
    """Severity, the first day it applies, and whether the risk is structural.

    critical: even drawing every available committed facility leaves more than
    ``critical_probability`` of ending a day below the floor. warning: own cash (no new
    drawings) falls below the floor with more than that day's warning level (``levels``:
    the policy's ``warning_probability``, higher for distant days), or the credit line falls
    short with that probability. info: own cash at least ``info`` likely short.
    Structural: a warning already on the first ``structural_days`` days (the position runs
    at its floor) that the undrawn committed line covers throughout.
    """
    own = np.asarray(risk.breach_probability)
    credit = np.asarray(risk.breach_probability_with_credit)
    warn_own = np.flatnonzero(own > levels)
    warn_credit = np.flatnonzero(credit > levels)
    first_warn = int(warn_own[0]) if warn_own.size else None
    if np.any(credit > th["critical_probability"]):
        day = first_warn if first_warn is not None else int(warn_credit[0])
        return "critical", day, False
    if first_warn is not None or warn_credit.size:
        day = first_warn if first_warn is not None else int(warn_credit[0])
        covered = not warn_credit.size and risk.credit_available > 0
        return "warning", day, covered and day < structural_days
    hits = np.flatnonzero(own >= info)
    return ("info", int(hits[0]), False) if hits.size else None


def _scope_alert(
    risk: ScopeRisk, lr: LiquidityRisk, levels: np.ndarray, info: float, structural_days: int
) -> Alert | None:
    crossed = _classify(risk, lr.thresholds, levels, info, structural_days)
    if crossed is None:
        return None
    severity, day, structural = crossed
    prob = risk.breach_probability
    when = lr.dates[day]
    lead = business_days(lr.as_of, when)
    if risk.level == "position" and risk.minimum <= 0:
        severity = "info"  # no floor of its own: an overdraft risk its entity's pooling covers
    title = f"{risk.scope}: minimum cash at risk from {when}"
    if structural:
        severity = "info"
        title = f"{risk.scope}: runs at its minimum cash, funded by its undrawn credit line"
    credit = np.asarray(risk.breach_probability_with_credit)
    short = np.flatnonzero(credit > levels)
    return Alert(
        severity=severity,
        kind="liquidity",
        scope=risk.scope,
        title=title,
        cause=_cause(risk, day, lr.dates, lead),
        as_of=lr.as_of,
        breach_date=when,
        lead_time_days=lead,
        probability=float(prob[day]),
        data={
            "level": risk.level,
            "structural": structural,
            "minimum": risk.minimum,
            "currency": risk.currency,
            "max_breach_probability": risk.max_breach_probability,
            "horizon_breach_probability": risk.horizon_breach_probability,
            "warning_level": round(float(levels[day]), 4),
            "breach_probability_with_credit": risk.breach_probability_with_credit[day],
            "max_breach_probability_with_credit": float(credit.max()),
            "credit_short_date": lr.dates[int(short[0])].isoformat() if short.size else None,
            "expected_shortfall": risk.expected_shortfall,
            "shortfall_q95": risk.shortfall_q95,
            "min_balance_q05": risk.min_balance_q05,
            "min_balance_q05_date": risk.min_balance_q05_date.isoformat(),
            "credit_available": risk.credit_available,
            "drivers": [d.model_dump() for d in risk.drivers[:3]],
            "largest_bills": [b.model_dump(mode="json") for b in risk.largest_bills[:3]],
        },
    )


def early_warnings(
    risk: LiquidityRisk,
    *,
    info_probability: float = 0.05,
    structural_days: int = 5,
    near_days: int = NEAR_DAYS,
    far_days: int = FAR_DAYS,
    far_probability: float | None = None,
) -> EarlyWarning:
    """Liquidity alerts per position, multi-position entity and the group, for one run.

    Severity comes from the policy thresholds, the available committed credit taken into
    account: critical when drawing every undrawn committed facility still leaves more than
    ``critical_probability`` of ending a day below the floor; warning when own cash (no new
    drawings) falls below the floor with more than that day's warning level (the policy's
    ``warning_probability`` up to ``near_days`` business days ahead, rising to
    ``far_probability``, default ``critical_probability``, at ``far_days``: see
    ``warning_levels``); info at ``info_probability``. A warning present from the first
    ``structural_days`` days that the credit line covers throughout is *structural* (the
    position runs at its floor on its line): info, with ``data["structural"]``. The breach
    date is the first day own cash is likely short; the lead time counts business days from
    ``as_of`` to it. Use ``watch`` to confirm warnings over successive runs and report
    structural positions once.
    Entities with a single position repeat that position and get no alert of their own; a
    position without a floor of its own (its entity's floor covers it) gets at most an info
    alert about overdrawing.
    """
    scopes = [
        *risk.positions,
        *(e for e in risk.entities if len(e.keys) > 1),
        risk.group,
    ]
    levels = risk_levels(
        risk, near_days=near_days, far_days=far_days, far_probability=far_probability
    )
    alerts = [
        a
        for s in scopes
        if (a := _scope_alert(s, risk, levels, info_probability, structural_days)) is not None
    ]
    alerts.sort(
        key=lambda a: (-RANK[a.severity], a.lead_time_days if a.lead_time_days is not None else 0)
    )
    return EarlyWarning(
        as_of=risk.as_of,
        alerts=tuple(alerts),
        thresholds={
            **risk.thresholds,
            "info_probability": info_probability,
            "structural_days": float(structural_days),
            "near_days": float(near_days),
            "far_days": float(far_days),
            "far_probability": float(
                risk.thresholds["critical_probability"]
                if far_probability is None
                else far_probability
            ),
        },
        provenance={**risk.provenance, "source": "liquidity_risk"},
    )
