"""The assistant as channels use it: ask, approve, reject, over one workspace.

One ``Assistant`` holds the models, the tool session and the graph for a process (the
CLI's batch mode and chat reuse it), so embeddings load and the forecast runs once.
"""

from __future__ import annotations

import uuid
from typing import Any

from langgraph.types import Command

from agent.answer import Answer
from agent.checkpoint import close_checkpointer, open_checkpointer
from agent.context import Context
from agent.graph import build_graph
from agent.ledger import ExecutionRecord, Executor, Ledger, ProposalRecord
from agent.outbox import OutboxRenderer
from agent.planner.base import Planner
from agent.session import ToolSession
from tools.errors import ConfigError
from tools.settings import Settings
from tools.workspace import Workspace

__all__ = ["Assistant", "make_planner"]


def make_planner(settings: Settings, session: ToolSession) -> Planner:
    """The planner the settings choose: ``offline`` (default) or ``openai``."""
    if settings.llm_provider == "openai":
        from agent.planner.openai import OpenAIPlanner
        from agent.planner.openai_messages import workspace_note

        ws = session.ws
        note = workspace_note(ws.name, ws.reporting_currency, session.tables().get("entities"))
        return OpenAIPlanner(settings, workspace_note=note)
    from agent.planner.offline import OfflinePlanner, master_from_tables

    return OfflinePlanner(master_from_tables(session.tables()))


class Assistant:
    """Questions in, grounded answers and proposals out; approvals resume the thread."""

    def __init__(
        self,
        ws: Workspace,
        *,
        settings: Settings | None = None,
        planner: Planner | None = None,
        channel: str = "cli",
    ) -> None:
        self.ws = ws
        self.settings = settings or Settings()
        self.session = ToolSession(ws)
        self.planner = planner or make_planner(self.settings, self.session)
        self.ledger = Ledger.for_workspace(ws)
        self.executor = Executor(
            self.ledger,
            OutboxRenderer(
                self.session, smtp_host=self.settings.smtp_host, smtp_port=self.settings.smtp_port
            ),
        )
        self.checkpointer, self.checkpoints = open_checkpointer(ws.root, ws.database_url)
        self.graph = build_graph(self.checkpointer)
        self.channel = channel

    def close(self) -> None:
        """Release the checkpoint store's connections; the assistant is unusable after."""
        close_checkpointer(self.checkpointer)

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _context(self, thread: str, user: str) -> Context:
        return Context(
            session=self.session,
            planner=self.planner,
            ledger=self.ledger,
            executor=self.executor,
            thread_id=thread,
            user=user,
            channel=self.channel,
        )

    def ask(self, question: str, *, thread: str | None = None, user: str = "analyst") -> Answer:
        """Answer one question in ``thread`` (a new thread when None)."""
        if not question.strip():
            raise ConfigError("empty question; ask something like 'cash in 13 weeks?'")
        thread = thread or f"t-{uuid.uuid4().hex[:10]}"
        config: Any = {"configurable": {"thread_id": thread}}
        out = self.graph.invoke(
            {"question": question, "user": user}, config, context=self._context(thread, user)
        )
        return self._answer(out, thread)

    def approve(
        self, proposal_id: str, *, user: str, reason: str | None = None
    ) -> tuple[ProposalRecord, ExecutionRecord | None]:
        """Record an approval; when the policy's approvals are complete, execute (once)."""
        record = self.ledger.approve(proposal_id, user, channel=self.channel, reason=reason)
        self._resume(record, user, {"decision": "approve", "proposal_id": proposal_id})
        record = self.ledger.get(proposal_id)
        if record.status == "approved":  # no thread waiting for it: execute directly
            self.executor.execute(proposal_id, actor=user, channel=self.channel)
        return self.ledger.get(proposal_id), self.executor.get(proposal_id)

    def reject(self, proposal_id: str, *, user: str, reason: str | None = None) -> ProposalRecord:
        record = self.ledger.reject(proposal_id, user, channel=self.channel, reason=reason)
        self._resume(record, user, {"decision": "reject", "proposal_id": proposal_id})
        return self.ledger.get(proposal_id)

    def _resume(self, record: ProposalRecord, user: str, decision: dict[str, Any]) -> None:
        if not record.thread_id:
            return
        config: Any = {"configurable": {"thread_id": record.thread_id}}
        state = self.graph.get_state(config)
        waiting = [pid for i in state.interrupts for pid in (i.value or {}).get("waiting_for", [])]
        if record.proposal_id in waiting:
            self.graph.invoke(
                Command(resume=decision), config, context=self._context(record.thread_id, user)
            )

    def _answer(self, out: dict[str, Any], thread: str) -> Answer:
        pending = bool(out.get("__interrupt__"))
        raw = out.get("answer") or {}
        answer = Answer.model_validate(raw) if raw else Answer(answer="", language="en")
        return answer.model_copy(update={"thread_id": thread, "pending_approval": pending})
