"""The ledger on a throwaway Postgres: concurrent approvals and executions still run once."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest

from agent.ledger import ApprovalError, ExecutionRefused, ledger_engine, verify_audit
from tests.agent.factory import action, executor, make_ledger
from tests.tools.test_postgres import pg_server, pg_url  # noqa: F401  (fixtures)

pytestmark = pytest.mark.postgres


def test_concurrent_double_approvals_execute_once_on_postgres(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ledger = make_ledger(tmp_path / "ws", url=pg_url)
    proposals = [ledger.propose(action(250_000, ref=f"B{i}"), requester="ann") for i in range(3)]
    run, render = executor(ledger)
    barrier = threading.Barrier(8)

    def worker(user: str) -> None:
        barrier.wait()
        for p in proposals:
            with contextlib.suppress(ApprovalError):
                ledger.approve(p.proposal_id, user)
            with contextlib.suppress(ExecutionRefused):
                run.execute(p.proposal_id, actor=user)

    threads = [
        threading.Thread(target=worker, args=(u,))
        for u in ["bob", "cat", "dan", "bob", "cat", "dan", "ann", "vic"]
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(render.calls) == sorted(p.proposal_id for p in proposals)
    assert all(ledger.get(p.proposal_id).status == "executed" for p in proposals)
    assert verify_audit(ledger.engine).ok
    ledger_engine(pg_url).dispose()
    ledger_engine.cache_clear()
