"""``optimize_working_capital``: the joint plan, its Pareto frontier and the chosen point.

The frontier is traced by the epsilon-constraint method: value is maximised while the
liquidity buffer (smallest headroom over the floor) is held at rising floors, once with
lateness unconstrained; then, at the lowest buffer floor, with the relationship impact
capped halfway down to, and at, the lateness no plan can avoid (bills already overdue).
Dominated points are dropped. The chosen point maximises
``value + buffer_value_pct/100 * buffer - late_day_cost * impact`` (``FrontierWeights``),
and the trade-offs between neighbouring points are stated as figures an answer can cite.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.domain.policy import Policy
from tools.domain.proposals import ProposedAction
from tools.forecasting.outlook import CashOutlook
from tools.optimization.cash_model import RESERVE_WIDENING
from tools.optimization.explain import bindings, money, relaxations
from tools.optimization.inputs import CreditLine
from tools.optimization.investments import investment_proposals, ladder_frame
from tools.optimization.joint import (
    JointInputs,
    JointSolution,
    buffer_of,
    prepare_joint,
    solve_joint,
)
from tools.optimization.payment_plan import chosen_payments, draws_frame
from tools.optimization.proposals import draw_proposals, payment_proposals
from tools.optimization.results import (
    Binding,
    OptimizationResult,
    Relaxation,
    SolveInfo,
    SolverParams,
)

__all__ = ["FrontierWeights", "WorkingCapitalPlan", "optimize_working_capital"]


class FrontierWeights(BaseModel):
    """How the chosen frontier point trades the three objectives (documented defaults)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    buffer_value_pct: float = Field(
        default=1.0, ge=0, description="Value of 100 of buffer, in %: 1.0 = 1 per 100"
    )
    late_day_cost: float = Field(
        default=50.0, ge=0, description="Cost of one weighted supplier-day late"
    )


class FrontierPoint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float
    buffer: float
    impact: float
    buffer_floor: float
    impact_cap: float | None
    score: float
    chosen: bool = False


class WorkingCapitalPlan(OptimizationResult):
    """The chosen joint plan and the frontier it was picked from."""

    status: Literal["feasible", "infeasible", "error"]
    plan: pd.DataFrame
    ladder: pd.DataFrame
    draws: pd.DataFrame
    balances: pd.DataFrame
    objective: dict[str, float]
    frontier: tuple[FrontierPoint, ...]
    tradeoffs: tuple[dict[str, Any], ...]
    weights: FrontierWeights
    binding: tuple[Binding, ...] = ()
    relaxation: tuple[Relaxation, ...] = ()
    solve: SolveInfo
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


def _measure(
    inputs: JointInputs, js: JointSolution, keys: tuple[str, ...]
) -> tuple[float, float, float]:
    parts = js.model.objective_parts(js.sol.x)
    value = float(sum(parts.values()))
    return (
        value,
        buffer_of(js.model, js.sol.x, inputs.outlook.dates, keys),
        float(js.sol.x[js.impact_col]),
    )


def optimize_working_capital(
    outlook: CashOutlook,
    bills: pd.DataFrame | None,
    suppliers: pd.DataFrame | None,
    policy: Policy,
    *,
    rates: pd.DataFrame | None,
    confidence: float | None = None,
    payment_run_weekdays: tuple[int, ...] = (1, 3),
    credit: Mapping[str, CreditLine] | pd.DataFrame | None = None,
    bank_accounts: pd.DataFrame | None = None,
    late_fee_pct: float = 12.0,
    max_days_late: int = 14,
    supplier_importance: Mapping[str, float] | None = None,
    weights: FrontierWeights | None = None,
    frontier_points: int = 5,
    mmf_spread_bp: float = 5.0,
    tbill_spread_bp: float = -10.0,
    reserve_widening: float = RESERVE_WIDENING,
    solver: SolverParams | None = None,
) -> WorkingCapitalPlan:
    """Joint payments + investments + draws plan on the value/buffer/relationship frontier.

    ``reserve_widening``: term placements keep clear of a liquidity reserve sized at this
    many times the forecast's downside spread below the planning balance (``cash_model``).

    Raises:
        DataError: bad bills. ConfigError: missing rates/policy, bad settings.
    """
    params = solver or SolverParams()
    chosen_weights = weights or FrontierWeights()
    conf = (
        confidence if confidence is not None else policy.investment.confidence if policy else 0.95
    )
    inputs = prepare_joint(
        outlook,
        bills,
        suppliers,
        policy,
        rates=rates,
        confidence=conf,
        payment_run_weekdays=payment_run_weekdays,
        credit=credit,
        bank_accounts=bank_accounts,
        late_fee_pct=late_fee_pct,
        max_days_late=max_days_late,
        supplier_importance=supplier_importance,
        mmf_spread_bp=mmf_spread_bp,
        tbill_spread_bp=tbill_spread_bp,
        reserve_widening=reserve_widening,
    )
    base = solve_joint(inputs, params)
    parameters = {
        "confidence": inputs.opts.confidence,
        "payment_run_weekdays": list(inputs.opts.weekdays),
        "late_fee_pct": late_fee_pct,
        "max_days_late": max_days_late,
        "curves": inputs.curves,
        "mmf_spread_bp": mmf_spread_bp,
        "tbill_spread_bp": tbill_spread_bp,
        "reserve_widening": reserve_widening,
    }
    provenance = {
        "as_of": outlook.as_of.isoformat(),
        "horizon_days": outlook.horizon_days,
        "n_paths": outlook.n_paths,
        "n_bills": len(inputs.bills),
        "outlook": dict(outlook.provenance),
    }
    empty = pd.DataFrame()
    if base.info.status not in ("optimal", "feasible"):
        return WorkingCapitalPlan(
            status="error",
            plan=empty,
            ladder=empty,
            draws=empty,
            balances=empty,
            objective={},
            frontier=(),
            tradeoffs=(),
            weights=chosen_weights,
            solve=base.info,
            parameters=parameters,
            provenance=provenance,
        )
    relax = relaxations(base.model, base.sol.x, outlook.dates, inputs.opts.confidence)
    short = {r.key for r in relax}
    keys = tuple(k for k in outlook.keys if k not in short)
    points: list[tuple[FrontierPoint, JointSolution]] = []
    _v0, b0, i0 = _measure(inputs, base, keys)
    top = solve_joint(inputs, params, buffer_keys=keys, maximize_buffer=True)
    b_max = _measure(inputs, top, keys)[1] if top.info.status in ("optimal", "feasible") else b0
    floors = (
        np.linspace(max(b0, 0.0), max(b_max, b0), max(frontier_points, 2))
        if b_max > b0 + 1
        else np.array([max(b0, 0.0)])
    )
    # Overdue bills are late whatever the plan: caps run from that floor, not from zero.
    late = base.cand.groupby("bill")["days_late"].min()
    i_min = float((inputs.weights[late.index.to_numpy()] * late.to_numpy(float)).sum())
    caps: list[float | None] = [None] + (
        [(i0 + i_min) / 2, i_min + 1e-6] if i0 > i_min + 0.5 else []
    )
    for cap in caps:
        # Punctuality is traded at the value-maximising buffer only: one solve per cap.
        for eps in floors if cap is None else floors[:1]:
            js = (
                base
                if cap is None and eps <= max(b0, 0.0) + 1e-9
                else solve_joint(
                    inputs, params, buffer_min=float(eps), buffer_keys=keys, impact_cap=cap
                )
            )
            if (
                js.info.status not in ("optimal", "feasible")
                or relaxations(js.model, js.sol.x, outlook.dates, inputs.opts.confidence) != relax
            ):
                continue
            v, b, i = _measure(inputs, js, keys)
            score = v + chosen_weights.buffer_value_pct / 100 * b - chosen_weights.late_day_cost * i
            points.append(
                (
                    FrontierPoint(
                        value=round(v, 2),
                        buffer=round(b, 2),
                        impact=round(i, 2),
                        buffer_floor=round(float(eps), 2),
                        impact_cap=cap,
                        score=round(score, 2),
                    ),
                    js,
                )
            )
    points = _pareto(points)
    best = max(range(len(points)), key=lambda j: points[j][0].score)
    frontier = tuple(p.model_copy(update={"chosen": j == best}) for j, (p, _) in enumerate(points))
    js = points[best][1]
    x = js.sol.x
    plan = chosen_payments(js.cand, inputs.bills, x, outlook.dates)
    plan["feasible"] = ~plan["key"].isin(short)
    ladder = ladder_frame(js.inv, x, outlook.dates)
    draws = draws_frame(js.model, x, outlook.dates)
    parts = js.model.objective_parts(x)
    parts["total"] = round(sum(parts.values()), 2)
    fx = {led.key: led.fx for led in js.model.ledgers}
    currency = {led.key: led.currency for led in js.model.ledgers}
    proposals = (
        *payment_proposals(plan.loc[plan["feasible"]], fx, as_of=outlook.as_of, policy=policy),
        *investment_proposals(
            ladder.loc[~ladder["key"].isin(short)],
            fx,
            as_of=outlook.as_of,
            source="optimize_working_capital",
        ),
        *draw_proposals(
            draws.loc[~draws["key"].isin(short)],
            fx,
            currency,
            as_of=outlook.as_of,
            source="optimize_working_capital",
        ),
    )
    return WorkingCapitalPlan(
        status="infeasible" if relax else "feasible",
        plan=plan,
        ladder=ladder,
        draws=draws,
        balances=js.model.balances(x, outlook.dates),
        objective=parts,
        frontier=frontier,
        tradeoffs=_tradeoffs(frontier, outlook.reporting_currency),
        weights=chosen_weights,
        binding=bindings(js.model, js.sol, outlook.dates),
        relaxation=relax,
        solve=js.info,
        parameters=parameters,
        proposals=proposals,
        provenance=provenance,
    )


def _pareto(
    points: list[tuple[FrontierPoint, JointSolution]],
) -> list[tuple[FrontierPoint, JointSolution]]:
    """Points no other point beats on value, buffer and impact at once."""
    keep: list[tuple[FrontierPoint, JointSolution]] = []
    for j, (p, js) in enumerate(points):
        dominated = any(
            q.value >= p.value - 0.01
            and q.buffer >= p.buffer - 0.01
            and q.impact <= p.impact + 0.01
            and (
                q.value > p.value + 0.01 or q.buffer > p.buffer + 0.01 or q.impact < p.impact - 0.01
            )
            for k, (q, _) in enumerate(points)
            if k != j
        )
        duplicate = any(
            abs(q.value - p.value) < 0.01
            and abs(q.buffer - p.buffer) < 0.01
            and abs(q.impact - p.impact) < 0.01
            for q, _ in keep
        )
        if not dominated and not duplicate:
            keep.append((p, js))
    return sorted(
        keep, key=lambda pj: (pj[0].impact_cap is not None, -(pj[0].impact_cap or 0), pj[0].buffer)
    )


def _tradeoffs(frontier: tuple[FrontierPoint, ...], ccy: str) -> tuple[dict[str, Any], ...]:
    """Marginal costs between neighbouring points: buffer for value, punctuality for value."""
    out: list[dict[str, Any]] = []
    free = sorted((p for p in frontier if p.impact_cap is None), key=lambda p: p.buffer)
    for a, b in itertools.pairwise(free):
        extra = b.buffer - a.buffer
        cost = a.value - b.value
        if extra <= 1:
            continue
        per_100k = cost / extra * 100_000
        out.append(
            {
                "kind": "buffer",
                "from_buffer": a.buffer,
                "to_buffer": b.buffer,
                "value_cost": round(cost, 2),
                "cost_per_100k_buffer": round(per_100k, 2),
                "text": (
                    f"raising the buffer from {money(a.buffer, ccy)} to {money(b.buffer, ccy)} "
                    f"costs {money(cost, ccy)} of value ({money(per_100k, ccy)} per 100 k of "
                    "buffer)"
                ),
            }
        )
    base = next((p for p in free if p.buffer == min(q.buffer for q in free)), None)
    for p in frontier:
        if (
            base is None
            or p.impact_cap is None
            or abs(p.buffer - base.buffer) > 1
            or p.impact >= base.impact
        ):
            continue
        saved = base.impact - p.impact
        cost = base.value - p.value
        out.append(
            {
                "kind": "punctuality",
                "impact_from": base.impact,
                "impact_to": p.impact,
                "value_cost": round(cost, 2),
                "cost_per_late_day": round(cost / saved, 2),
                "text": (
                    f"cutting late payments from {base.impact:g} to {p.impact:g} weighted "
                    f"supplier-days costs {money(cost, ccy)} of value "
                    f"({money(cost / saved, ccy)} per day)"
                ),
            }
        )
    return tuple(out)
