"""The hash-chained audit log of proposals, decisions and executions."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.assistant import AuditEntry, AuditVerification
from api.deps import AssistantDep, CurrentUser

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditPublic(BaseModel):
    data: list[AuditEntry]
    count: int


@router.get("")
def list_audit(
    who: CurrentUser,
    assistant: AssistantDep,
    proposal_id: str | None = Query(default=None, max_length=40),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10_000_000),
) -> AuditPublic:
    """Audit records newest first, optionally those of one proposal."""
    entries = list(reversed(assistant.audit(proposal_id=proposal_id)))
    return AuditPublic(data=entries[offset : offset + limit], count=len(entries))


@router.get("/verify")
def verify(who: CurrentUser, assistant: AssistantDep) -> AuditVerification:
    """Recompute the hash chain: reports edited, deleted or reordered records."""
    return assistant.verify_audit()
