"""What the ledger hands back: proposals with their decisions, executions, audit checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.domain.proposals import ProposedAction

__all__ = [
    "ApprovalRecord",
    "AuditEntry",
    "AuditVerification",
    "ExecutionRecord",
    "ProposalRecord",
    "ProposalStatus",
]

ProposalStatus = Literal["pending", "approved", "rejected", "expired", "executing", "executed"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ApprovalRecord(_Frozen):
    user_id: str
    decision: Literal["approve", "reject"]
    channel: str
    reason: str | None
    at: datetime


class ProposalRecord(_Frozen):
    """A stored proposal, its approvals and the state it is in now."""

    proposal_id: str
    status: ProposalStatus
    action: ProposedAction
    requester: str
    channel: str
    thread_id: str | None
    required_approvers: int
    created_at: datetime
    expires_at: datetime
    action_hash: str
    approvals: tuple[ApprovalRecord, ...] = ()

    @property
    def approvers(self) -> tuple[str, ...]:
        return tuple(a.user_id for a in self.approvals if a.decision == "approve")

    @property
    def missing_approvals(self) -> int:
        return max(0, self.required_approvers - len(self.approvers))

    def summary(self) -> dict[str, Any]:
        """The fields a list or an answer shows."""
        a = self.action
        return {
            "proposal_id": self.proposal_id,
            "status": self.status,
            "action": a.action,
            "title": a.title,
            "entity_id": a.entity_id,
            "currency": a.currency,
            "amount": a.amount,
            "amount_reporting": a.amount_reporting,
            "value": a.value,
            "requester": self.requester,
            "required_approvers": self.required_approvers,
            "approvers": list(self.approvers),
            "expires_at": self.expires_at.isoformat(),
        }


class ExecutionRecord(_Frozen):
    """The one execution of a proposal; ``replayed`` when a repeated call returned it."""

    execution_id: str
    proposal_id: str
    idempotency_key: str
    status: Literal["claimed", "done", "failed"]
    actor: str
    attempts: int
    claimed_at: datetime
    finished_at: datetime | None
    artifacts: tuple[dict[str, Any], ...] = ()
    error: str | None = None
    replayed: bool = False


class AuditEntry(_Frozen):
    seq: int
    at: datetime
    actor: str
    channel: str
    event: str
    proposal_id: str | None
    reason: str | None
    action_hash: str | None
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str
    hash: str


class AuditVerification(_Frozen):
    """The result of re-computing the audit chain."""

    ok: bool
    records: int
    head_hash: str
    problems: tuple[str, ...] = ()
