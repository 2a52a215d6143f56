"""Optimizers: supplier payments, the investment ladder and the joint working-capital
plan with its Pareto frontier. Proposals can be put in the approval queue."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.assistant import ChartRef, chart_ref
from api.auth import Principal
from api.deps import AssistantDep, ForecasterDep, WorkspaceDep, require_role
from tools.domain.proposals import ProposedAction
from tools.optimization import optimize_investments, optimize_payments, optimize_working_capital

router = APIRouter(prefix="/v1/optimizers", tags=["optimizers"])

Kind = Literal["payments", "investments", "working-capital"]


class OptimizeRequest(BaseModel):
    horizon_days: int = Field(default=91, ge=7, le=366)
    propose: bool = Field(
        default=False, description="Put the plan's proposals in the approval queue"
    )


class OptimizeResult(BaseModel):
    kind: str
    status: str
    objective: dict[str, float]
    binding: list[dict[str, Any]]
    relaxation: list[dict[str, Any]]
    solve: dict[str, Any]
    proposals: list[ProposedAction]
    queued: list[str] = Field(description="Ids of the proposals put in the approval queue")
    frontier: list[dict[str, Any]] = Field(default_factory=list)
    charts: list[ChartRef] = Field(default_factory=list)


def _run(kind: Kind, ws: Any, outlook: Any) -> Any:
    t = ws.read_all()
    policy = ws.policy()
    if kind == "payments":
        return optimize_payments(
            outlook,
            None,
            t["suppliers"],
            policy,
            rates=t["interest_rates"],
            credit=t["credit_facilities"],
        )
    if kind == "investments":
        return optimize_investments(
            outlook,
            policy,
            rates=t["interest_rates"],
            credit=t["credit_facilities"],
            bank_accounts=t["bank_accounts"],
        )
    return optimize_working_capital(
        outlook,
        None,
        t["suppliers"],
        policy,
        rates=t["interest_rates"],
        credit=t["credit_facilities"],
        bank_accounts=t["bank_accounts"],
    )


@router.post("/{kind}", responses={400: {"description": "Missing rates or policy settings"}})
def optimize(
    kind: Kind,
    ws: WorkspaceDep,
    forecaster: ForecasterDep,
    assistant: AssistantDep,
    body: OptimizeRequest | None = None,
    who: Principal = require_role("analyst"),
) -> OptimizeResult:
    """Run an optimizer on the current forecast; optionally queue its proposals."""
    params = body or OptimizeRequest()
    plan = _run(kind, ws, forecaster(params.horizon_days).forecast.outlook)
    queued = []
    if params.propose:
        for action in plan.proposals:
            record = assistant.propose(action, user=who.user, channel="api")
            queued.append(record.proposal_id)
    frontier = [p.model_dump() for p in getattr(plan, "frontier", ())]
    charts = []
    if frontier:
        ref = chart_ref(
            {
                "kind": "pareto",
                "title": "Working-capital Pareto frontier",
                "points": frontier,
                "currency": ws.reporting_currency,
            }
        )
        assistant.remember_chart(ref)
        charts.append(ref)
    return OptimizeResult(
        kind=kind,
        status=plan.status,
        objective={k: float(v) for k, v in plan.objective.items()},
        binding=[b.model_dump(mode="json") for b in plan.binding],
        relaxation=[r.model_dump(mode="json") for r in plan.relaxation],
        solve=plan.solve.model_dump(mode="json"),
        proposals=list(plan.proposals),
        queued=queued,
        frontier=frontier,
        charts=charts,
    )
