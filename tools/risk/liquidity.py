"""Liquidity risk from a cash outlook's sample paths: how likely, how soon, how much, why.

Every figure is read off the Monte Carlo paths of ``CashOutlook.balance_paths``: a day's
breach probability is the share of paths that end the day below the floor. Scheduled
supplier bills are paid on their due dates. Credit lines are a mitigant and reported
apart: "with credit" lets each scope draw its undrawn committed facilities as needed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.errors import DataError, Problem
from tools.forecasting.outlook import CashOutlook
from tools.risk.drivers import largest_bills, tail_drivers, tail_paths
from tools.risk.models import BindingConstraint, LiquidityRisk, ScopeRisk
from tools.risk.scopes import Scope, build_scopes

__all__ = ["liquidity_risk", "scope_risk"]

_CFAR_LEVEL = 0.95


def _first_above(prob: np.ndarray, threshold: float, dates: pd.DatetimeIndex) -> date | None:
    hits = np.flatnonzero(prob > threshold)
    return dates[hits[0]].date() if hits.size else None


def _rounded(values: np.ndarray, digits: int) -> tuple[float, ...]:
    return tuple(round(float(v), digits) for v in values)


def _counterparties(
    drivers: tuple[dict[str, Any], ...], keys: tuple[str, ...], until: date
) -> tuple[dict[str, Any], ...]:
    out = []
    for item in drivers:
        when = item.get("expected_date") or item.get("date")
        if item.get("key") in keys and (when is None or pd.Timestamp(when).date() <= until):
            out.append({k: v.isoformat() if isinstance(v, date) else v for k, v in item.items()})
    return tuple(out)


def scope_risk(
    scope: Scope,
    dates: pd.DatetimeIndex,
    *,
    warning: float,
    forecast_drivers: tuple[dict[str, Any], ...] = (),
) -> ScopeRisk:
    """Breach probabilities, shortfall, CFaR, drivers and bills of one scope."""
    balances = scope.balances()
    below = balances < scope.minimum
    below_credit = balances + scope.credit < scope.minimum
    prob = below.mean(axis=0)
    prob_credit = below_credit.mean(axis=0)
    cumulative = np.logical_or.accumulate(below, axis=1).mean(axis=0)
    worst = np.maximum(scope.minimum - balances.min(axis=1), 0.0)
    breached = worst > 0
    total = balances[:, -1] - scope.opening
    # quantiles per day on a day-major copy: partitioning contiguous rows is several times
    # faster than partitioning down the columns of the path-major array
    q05, q50 = np.quantile(np.ascontiguousarray(balances.T), (0.05, 0.5), axis=1)
    first = _first_above(prob, warning, dates)
    if first is not None:
        ref = int(np.flatnonzero(prob > warning)[0])
    elif prob.max() > 0:
        ref = int(np.argmax(prob))
    else:
        ref = int(np.argmin(q05))
    tail, tail_kind = tail_paths(balances, scope.minimum, ref)
    low = int(np.argmin(q05))
    return ScopeRisk(
        scope=scope.name,
        level=scope.level,
        currency=scope.currency,
        keys=scope.keys,
        opening=round(scope.opening, 2),
        minimum=round(scope.minimum, 2),
        credit_available=round(scope.credit, 2),
        breach_probability=_rounded(prob, 4),
        breach_probability_with_credit=_rounded(prob_credit, 4),
        cumulative_breach_probability=_rounded(cumulative, 4),
        max_breach_probability=round(float(prob.max()), 4),
        horizon_breach_probability=round(float(breached.mean()), 4),
        horizon_breach_probability_with_credit=round(float(below_credit.any(axis=1).mean()), 4),
        first_breach_date=first,
        first_breach_date_with_credit=_first_above(prob_credit, warning, dates),
        expected_shortfall=round(float(worst.mean()), 2),
        shortfall_given_breach=round(float(worst[breached].mean()), 2) if breached.any() else None,
        shortfall_q95=round(float(np.quantile(worst, 0.95)), 2),
        cash_flow_at_risk=round(float(total.mean() - np.quantile(total, 1 - _CFAR_LEVEL)), 2),
        expected_net_flow=round(float(total.mean()), 2),
        min_balance_q05=round(float(q05[low]), 2),
        min_balance_q05_date=dates[low].date(),
        balance_q05=_rounded(q05, 2),
        balance_q50=_rounded(q50, 2),
        reference_date=dates[ref].date(),
        tail=tail_kind,
        tail_paths=int(tail.sum()),
        drivers=tail_drivers(scope, tail, ref),
        largest_bills=largest_bills(scope, dates, ref),
        counterparties=_counterparties(forecast_drivers, scope.keys, dates[ref].date()),
    )


def _binding(
    positions: list[Scope], risks: list[ScopeRisk], dates: pd.DatetimeIndex
) -> BindingConstraint:
    """The position and day where the 5 % balance quantile is closest to (or furthest
    below) the floor, compared in the reporting currency; positions with a floor of their
    own come first (a position without one is watched through its entity)."""
    best: BindingConstraint | None = None
    pairs = list(zip(positions, risks, strict=True))
    floored = [(s, r) for s, r in pairs if s.minimum > 0]
    for scope, risk in floored or pairs:
        headroom = (np.asarray(risk.balance_q05) - scope.minimum) * scope.fx
        day = int(np.argmin(headroom))
        candidate = BindingConstraint(
            scope=scope.name,
            date=dates[day].date(),
            balance_q05=risk.balance_q05[day],
            minimum=risk.minimum,
            headroom_reporting=round(float(headroom[day]), 2),
            breach_probability=risk.breach_probability[day],
        )
        if best is None or candidate.headroom_reporting < best.headroom_reporting:
            best = candidate
    if best is None:
        raise ValueError("no positions to find a binding constraint in")
    return best


def liquidity_risk(
    outlook: CashOutlook, policy: Policy, *, horizon_days: int | None = None
) -> LiquidityRisk:
    """Per position, entity and the group: daily breach probability with and without credit,
    expected shortfall, 95 % cash-flow-at-risk, the first likely breach date, the binding
    constraint, and the categories and bills behind the risk.

    Args:
        outlook: the cash forecast's sample paths (``build_outlook(...).outlook``).
        policy: early-warning thresholds (``warning_probability`` dates the first likely
            breach) and the group floor; position floors come from the outlook.
        horizon_days: days to assess; default the policy's early-warning horizon, capped at
            the outlook's length.

    Raises:
        DataError: the outlook has no positions or no sample paths.
    """
    if not outlook.positions or outlook.n_paths == 0:
        raise DataError(
            [
                Problem(
                    file="cash outlook",
                    message="the outlook has no cash positions or no sample paths",
                    expected="an outlook from build_outlook on a ledger with bank accounts",
                )
            ]
        )
    ew = policy.early_warning
    n_days = min(horizon_days or ew.horizon_days, outlook.horizon_days)
    dates = outlook.dates[:n_days]
    positions, entities, group = build_scopes(outlook, policy, n_days=n_days)
    warn = ew.warning_probability
    extra = tuple(outlook.drivers)
    pos_risks = [scope_risk(s, dates, warning=warn, forecast_drivers=extra) for s in positions]
    return LiquidityRisk(
        as_of=outlook.as_of,
        reporting_currency=outlook.reporting_currency,
        horizon_days=n_days,
        dates=tuple(d.date() for d in dates),
        positions=tuple(pos_risks),
        entities=tuple(
            scope_risk(s, dates, warning=warn, forecast_drivers=extra) for s in entities
        ),
        group=scope_risk(group, dates, warning=warn, forecast_drivers=extra),
        binding=_binding(positions, pos_risks, dates),
        thresholds={
            "warning_probability": warn,
            "critical_probability": ew.critical_probability,
            "horizon_days": float(n_days),
            "cfar_level": _CFAR_LEVEL,
        },
        provenance={
            "outlook": dict(outlook.provenance),
            "n_paths": outlook.n_paths,
            "as_of": outlook.as_of.isoformat(),
            "method": "Monte Carlo over the outlook's sample paths; scheduled bills on due dates",
        },
    )
