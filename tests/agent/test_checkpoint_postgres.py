"""Agent checkpoints on a throwaway Postgres: a pending approval survives a restart of the
process, and a Postgres ledger never falls back to a local checkpoint file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.checkpoint import CHECKPOINT_FILE, open_checkpointer
from agent.ledger import audit_entries, ledger_engine, verify_audit
from agent.planner.base import Plan, PlannedCall, Turn
from agent.results import ToolResult
from agent.service import Assistant
from tests.agent.factory import build_company_workspace
from tests.tools.test_postgres import pg_server, pg_url  # noqa: F401  (fixtures)
from tools.errors import ConfigError


class PaymentPlanner:
    """Always plans the supplier payment optimisation, then answers from its figures."""

    name = "payments"

    def plan(
        self, question: str, *, language: str, history: list[Turn], results: list[ToolResult]
    ) -> Plan:
        if results:
            return Plan(kind="answer")
        return Plan(kind="tools", calls=(PlannedCall(name="optimize_payments"),))


@pytest.mark.postgres
def test_a_pending_approval_survives_a_restart_on_postgres(
    pg_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ws = build_company_workspace(tmp_path / "ws", database_url=pg_url)
    first = Assistant(ws, planner=PaymentPlanner())
    assert first.checkpoints.startswith("postgres:")
    a = first.ask("which bills should we pay early?", thread="t-pg", user="ann")
    assert a.pending_approval and a.proposals
    pid = min(a.proposals, key=lambda p: p["amount_reporting"])["proposal_id"]
    first.close()  # the process stops; only Postgres remembers the thread
    del first

    restarted = Assistant(ws, planner=PaymentPlanner())
    try:
        state = restarted.graph.get_state({"configurable": {"thread_id": "t-pg"}})
        assert pid in [p for i in state.interrupts for p in i.value["waiting_for"]]
        record, execution = restarted.approve(pid, user="bob")
        if record.required_approvers == 2:
            record, execution = restarted.approve(pid, user="dan")
        assert record.status == "executed" and execution is not None
        # the resumed thread ran the execution (not a direct call for a lost thread)
        runs = restarted.graph.get_state({"configurable": {"thread_id": "t-pg"}}).values
        assert [r["proposal_id"] for r in runs["executions"] if r["status"] == "done"] == [pid]
        again = restarted.executor.execute(pid, actor="cat")
        assert again.replayed and again.execution_id == execution.execution_id
        events = [e.event for e in audit_entries(restarted.ledger.engine, proposal_id=pid)]
        assert events.count("execute") == 1 and "execute_refused" not in events
        assert verify_audit(restarted.ledger.engine).ok
        assert not (ws.root / CHECKPOINT_FILE).exists()
    finally:
        restarted.close()
        ledger_engine(pg_url).dispose()
        ledger_engine.cache_clear()


def test_a_postgres_ledger_without_the_checkpointer_package_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "langgraph.checkpoint.postgres", None)
    with pytest.raises(ConfigError, match="pip install 'langgraph-checkpoint-postgres"):
        open_checkpointer(tmp_path, "postgresql+psycopg://u@127.0.0.1:1/db")
    assert not (tmp_path / CHECKPOINT_FILE).exists()


def test_an_unreachable_postgres_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot open agent checkpoints in .*127\.0\.0\.1:1/db"):
        open_checkpointer(tmp_path, "postgresql+psycopg://u:secret@127.0.0.1:1/db")
