"""The one bridge from the API and the chat channels to the agent.

Routers, the Slack and Teams bots and the web page reach the agent only through the
``Assistant`` protocol below, so a change in the agent's API changes this file alone.
``WorkspaceAssistant`` is the product's implementation: questions go to the agent's
graph (offline planner by default), proposals, approvals, executions and the audit log
to the agent's ledger in the workspace database, roles to the workspace's ``users.yaml``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from agent.ledger import (
    AuditEntry,
    AuditVerification,
    ExecutionRecord,
    Executor,
    Ledger,
    ProposalRecord,
    audit_entries,
    load_users,
    verify_audit,
)
from agent.ledger.users import APPROVER_ROLES, ROLES
from tools.domain.proposals import ProposedAction
from tools.errors import WcmError
from tools.settings import Settings
from tools.workspace import Workspace

__all__ = [
    "APPROVER_ROLES",
    "ROLES",
    "AgentUnavailable",
    "Answer",
    "Assistant",
    "AuditEntry",
    "AuditVerification",
    "ChartNotFound",
    "ChartRef",
    "Decision",
    "DecisionKind",
    "ExecutionRecord",
    "ProposalRecord",
    "StreamEvent",
    "WorkspaceAssistant",
    "chart_ref",
    "stream_answer",
]

DecisionKind = Literal["approve", "reject"]


class AgentUnavailable(WcmError):
    """The agent's question-answering graph is not part of this installation."""


class ChartNotFound(WcmError):
    """No chart with that id: answers keep their charts for a while; ask again."""


class ChartRef(BaseModel):
    """A chart an answer refers to; ``GET /v1/charts/{chart_id}.svg`` renders it."""

    model_config = ConfigDict(frozen=True)

    chart_id: str
    kind: str
    title: str
    spec: dict[str, Any] = Field(default_factory=dict, exclude=True)


class Answer(BaseModel):
    """The agent's reply to one question, with the structured parts next to the text."""

    model_config = ConfigDict(frozen=True)

    thread_id: str
    text: str
    figures: list[dict[str, Any]] = Field(default_factory=list)
    citations: list[dict[str, Any]] = Field(default_factory=list)
    proposals: list[dict[str, Any]] = Field(default_factory=list)
    charts: list[ChartRef] = Field(default_factory=list)
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event of a streamed answer."""

    event: Literal["status", "delta", "figures", "citations", "charts", "proposals", "done"]
    data: dict[str, Any] = field(default_factory=dict)


class Decision(BaseModel):
    """A proposal after a decision, with its execution when the decision made it run."""

    model_config = ConfigDict(frozen=True)

    proposal: ProposalRecord
    execution: ExecutionRecord | None = None


class Assistant(Protocol):
    """What the service needs from the agent."""

    def ask(self, question: str, *, user: str, thread_id: str, channel: str) -> Answer: ...

    def stream(
        self, question: str, *, user: str, thread_id: str, channel: str
    ) -> Iterator[StreamEvent]: ...

    def proposals(self, *, status: str | None = None, limit: int = 500) -> list[ProposalRecord]: ...

    def proposal(self, proposal_id: str) -> ProposalRecord: ...

    def execution(self, proposal_id: str) -> ExecutionRecord | None: ...

    def propose(
        self, action: ProposedAction, *, user: str, channel: str, thread_id: str | None = None
    ) -> ProposalRecord: ...

    def decide(
        self,
        proposal_id: str,
        *,
        user: str,
        decision: DecisionKind,
        channel: str,
        reason: str | None = None,
    ) -> Decision: ...

    def audit(self, *, proposal_id: str | None = None) -> list[AuditEntry]: ...

    def verify_audit(self) -> AuditVerification: ...

    def roles(self, user: str) -> frozenset[str]: ...

    def chart_spec(self, chart_id: str) -> dict[str, Any] | None: ...

    def remember_chart(self, ref: ChartRef) -> None: ...


def chart_ref(spec: dict[str, Any]) -> ChartRef:
    """A stable id for a chart spec (same spec, same id)."""
    body = json.dumps(spec, sort_keys=True, default=str)
    digest = hashlib.sha256(body.encode()).hexdigest()[:16]
    kind = str(spec.get("kind", "chart"))
    return ChartRef(
        chart_id=f"{kind}-{digest}", kind=kind, title=str(spec.get("title", kind)), spec=spec
    )


def stream_answer(answer: Answer, *, chunk_words: int = 6) -> Iterator[StreamEvent]:
    """An answer as a stream: the text in small deltas, then its structured parts."""
    words = answer.text.split(" ")
    for start in range(0, len(words), chunk_words):
        piece = " ".join(words[start : start + chunk_words])
        yield StreamEvent(
            "delta", {"text": piece + (" " if start + chunk_words < len(words) else "")}
        )
    yield StreamEvent("figures", {"figures": answer.figures})
    yield StreamEvent("citations", {"citations": answer.citations})
    yield StreamEvent("charts", {"charts": [c.model_dump() for c in answer.charts]})
    yield StreamEvent("proposals", {"proposals": answer.proposals})
    yield StreamEvent("done", {"thread_id": answer.thread_id, "tool_calls": answer.tool_calls})


class ChartMemory:
    """The chart specs recent answers referred to (bounded, newest kept)."""

    def __init__(self, size: int = 512) -> None:
        self._specs: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def put(self, ref: ChartRef) -> None:
        with self._lock:
            self._specs[ref.chart_id] = ref.spec
            self._specs.move_to_end(ref.chart_id)
            while len(self._specs) > self._size:
                self._specs.popitem(last=False)

    def get(self, chart_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._specs.get(chart_id)


class WorkspaceAssistant:
    """The agent on one workspace: its graph for questions and decisions, its ledger for
    the queue and the audit log.

    Wiring (``agent.service.Assistant``): one agent per process shares the planner, the
    tool session (data and forecasts read once) and the graph; it is created on the first
    question or decision, so listing proposals never loads a model. The agent records the
    channel it serves on each instance, so each channel gets a shallow copy sharing all
    of that; ``ask(question, thread=, user=)``, ``approve(id, user=, reason=)`` returning
    ``(record, execution)`` and ``reject(id, user=, reason=)`` are the calls used.
    """

    def __init__(
        self, ws: Workspace, settings: Settings | None = None, *, concurrency: int = 4
    ) -> None:
        self.ws = ws
        self.settings = settings
        # Questions beyond this many wait their turn: the machine's cores are the limit,
        # and fewer busy threads keep channel acknowledgements fast.
        self._slots = threading.BoundedSemaphore(concurrency)
        self.charts = ChartMemory()
        self._lock = threading.Lock()
        self._agents: dict[str, Any] = {}

    # -- the agent -----------------------------------------------------------------------

    def _agent(self, channel: str) -> Any:
        with self._lock:
            if channel not in self._agents:
                if not self._agents:
                    try:
                        from agent.service import Assistant as AgentAssistant
                    except ImportError as exc:  # pragma: no cover - the agent ships with the API
                        raise AgentUnavailable(f"the agent is not installed ({exc})") from None
                    self._agents["api"] = AgentAssistant(
                        self.ws, settings=self.settings, channel="api"
                    )
                agent = copy.copy(self._agents["api"])
                agent.channel = channel
                self._agents[channel] = agent
            return self._agents[channel]

    def ask(self, question: str, *, user: str, thread_id: str, channel: str) -> Answer:
        agent = self._agent(channel)
        with self._slots:
            reply = agent.ask(question, thread=thread_id, user=user)
        return self._answer(reply, thread_id)

    def stream(
        self, question: str, *, user: str, thread_id: str, channel: str
    ) -> Iterator[StreamEvent]:
        yield StreamEvent("status", {"text": "thinking"})
        yield from stream_answer(
            self.ask(question, user=user, thread_id=thread_id, channel=channel)
        )

    def _answer(self, reply: Any, thread_id: str) -> Answer:
        data = reply.model_dump(mode="json") if hasattr(reply, "model_dump") else dict(reply)
        charts = [chart_ref(spec) for spec in data.get("charts", []) or []]
        for ref in charts:
            self.charts.put(ref)
        return Answer(
            thread_id=str(data.get("thread_id") or thread_id),
            text=str(data.get("text") or data.get("answer") or ""),
            figures=list(data.get("figures", []) or []),
            citations=list(data.get("citations", []) or []),
            proposals=list(data.get("proposals", []) or []),
            charts=charts,
            tool_calls=list(data.get("tool_calls", []) or []),
        )

    def decide(
        self,
        proposal_id: str,
        *,
        user: str,
        decision: DecisionKind,
        channel: str,
        reason: str | None = None,
    ) -> Decision:
        agent = self._agent(channel)
        with self._slots:
            if decision == "approve":
                record, execution = agent.approve(proposal_id, user=user, reason=reason)
                return Decision(proposal=record, execution=execution)
            return Decision(proposal=agent.reject(proposal_id, user=user, reason=reason))

    def chart_spec(self, chart_id: str) -> dict[str, Any] | None:
        return self.charts.get(chart_id)

    def remember_chart(self, ref: ChartRef) -> None:
        self.charts.put(ref)

    # -- the ledger ----------------------------------------------------------------------

    def _ledger(self) -> Ledger:
        # Read per call: users.yaml and policy.yaml edits apply without a restart.
        return Ledger.for_workspace(self.ws)

    def proposals(self, *, status: str | None = None, limit: int = 500) -> list[ProposalRecord]:
        return self._ledger().list(status=status, limit=limit)

    def proposal(self, proposal_id: str) -> ProposalRecord:
        return self._ledger().get(proposal_id)

    def execution(self, proposal_id: str) -> ExecutionRecord | None:
        return Executor(self._ledger(), render=lambda _record: ()).get(proposal_id)

    def propose(
        self, action: ProposedAction, *, user: str, channel: str, thread_id: str | None = None
    ) -> ProposalRecord:
        return self._ledger().propose(action, requester=user, channel=channel, thread_id=thread_id)

    def audit(self, *, proposal_id: str | None = None) -> list[AuditEntry]:
        return audit_entries(self._ledger().engine, proposal_id=proposal_id)

    def verify_audit(self) -> AuditVerification:
        return verify_audit(self._ledger().engine)

    def roles(self, user: str) -> frozenset[str]:
        return load_users(self.ws.root).roles(user)
