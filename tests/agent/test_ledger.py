"""The approval ledger and the executor: policy rules, exactly-once, the audit chain."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from agent.ledger import (
    ApprovalError,
    ExecutionRefused,
    ProposalNotFound,
    audit_entries,
    verify_audit,
)
from agent.ledger.schema import AUDIT, AUDIT_HEAD, EXECUTIONS
from tests.agent.factory import FakeClock, action, executor, make_ledger
from tools.errors import ConfigError


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ledger(tmp_path: Path, clock: FakeClock):
    return make_ledger(tmp_path / "ws", clock=clock)


def test_small_payment_needs_one_approver_and_runs_once(ledger) -> None:
    p = ledger.propose(action(50_000), requester="ann")
    assert (p.status, p.required_approvers) == ("pending", 1)
    run, render = executor(ledger)
    with pytest.raises(ExecutionRefused, match="needs 1 more approval"):
        run.execute(p.proposal_id, actor="ann")
    assert ledger.approve(p.proposal_id, "bob").status == "approved"
    first = run.execute(p.proposal_id, actor="bob")
    again = run.execute(p.proposal_id, actor="cat")
    assert (first.status, first.replayed, again.replayed) == ("done", False, True)
    assert again.execution_id == first.execution_id
    assert render.calls == [p.proposal_id]
    assert ledger.get(p.proposal_id).status == "executed"
    assert verify_audit(ledger.engine).ok


def test_large_payment_needs_two_distinct_approvers(ledger) -> None:
    p = ledger.propose(action(250_000), requester="ann")
    assert p.required_approvers == 2  # default matrix: above 100k two approvers
    ledger.approve(p.proposal_id, "bob")
    with pytest.raises(ApprovalError, match="already decided"):
        ledger.approve(p.proposal_id, "bob")  # a replayed approval counts once
    run, render = executor(ledger)
    with pytest.raises(ExecutionRefused):
        run.execute(p.proposal_id, actor="bob")
    assert ledger.approve(p.proposal_id, "dan").status == "approved"
    assert run.execute(p.proposal_id, actor="dan").status == "done"
    assert len(render.calls) == 1


@pytest.mark.parametrize(
    ("requester", "approver", "error"),
    [
        ("bob", "bob", ApprovalError),  # requester never approves own proposal
        ("ann", "vic", ApprovalError),  # a viewer may not approve
        ("ann", "mallory", ApprovalError),  # an unknown user has no role
        ("ann", "ann", ApprovalError),  # analyst approving own
    ],
)
def test_who_may_not_approve(ledger, requester: str, approver: str, error: type) -> None:
    p = ledger.propose(action(), requester=requester)
    with pytest.raises(error):
        ledger.approve(p.proposal_id, approver)
    assert ledger.get(p.proposal_id).status == "pending"


def test_no_users_file_means_nobody_approves(ledger, tmp_path: Path) -> None:
    (tmp_path / "ws" / "users.yaml").unlink()
    from agent.ledger import Ledger, load_users

    bare = Ledger(ledger.engine, ledger.policy, load_users(tmp_path / "ws"))
    p = bare.propose(action(), requester="ann")
    with pytest.raises(ConfigError, match=r"users\.yaml"):
        bare.approve(p.proposal_id, "bob")


def test_rejected_and_expired_never_execute(ledger, clock: FakeClock) -> None:
    run, render = executor(ledger)
    rejected = ledger.propose(action(ref="R"), requester="ann")
    ledger.approve(rejected.proposal_id, "bob")
    ledger.reject(rejected.proposal_id, "cat", reason="wrong supplier")
    with pytest.raises(ExecutionRefused, match="rejected"):
        run.execute(rejected.proposal_id, actor="bob")
    late = ledger.propose(action(ref="L"), requester="ann")
    ledger.approve(late.proposal_id, "bob")
    clock.advance(days=4)
    assert ledger.get(late.proposal_id).status == "expired"
    with pytest.raises(ExecutionRefused, match="expired"):
        run.execute(late.proposal_id, actor="bob")
    with pytest.raises(ApprovalError, match="expired"):
        ledger.approve(late.proposal_id, "cat")
    assert render.calls == []
    events = [e.event for e in audit_entries(ledger.engine)]
    assert events.count("execute_refused") == 2 and "expire" in events
    assert verify_audit(ledger.engine).ok


def test_requester_can_withdraw(ledger) -> None:
    p = ledger.propose(action(), requester="ann")
    assert ledger.reject(p.proposal_id, "ann", reason="withdrawn").status == "rejected"


def test_same_content_is_one_open_proposal(ledger) -> None:
    a = ledger.propose(action(ref="X"), requester="ann")
    b = ledger.propose(action(ref="X"), requester="ann")
    assert a.proposal_id == b.proposal_id
    ledger.reject(a.proposal_id, "bob")
    assert ledger.propose(action(ref="X"), requester="ann").proposal_id != a.proposal_id


def test_unknown_proposal(ledger) -> None:
    with pytest.raises(ProposalNotFound, match="wcm proposals list"):
        ledger.approve("P-nope", "bob")


def test_revoked_role_blocks_execution(ledger) -> None:
    p = ledger.propose(action(), requester="ann")
    ledger.approve(p.proposal_id, "bob")
    from agent.ledger import Ledger, Users

    revoked = Ledger(ledger.engine, ledger.policy, Users(source="x"), clock=ledger.clock)
    run, render = executor(revoked)
    with pytest.raises(ExecutionRefused, match="valid approval"):
        run.execute(p.proposal_id, actor="bob")
    assert render.calls == []


def test_failed_render_can_be_retried_as_the_same_execution(ledger) -> None:
    p = ledger.propose(action(), requester="ann")
    ledger.approve(p.proposal_id, "bob")
    calls: list[int] = []

    def flaky(record):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("bank details missing")
        return [{"path": "x", "sha256": "1" * 64}]

    from agent.ledger import Executor

    run = Executor(ledger, flaky)
    with pytest.raises(ValueError, match="bank details"):
        run.execute(p.proposal_id, actor="bob")
    first = run.get(p.proposal_id)
    assert first is not None and first.status == "failed"
    done = run.execute(p.proposal_id, actor="bob")
    assert (done.status, done.attempts, done.execution_id) == ("done", 2, first.execution_id)


def test_crashed_claim_is_taken_over_after_the_lease(ledger, clock: FakeClock) -> None:
    p = ledger.propose(action(), requester="ann")
    ledger.approve(p.proposal_id, "bob")

    class Crash(BaseException):
        pass

    def crash(record):
        raise Crash

    from agent.ledger import Executor

    with pytest.raises(Crash):
        Executor(ledger, crash).execute(p.proposal_id, actor="bob")
    run, render = executor(ledger)
    in_flight = run.execute(p.proposal_id, actor="bob")
    assert (in_flight.status, in_flight.replayed, render.calls) == ("claimed", True, [])
    clock.advance(minutes=6)
    done = run.execute(p.proposal_id, actor="bob")
    assert (done.status, done.attempts) == ("done", 2)
    with ledger.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(EXECUTIONS)).scalar() == 1


def test_concurrent_approvals_and_executes_run_once(tmp_path: Path) -> None:
    ledger = make_ledger(tmp_path / "ws")
    p = ledger.propose(action(250_000), requester="ann")
    run, render = executor(ledger)
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def approve_then_execute(user: str) -> None:
        barrier.wait()
        with contextlib.suppress(ApprovalError):
            ledger.approve(p.proposal_id, user)
        try:
            outcomes.append(run.execute(p.proposal_id, actor=user).status)
        except ExecutionRefused:
            outcomes.append("refused")

    users = ["bob", "cat", "dan", "bob", "cat", "dan"]
    threads = [threading.Thread(target=approve_then_execute, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(render.calls) == 1
    assert "done" in outcomes
    assert ledger.get(p.proposal_id).status == "executed"
    assert verify_audit(ledger.engine).ok


@pytest.mark.parametrize("tamper", ["edit", "delete_middle", "delete_last", "reorder"])
def test_audit_verify_detects_tampering(ledger, tamper: str) -> None:
    p = ledger.propose(action(), requester="ann")
    ledger.approve(p.proposal_id, "bob")
    executor(ledger)[0].execute(p.proposal_id, actor="bob")
    assert verify_audit(ledger.engine).ok
    with ledger.engine.begin() as conn:
        if tamper == "edit":
            conn.execute(sa.update(AUDIT).where(AUDIT.c.seq == 2).values(actor="cat"))
        elif tamper == "delete_middle":
            conn.execute(sa.delete(AUDIT).where(AUDIT.c.seq == 2))
        elif tamper == "delete_last":
            top = conn.execute(sa.select(AUDIT_HEAD.c.seq)).scalar_one()
            conn.execute(sa.delete(AUDIT).where(AUDIT.c.seq == top))
        else:  # swap the contents of records 2 and 3 (hashes travel with them)
            rows = {r.seq: r._asdict() for r in conn.execute(sa.select(AUDIT)).all()}
            conn.execute(sa.delete(AUDIT).where(AUDIT.c.seq.in_([2, 3])))
            conn.execute(sa.insert(AUDIT).values({**rows[3], "seq": 2}))
            conn.execute(sa.insert(AUDIT).values({**rows[2], "seq": 3}))
    result = verify_audit(ledger.engine)
    assert not result.ok and result.problems
