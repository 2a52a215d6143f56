"""Proposed actions: the approval queue, each proposal's detail and trail, decisions."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.assistant import (
    AuditEntry,
    Decision,
    DecisionKind,
    ExecutionRecord,
    ProposalRecord,
)
from api.auth import Principal
from api.deps import AssistantDep, CurrentUser
from api.errors import Forbidden

router = APIRouter(prefix="/v1/proposals", tags=["proposals"])

Status = Literal["pending", "approved", "rejected", "expired", "executing", "executed"]
_PATH_ID: dict[int | str, dict[str, Any]] = {
    403: {"description": "Your roles do not allow this decision"},
    404: {"description": "No proposal with that id"},
    409: {"description": "The ledger refused: already decided, not open, expired"},
}


class ProposalSummary(BaseModel):
    proposal_id: str
    status: str
    action: str
    title: str
    entity_id: str
    currency: str
    amount: float
    amount_reporting: float
    value: float
    requester: str
    required_approvers: int
    approvers: list[str]
    expires_at: str


class ProposalsPublic(BaseModel):
    data: list[ProposalSummary]
    count: int


class ProposalDetail(BaseModel):
    proposal: ProposalRecord
    execution: ExecutionRecord | None
    audit: list[AuditEntry]
    can_approve: bool = Field(description="Whether the caller may approve it now")
    can_reject: bool


class DecisionRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


def _summary(record: ProposalRecord) -> ProposalSummary:
    return ProposalSummary.model_validate(record.summary())


def _rights(who: Principal, record: ProposalRecord) -> tuple[bool, bool]:
    open_ = record.status == "pending" or (
        record.status == "approved" and record.missing_approvals > 0
    )
    decided = any(a.user_id == who.user for a in record.approvals)
    approver = who.can("approver")
    own = who.user == record.requester
    return (
        open_ and approver and not own and not decided,
        open_ and not decided and (approver or own),
    )


@router.get("")
def list_proposals(
    who: CurrentUser,
    assistant: AssistantDep,
    status: Status | None = None,
    action: str | None = Query(default=None, max_length=40),
    requester: str | None = Query(default=None, max_length=200),
    entity_id: str | None = Query(default=None, max_length=40),
    awaiting_me: bool = Query(default=False, description="Only those you may approve now"),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=100_000),
) -> ProposalsPublic:
    """Proposals newest first, filtered by status, action, requester or entity."""
    records = assistant.proposals(status=status)
    chosen = [
        r
        for r in records
        if (action is None or r.action.action == action)
        and (requester is None or r.requester == requester)
        and (entity_id is None or r.action.entity_id == entity_id)
        and (not awaiting_me or _rights(who, r)[0])
    ]
    page = chosen[offset : offset + limit]
    return ProposalsPublic(data=[_summary(r) for r in page], count=len(chosen))


@router.get("/{proposal_id}", responses=_PATH_ID)
def get_proposal(proposal_id: str, who: CurrentUser, assistant: AssistantDep) -> ProposalDetail:
    """A proposal with its approvals, execution (artifacts) and audit trail."""
    record = assistant.proposal(proposal_id)
    approve, reject = _rights(who, record)
    return ProposalDetail(
        proposal=record,
        execution=assistant.execution(proposal_id),
        audit=assistant.audit(proposal_id=proposal_id),
        can_approve=approve,
        can_reject=reject,
    )


def _decide(
    request: Request,
    proposal_id: str,
    who: Principal,
    assistant: Any,
    decision: DecisionKind,
    body: DecisionRequest | None,
) -> Decision:
    record = assistant.proposal(proposal_id)
    if decision == "approve" and who.user == record.requester:
        raise Forbidden(f"{who.user} requested {proposal_id} and cannot approve it")
    if not who.can("approver") and not (decision == "reject" and who.user == record.requester):
        raise Forbidden(
            f"{who.user} has role(s) {', '.join(sorted(who.roles)) or 'none'}; deciding on "
            "someone else's proposal needs 'approver' (a requester may reject their own)"
        )
    metrics = request.app.state.metrics
    try:
        result: Decision = assistant.decide(
            proposal_id,
            user=who.user,
            decision=decision,
            channel="api",
            reason=body.reason if body else None,
        )
    except Exception:
        metrics.decisions.labels(decision, "api", "refused").inc()
        raise
    metrics.decisions.labels(decision, "api", "ok").inc()
    if result.execution is not None:
        outcome = "replayed" if result.execution.replayed else result.execution.status
        metrics.executions.labels(outcome).inc()
    return result


@router.post("/{proposal_id}/approve", responses=_PATH_ID)
def approve(
    request: Request,
    proposal_id: str,
    who: CurrentUser,
    assistant: AssistantDep,
    body: DecisionRequest | None = None,
) -> Decision:
    """Approve someone else's proposal (approver or admin); it runs once fully approved."""
    return _decide(request, proposal_id, who, assistant, "approve", body)


@router.post("/{proposal_id}/reject", responses=_PATH_ID)
def reject(
    request: Request,
    proposal_id: str,
    who: CurrentUser,
    assistant: AssistantDep,
    body: DecisionRequest | None = None,
) -> Decision:
    """Reject a proposal (approver or admin), or withdraw your own; it never runs."""
    return _decide(request, proposal_id, who, assistant, "reject", body)
