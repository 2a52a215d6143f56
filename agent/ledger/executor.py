"""The executor: runs an approved proposal exactly once, whoever calls it and how often.

The guarantee lives in the database, not in the caller: ``agent_executions`` has one row
per proposal under a unique idempotency key. The first caller inserts the row (a
*claim*) in the same transaction that re-checks the approvals; any later or concurrent
caller finds the row and gets the first execution back instead of running again. A run
that crashed after its claim is taken over (same row, same key) once its lease has
passed; artifacts are pure functions of the approved proposal, so re-writing them gives
the same bytes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from agent.ledger.audit import append_audit
from agent.ledger.errors import ExecutionRefused
from agent.ledger.models import ExecutionRecord, ProposalRecord
from agent.ledger.schema import APPROVALS, EXECUTIONS, PROPOSALS
from agent.ledger.store import Ledger

__all__ = ["DEFAULT_LEASE", "Executor", "Renderer", "idempotency_key"]

Renderer = Callable[[ProposalRecord], Sequence[dict[str, Any]]]
DEFAULT_LEASE = timedelta(minutes=5)


def idempotency_key(record: ProposalRecord) -> str:
    """One key per approved content: the proposal id and the hash of what was approved."""
    return f"{record.proposal_id}:{record.action_hash}"


class Executor:
    """Runs approved proposals through ``render`` (which writes the artifacts) exactly once."""

    def __init__(self, ledger: Ledger, render: Renderer, *, lease: timedelta = DEFAULT_LEASE):
        self.ledger = ledger
        self.render = render
        self.lease = lease

    def execute(self, proposal_id: str, *, actor: str, channel: str = "cli") -> ExecutionRecord:
        """Execute ``proposal_id`` or return its earlier execution (``replayed=True``).

        Raises:
            ExecutionRefused: pending, rejected or expired, or approvals that no longer
                satisfy the policy (own approval, revoked role, too few approvers).
            ProposalNotFound: no such proposal.
        """
        claim = self._claim(proposal_id, actor, channel)
        if isinstance(claim, ExecutionRecord):
            return claim
        execution_id, attempt, record = claim
        try:
            artifacts = list(self.render(record))
        except Exception as exc:
            self._finish(execution_id, attempt, record, actor, channel, error=str(exc))
            raise
        return self._finish(execution_id, attempt, record, actor, channel, artifacts=artifacts)

    def get(self, proposal_id: str) -> ExecutionRecord | None:
        with self.ledger.engine.connect() as conn:
            row = conn.execute(
                sa.select(EXECUTIONS).where(EXECUTIONS.c.proposal_id == proposal_id)
            ).first()
        return None if row is None else _record(row, replayed=True)

    # -- internals -----------------------------------------------------------------------

    def _claim(
        self, proposal_id: str, actor: str, channel: str
    ) -> ExecutionRecord | tuple[str, int, ProposalRecord]:
        ledger = self.ledger
        now = ledger.clock()
        refused: str | None = None
        try:
            with ledger.engine.begin() as conn:
                ledger._lock(conn, proposal_id)
                existing = conn.execute(
                    sa.select(EXECUTIONS).where(EXECUTIONS.c.proposal_id == proposal_id)
                ).first()
                record = ledger._load(conn, proposal_id)
                if existing is not None:
                    stale = now - datetime.fromisoformat(existing.claimed_at) > self.lease
                    if existing.status == "done" or (existing.status == "claimed" and not stale):
                        return _record(existing, replayed=True)
                    refused = self._refusal(conn, record, retry=True)
                    if refused is None:
                        attempt = int(existing.attempts) + 1
                        conn.execute(
                            sa.update(EXECUTIONS)
                            .where(EXECUTIONS.c.execution_id == existing.execution_id)
                            .values(
                                status="claimed",
                                attempts=attempt,
                                claimed_at=now.isoformat(),
                                actor=actor,
                                error=None,
                            )
                        )
                        self._mark(conn, record, "executing", now)
                        append_audit(
                            conn,
                            at=now,
                            actor=actor,
                            channel=channel,
                            event="execute_retry",
                            proposal_id=proposal_id,
                            action_hash=record.action_hash,
                            details={"attempt": attempt, "previous": existing.status},
                        )
                        return existing.execution_id, attempt, record
                else:
                    refused = self._refusal(conn, record, retry=False)
                    if refused is None:
                        execution_id = f"X-{uuid.uuid4().hex[:12]}"
                        conn.execute(
                            sa.insert(EXECUTIONS).values(
                                execution_id=execution_id,
                                proposal_id=proposal_id,
                                idempotency_key=idempotency_key(record),
                                status="claimed",
                                actor=actor,
                                channel=channel,
                                attempts=1,
                                claimed_at=now.isoformat(),
                            )
                        )
                        self._mark(conn, record, "executing", now)
                        append_audit(
                            conn,
                            at=now,
                            actor=actor,
                            channel=channel,
                            event="execute_claim",
                            proposal_id=proposal_id,
                            action_hash=record.action_hash,
                            details={"execution_id": execution_id, "approvers": record.approvers},
                        )
                        return execution_id, 1, record
                append_audit(
                    conn,
                    at=now,
                    actor=actor,
                    channel=channel,
                    event="execute_refused",
                    proposal_id=proposal_id,
                    reason=refused,
                    action_hash=record.action_hash,
                )
        except sa.exc.IntegrityError:
            # Lost a race the row lock did not cover: the winner's execution is the one.
            found = self.get(proposal_id)
            if found is None:  # pragma: no cover - the unique key only fails if a row exists
                raise
            return found
        raise ExecutionRefused(f"proposal {proposal_id} not executed: {refused}")

    def _refusal(self, conn: Connection, record: ProposalRecord, *, retry: bool) -> str | None:
        """Why ``record`` may not run now, re-derived from the approvals table; None if it may."""
        allowed = ("approved", "executing") if retry else ("approved",)
        if record.status not in allowed:
            hint = {
                "pending": f"it needs {record.missing_approvals} more approval(s)",
                "rejected": "it was rejected",
                "expired": "it expired; ask again for a fresh proposal",
                "executed": "it was executed already",
            }.get(record.status, f"it is {record.status}")
            return hint
        if self.ledger.clock() > record.expires_at:
            # An attempt that crashed before expiry is not finished after it: the approvals
            # were for a plan of that moment.
            return "it expired before it could run; ask again for a fresh proposal"
        rows = conn.execute(
            sa.select(APPROVALS.c.user_id, APPROVALS.c.decision).where(
                APPROVALS.c.proposal_id == record.proposal_id
            )
        ).all()
        if any(r.decision == "reject" for r in rows):
            return "it was rejected"
        valid = {
            r.user_id
            for r in rows
            if r.decision == "approve"
            and r.user_id != record.requester
            and self.ledger.users.can_approve(r.user_id)
        }
        needed = self.ledger.policy.required_approvers(
            record.action.action, record.action.amount_reporting
        )
        needed = max(needed, record.required_approvers)
        if len(valid) < needed:
            return (
                f"it has {len(valid)} valid approval(s) from distinct approvers other than the "
                f"requester; the policy requires {needed}"
            )
        return None

    def _mark(self, conn: Connection, record: ProposalRecord, status: str, now: datetime) -> None:
        conn.execute(
            sa.update(PROPOSALS)
            .where(PROPOSALS.c.proposal_id == record.proposal_id)
            .values(status=status, updated_at=now.isoformat())
        )

    def _finish(
        self,
        execution_id: str,
        attempt: int,
        record: ProposalRecord,
        actor: str,
        channel: str,
        *,
        artifacts: list[dict[str, Any]] | None = None,
        error: str | None = None,
    ) -> ExecutionRecord:
        now = self.ledger.clock()
        done = error is None
        with self.ledger.engine.begin() as conn:
            updated = conn.execute(
                sa.update(EXECUTIONS)
                .where(
                    EXECUTIONS.c.execution_id == execution_id,
                    EXECUTIONS.c.attempts == attempt,
                    EXECUTIONS.c.status == "claimed",
                )
                .values(
                    status="done" if done else "failed",
                    finished_at=now.isoformat(),
                    result=json.dumps(artifacts or [], default=str),
                    error=error,
                )
            ).rowcount
            if updated:  # else a later attempt took over: its outcome is the one recorded
                self._mark(conn, record, "executed" if done else "approved", now)
                append_audit(
                    conn,
                    at=now,
                    actor=actor,
                    channel=channel,
                    event="execute" if done else "execute_failed",
                    proposal_id=record.proposal_id,
                    reason=error,
                    action_hash=record.action_hash,
                    details={
                        "execution_id": execution_id,
                        "attempt": attempt,
                        "artifacts": [
                            {k: a[k] for k in ("path", "sha256") if k in a} for a in artifacts or []
                        ],
                    },
                )
            row = conn.execute(
                sa.select(EXECUTIONS).where(EXECUTIONS.c.execution_id == execution_id)
            ).one()
        return _record(row, replayed=not updated)


def _record(row: Any, *, replayed: bool) -> ExecutionRecord:
    return ExecutionRecord(
        execution_id=row.execution_id,
        proposal_id=row.proposal_id,
        idempotency_key=row.idempotency_key,
        status=row.status,
        actor=row.actor,
        attempts=row.attempts,
        claimed_at=datetime.fromisoformat(row.claimed_at),
        finished_at=datetime.fromisoformat(row.finished_at) if row.finished_at else None,
        artifacts=tuple(json.loads(row.result)) if row.result else (),
        error=row.error,
        replayed=replayed,
    )
