"""Proposals, approvals and exactly-once execution, with a hash-chained audit log."""

from agent.ledger.audit import audit_entries, verify_audit
from agent.ledger.errors import ApprovalError, ExecutionRefused, ProposalNotFound
from agent.ledger.executor import Executor, Renderer, idempotency_key
from agent.ledger.models import (
    ApprovalRecord,
    AuditEntry,
    AuditVerification,
    ExecutionRecord,
    ProposalRecord,
)
from agent.ledger.schema import ledger_engine
from agent.ledger.store import Ledger, action_hash
from agent.ledger.users import Users, load_users, write_users

__all__ = [
    "ApprovalError",
    "ApprovalRecord",
    "AuditEntry",
    "AuditVerification",
    "ExecutionRecord",
    "ExecutionRefused",
    "Executor",
    "Ledger",
    "ProposalNotFound",
    "ProposalRecord",
    "Renderer",
    "Users",
    "action_hash",
    "audit_entries",
    "idempotency_key",
    "ledger_engine",
    "load_users",
    "verify_audit",
    "write_users",
]
