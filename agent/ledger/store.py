"""The proposal ledger: propose, approve, reject, list; every change audited.

Each call is one database transaction that locks the proposal's row first, so two
approvers deciding at the same moment are counted one after the other, never both on
the same snapshot.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from agent.ledger.audit import append_audit
from agent.ledger.errors import ApprovalError, ProposalNotFound
from agent.ledger.models import ApprovalRecord, ProposalRecord, ProposalStatus
from agent.ledger.schema import APPROVALS, PROPOSALS, ledger_engine
from agent.ledger.users import Users, load_users
from tools.domain.policy import Policy
from tools.domain.proposals import ProposedAction
from tools.errors import ConfigError

__all__ = ["DEFAULT_TTL", "OPEN", "Clock", "Ledger", "action_hash", "utcnow"]

Clock = Callable[[], datetime]
DEFAULT_TTL = timedelta(days=3)
OPEN = ("pending", "approved")


def utcnow() -> datetime:
    return datetime.now(UTC)


def action_hash(action: ProposedAction) -> str:
    """sha256 of everything the approver sees: approving one content never approves another."""
    body = json.dumps(action.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class Ledger:
    """Proposals and approvals of one workspace, checked against its policy and users."""

    def __init__(
        self,
        engine: Engine,
        policy: Policy,
        users: Users,
        *,
        clock: Clock = utcnow,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self.engine = engine
        self.policy = policy
        self.users = users
        self.clock = clock
        self.ttl = ttl

    @classmethod
    def for_workspace(cls, ws: Any, **kwargs: Any) -> Ledger:
        """The ledger in a workspace's database, with its ``policy.yaml`` and ``users.yaml``."""
        return cls(ledger_engine(ws.database_url), ws.policy(), load_users(ws.root), **kwargs)

    # -- reads ---------------------------------------------------------------------------

    def get(self, proposal_id: str) -> ProposalRecord:
        with self.engine.connect() as conn:
            return self._load(conn, proposal_id)

    def list(self, *, status: str | None = None, limit: int = 50) -> list[ProposalRecord]:
        """Newest first; ``status`` filters on the state as of now (expiry included)."""
        with self.engine.connect() as conn:
            ids = conn.execute(
                sa.select(PROPOSALS.c.proposal_id).order_by(
                    PROPOSALS.c.created_at.desc(), PROPOSALS.c.proposal_id
                )
            ).scalars()
            records = [self._load(conn, pid) for pid in ids]
        if status is not None:
            records = [r for r in records if r.status == status]
        return records[:limit]

    def pending_summaries(self, limit: int = 200) -> builtins.list[dict[str, Any]]:
        """The proposals awaiting approval, as summaries (what reports list)."""
        return [r.summary() for r in self.list(status="pending", limit=limit)]

    # -- writes --------------------------------------------------------------------------

    def propose(
        self,
        action: ProposedAction,
        *,
        requester: str,
        channel: str = "cli",
        thread_id: str | None = None,
        ttl: timedelta | None = None,
    ) -> ProposalRecord:
        """Store a proposal (or return the open one with the same content) and audit it."""
        now = self.clock()
        digest = action_hash(action)
        with self.engine.begin() as conn:
            same = conn.execute(
                sa.select(PROPOSALS.c.proposal_id).where(
                    PROPOSALS.c.action_hash == digest, PROPOSALS.c.status.in_(OPEN)
                )
            ).scalars()
            for pid in same:
                found = self._load(conn, pid)
                if found.status in OPEN:
                    return found
            pid = f"P-{uuid.uuid4().hex[:12]}"
            required = max(
                1, self.policy.required_approvers(action.action, action.amount_reporting)
            )
            conn.execute(
                sa.insert(PROPOSALS).values(
                    proposal_id=pid,
                    fingerprint=action.fingerprint,
                    action=action.action,
                    title=action.title,
                    entity_id=action.entity_id,
                    currency=action.currency,
                    amount=action.amount,
                    amount_reporting=action.amount_reporting,
                    required_approvers=required,
                    requester=requester,
                    channel=channel,
                    thread_id=thread_id,
                    status="pending",
                    created_at=now.isoformat(),
                    expires_at=(now + (ttl or self.ttl)).isoformat(),
                    updated_at=now.isoformat(),
                    action_hash=digest,
                    payload=action.model_dump_json(exclude={"fingerprint"}),
                )
            )
            append_audit(
                conn,
                at=now,
                actor=requester,
                channel=channel,
                event="propose",
                proposal_id=pid,
                action_hash=digest,
                details={
                    "action": action.action,
                    "amount_reporting": action.amount_reporting,
                    "required_approvers": required,
                    "thread_id": thread_id,
                },
            )
            return self._load(conn, pid)

    def approve(
        self, proposal_id: str, user: str, *, channel: str = "cli", reason: str | None = None
    ) -> ProposalRecord:
        """Record ``user``'s approval; the proposal becomes ``approved`` at the required count.

        Raises:
            ApprovalError: own proposal, no approver role, already decided, not open.
            ConfigError: the workspace has no ``users.yaml``.
        """
        return self._decide(proposal_id, user, "approve", channel, reason)

    def reject(
        self, proposal_id: str, user: str, *, channel: str = "cli", reason: str | None = None
    ) -> ProposalRecord:
        """Reject (an approver) or withdraw (the requester) an open proposal; it never runs."""
        return self._decide(proposal_id, user, "reject", channel, reason)

    # -- internals -----------------------------------------------------------------------

    def _decide(
        self, proposal_id: str, user: str, decision: str, channel: str, reason: str | None
    ) -> ProposalRecord:
        now = self.clock()
        expired = False
        with self.engine.begin() as conn:
            row = self._lock(conn, proposal_id)
            if self._expire_if_due(conn, row, now):
                expired = True
            else:
                self._check_decider(conn, row, user, decision)
                conn.execute(
                    sa.insert(APPROVALS).values(
                        proposal_id=proposal_id,
                        user_id=user,
                        decision=decision,
                        channel=channel,
                        reason=reason,
                        at=now.isoformat(),
                    )
                )
                approvals = self._count(conn, proposal_id)
                status = row.status
                if decision == "reject":
                    status = "rejected"
                elif approvals >= row.required_approvers:
                    status = "approved"
                conn.execute(
                    sa.update(PROPOSALS)
                    .where(PROPOSALS.c.proposal_id == proposal_id)
                    .values(status=status, updated_at=now.isoformat())
                )
                append_audit(
                    conn,
                    at=now,
                    actor=user,
                    channel=channel,
                    event=decision,
                    proposal_id=proposal_id,
                    reason=reason,
                    action_hash=row.action_hash,
                    details={
                        "approvals": approvals,
                        "required": row.required_approvers,
                        "status": status,
                    },
                )
        if expired:
            raise ApprovalError(
                f"proposal {proposal_id} expired at {row.expires_at}; ask again for a fresh one"
            )
        return self.get(proposal_id)

    def _check_decider(self, conn: Connection, row: Any, user: str, decision: str) -> None:
        pid = row.proposal_id
        if row.status not in OPEN:
            raise ApprovalError(f"proposal {pid} is {row.status}; only open proposals are decided")
        own = user == row.requester
        if decision == "approve" and own:
            raise ApprovalError(
                f"{user} requested proposal {pid} and cannot approve it; "
                "another approver has to decide"
            )
        if not (own and decision == "reject"):
            if self.users.source is None:
                raise ConfigError(
                    "no users.yaml in the workspace, so nobody may approve; create it with "
                    "users and roles, e.g. 'users: {bob: {roles: [approver]}}'"
                )
            if not self.users.can_approve(user):
                roles = ", ".join(sorted(self.users.roles(user))) or "none"
                raise ApprovalError(
                    f"{user} has role(s) {roles}; approving or rejecting needs "
                    "'approver' or 'admin' in users.yaml"
                )
        done = conn.execute(
            sa.select(APPROVALS.c.decision).where(
                APPROVALS.c.proposal_id == pid, APPROVALS.c.user_id == user
            )
        ).scalar()
        if done is not None:
            raise ApprovalError(f"{user} already decided on proposal {pid} ({done})")

    def _lock(self, conn: Connection, proposal_id: str) -> Any:
        row = conn.execute(
            sa.select(PROPOSALS).where(PROPOSALS.c.proposal_id == proposal_id).with_for_update()
        ).first()
        if row is None:
            raise ProposalNotFound(
                f"no proposal {proposal_id!r}; 'wcm proposals list' shows the open ones"
            )
        return row

    def _expire_if_due(self, conn: Connection, row: Any, now: datetime) -> bool:
        if row.status not in OPEN or now <= datetime.fromisoformat(row.expires_at):
            return False
        conn.execute(
            sa.update(PROPOSALS)
            .where(PROPOSALS.c.proposal_id == row.proposal_id)
            .values(status="expired", updated_at=now.isoformat())
        )
        append_audit(
            conn,
            at=now,
            actor="system",
            channel="ledger",
            event="expire",
            proposal_id=row.proposal_id,
            action_hash=row.action_hash,
            details={"expires_at": row.expires_at},
        )
        return True

    @staticmethod
    def _count(conn: Connection, proposal_id: str) -> int:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(APPROVALS)
                .where(APPROVALS.c.proposal_id == proposal_id, APPROVALS.c.decision == "approve")
            ).scalar_one()
        )

    def _load(self, conn: Connection, proposal_id: str) -> ProposalRecord:
        row = conn.execute(
            sa.select(PROPOSALS).where(PROPOSALS.c.proposal_id == proposal_id)
        ).first()
        if row is None:
            raise ProposalNotFound(
                f"no proposal {proposal_id!r}; 'wcm proposals list' shows the open ones"
            )
        approvals = conn.execute(
            sa.select(APPROVALS)
            .where(APPROVALS.c.proposal_id == proposal_id)
            .order_by(APPROVALS.c.approval_id)
        ).all()
        status: ProposalStatus = row.status
        expires = datetime.fromisoformat(row.expires_at)
        if status in OPEN and self.clock() > expires:
            status = "expired"
        return ProposalRecord(
            proposal_id=row.proposal_id,
            status=status,
            action=ProposedAction.model_validate_json(row.payload),
            requester=row.requester,
            channel=row.channel,
            thread_id=row.thread_id,
            required_approvers=row.required_approvers,
            created_at=datetime.fromisoformat(row.created_at),
            expires_at=expires,
            action_hash=row.action_hash,
            approvals=tuple(
                ApprovalRecord(
                    user_id=a.user_id,
                    decision=a.decision,
                    channel=a.channel,
                    reason=a.reason,
                    at=datetime.fromisoformat(a.at),
                )
                for a in approvals
            ),
        )
