"""A scripted stand-in for the agent's question answering, on the real ledger.

Only ``ask`` is scripted (the planner is the agent's); proposals, approvals, execution and
the audit log go through the agent's real ledger and executor in the workspace database.
"""

from __future__ import annotations

import hashlib
import re
import threading
from datetime import date
from typing import Any

from agent.ledger import Executor, Ledger
from api.assistant import Answer, Decision, DecisionKind, WorkspaceAssistant, chart_ref
from tools.domain.proposals import ActionItem, ProposedAction
from tools.workspace import Workspace

ROLES = {
    "ann": ["analyst"],
    "amy": ["analyst"],
    "bob": ["approver"],
    "cat": ["approver"],
    "dan": ["admin"],
    "vic": ["viewer"],
}
KEYS = {f"key-{name}": name for name in ROLES}


def payment(amount: float, ref: str) -> ProposedAction:
    return ProposedAction(
        action="payment_run",
        title=f"Pay {ref} early for the 2% discount",
        entity_id="US01",
        currency="USD",
        amount=amount,
        amount_reporting=amount,
        value=round(amount * 0.02, 2),
        rationale=f"2/10 net 30 on {ref}",
        items=(
            ActionItem(ref=ref, counterparty="Acme Supplies", amount=amount, date=date(2026, 7, 3)),
        ),
        source="optimize_payments",
        as_of=date(2026, 6, 30),
    )


class ScriptedAssistant(WorkspaceAssistant):
    """Answers 'pay N' with a payment-run proposal, anything else with a cash figure."""

    def __init__(self, ws: Workspace) -> None:
        super().__init__(ws)
        self.executions: list[str] = []  # proposal ids, once per real run
        self._lock = threading.Lock()

    def ask(self, question: str, *, user: str, thread_id: str, channel: str) -> Answer:
        chart = chart_ref(
            {
                "kind": "pareto",
                "title": "Trade-off",
                "points": [
                    {"value": 1.0, "buffer": 3.0, "chosen": False},
                    {"value": 2.0, "buffer": 2.0, "chosen": True},
                ],
            }
        )
        self.remember_chart(chart)
        found = re.search(r"pay\s+([\d,]+)", question, re.IGNORECASE)
        proposals: list[dict[str, Any]] = []
        if found:
            amount = float(found.group(1).replace(",", ""))
            ref = "B-" + hashlib.sha256(f"{thread_id}:{question}".encode()).hexdigest()[:8]
            record = self.propose(
                payment(amount, ref), user=user, channel=channel, thread_id=thread_id
            )
            proposals.append(record.summary())
            pid = record.proposal_id
            text = f"I propose paying {amount:,.0f} USD early; it needs approval ({pid})."
        else:
            text = "Expected cash in 13 weeks is 1,234,567 USD, above the 500,000 USD floor."
        return Answer(
            thread_id=thread_id,
            text=text,
            figures=[
                {
                    "key": "closing",
                    "label": "Expected closing cash",
                    "value": 1234567.0,
                    "unit": "money",
                    "currency": "USD",
                }
            ],
            citations=[
                {
                    "title": "Treasury policy",
                    "section": "4.2 Minimum cash",
                    "snippet": "500,000 USD",
                }
            ],
            proposals=proposals,
            charts=[chart],
            tool_calls=[{"name": "forecast_cash", "args": {"horizon_days": 91}}],
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
        """The ledger decides; a complete approval runs the executor (exactly once)."""
        ledger = Ledger.for_workspace(self.ws)
        if decision == "reject":
            return Decision(
                proposal=ledger.reject(proposal_id, user, channel=channel, reason=reason)
            )
        record = ledger.approve(proposal_id, user, channel=channel, reason=reason)
        execution = None
        if record.status == "approved":
            execution = Executor(ledger, self._render).execute(
                proposal_id, actor=user, channel=channel
            )
        return Decision(proposal=ledger.get(proposal_id), execution=execution)

    def _render(self, record: Any) -> list[dict[str, Any]]:
        with self._lock:
            self.executions.append(record.proposal_id)
        return [{"path": f"outbox/{record.proposal_id}.xml", "sha256": record.action_hash}]
