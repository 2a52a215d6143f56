"""Random sequences of propose / approve / reject / execute (resume, retry) / crash / time.

Whatever the order, the ledger keeps its invariants: nothing runs without the approvals
the policy requires, a proposal runs at most once, rejected or expired proposals never
run, and the audit chain verifies.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from agent.ledger import (
    ApprovalError,
    ExecutionRefused,
    Executor,
    Ledger,
    ProposalRecord,
    Users,
    ledger_engine,
    verify_audit,
)
from agent.ledger.schema import APPROVALS, EXECUTIONS, PROPOSALS
from agent.ledger.users import User
from tests.agent.factory import ROLES, FakeClock, action
from tools.domain.policy import Policy

USERS = sorted(ROLES)


class Crash(BaseException):
    """The process dies in the middle of writing the artifacts."""


class LedgerMachine(RuleBasedStateMachine):
    proposals = Bundle("proposals")

    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="wcm-ledger-"))
        self.clock = FakeClock()
        users = Users(users={u: User(roles=tuple(r)) for u, r in ROLES.items()}, source="test")
        engine = ledger_engine(f"sqlite:///{self.dir / 'ledger.db'}")
        self.ledger = Ledger(engine, Policy(), users, clock=self.clock)
        self.rendered_after_done: list[str] = []
        self.done: set[str] = set()
        self.counter = 0

    def _render(self, record: ProposalRecord) -> list[dict[str, str]]:
        if record.proposal_id in self.done:
            self.rendered_after_done.append(record.proposal_id)
        return [{"path": record.proposal_id, "sha256": "0" * 64}]

    def teardown(self) -> None:
        self.ledger.engine.dispose()
        ledger_engine.cache_clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(
        target=proposals,
        amount=st.sampled_from([5_000.0, 99_000.0, 150_000.0, 2_000_000.0]),
        requester=st.sampled_from(USERS),
    )
    def propose(self, amount: float, requester: str) -> str:
        self.counter += 1
        return self.ledger.propose(
            action(amount, ref=f"B{self.counter}"), requester=requester
        ).proposal_id

    @rule(pid=proposals, user=st.sampled_from(USERS))
    def approve(self, pid: str, user: str) -> None:
        with contextlib.suppress(ApprovalError):
            self.ledger.approve(pid, user)

    @rule(pid=proposals, user=st.sampled_from(USERS))
    def reject(self, pid: str, user: str) -> None:
        with contextlib.suppress(ApprovalError):
            self.ledger.reject(pid, user, reason="no")

    @rule(pid=proposals, user=st.sampled_from(USERS))
    def execute_or_resume(self, pid: str, user: str) -> None:
        try:
            result = Executor(self.ledger, self._render).execute(pid, actor=user)
        except ExecutionRefused:
            return
        if result.status == "done":
            self.done.add(pid)

    @rule(pid=proposals)
    def crash_while_executing(self, pid: str) -> None:
        def crash(record: ProposalRecord) -> list[dict[str, str]]:
            raise Crash

        with contextlib.suppress(Crash, ExecutionRefused):
            Executor(self.ledger, crash).execute(pid, actor="bob")

    @rule(minutes=st.sampled_from([1, 10, 60 * 24, 60 * 80]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @invariant()
    def no_execution_without_approvals(self) -> None:
        with self.ledger.engine.connect() as conn:
            runs = conn.execute(sa.select(EXECUTIONS)).all()
            for run in runs:
                p = conn.execute(
                    sa.select(PROPOSALS).where(PROPOSALS.c.proposal_id == run.proposal_id)
                ).one()
                decisions = conn.execute(
                    sa.select(APPROVALS).where(APPROVALS.c.proposal_id == run.proposal_id)
                ).all()
                approvers = {
                    d.user_id
                    for d in decisions
                    if d.decision == "approve"
                    and d.user_id != p.requester
                    and set(ROLES[d.user_id]) & {"approver", "admin"}
                }
                needed = Policy().required_approvers(p.action, p.amount_reporting)
                assert len(approvers) >= needed
                rejected_before = [
                    d for d in decisions if d.decision == "reject" and d.at <= run.claimed_at
                ]
                assert not rejected_before
                assert run.claimed_at <= p.expires_at

    @invariant()
    def at_most_one_execution(self) -> None:
        with self.ledger.engine.connect() as conn:
            per = conn.execute(
                sa.select(EXECUTIONS.c.proposal_id, sa.func.count()).group_by(
                    EXECUTIONS.c.proposal_id
                )
            ).all()
        assert all(n == 1 for _, n in per)
        assert self.rendered_after_done == []

    @invariant()
    def audit_verifies(self) -> None:
        assert verify_audit(self.ledger.engine).ok


LedgerMachine.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestLedgerMachine = LedgerMachine.TestCase
