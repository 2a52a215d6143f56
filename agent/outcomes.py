"""Close the loop on executed proposals: their realised outcome goes to the ledger and the
knowledge base, so later answers can cite what a similar decision actually achieved."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from agent.ledger import Executor, Ledger
from knowledge import KnowledgeStore, get_decision, record_decision, update_outcome
from tools.monitoring.outcome_store import record_outcomes
from tools.monitoring.outcomes import ExecutedDecision, OutcomeReport, outcomes
from tools.settings import Settings
from tools.workspace import Workspace

__all__ = ["executed_decisions", "follow_up_decisions", "follow_up_workspace"]


def follow_up_workspace(ws: Workspace, settings: Settings, *, as_of: date) -> OutcomeReport:
    """Measure and record the outcome of every decision executed in the workspace."""
    ledger = Ledger.for_workspace(ws)
    decisions = executed_decisions(ledger, Executor(ledger, render=lambda _record: ()))
    store = None
    if decisions:
        store = KnowledgeStore.open(settings.model_copy(update={"workspace": ws.root}))
    return follow_up_decisions(decisions, ws.read_all(), ledger=ledger, store=store, as_of=as_of)


def executed_decisions(ledger: Ledger, executor: Executor) -> list[ExecutedDecision]:
    """Every proposal the executor carried out, with who asked and who approved."""
    done = []
    for record in ledger.list(status="executed", limit=100_000):
        run = executor.get(record.proposal_id)
        if run is None or run.status != "done":
            continue
        done.append(
            ExecutedDecision(
                proposal_id=record.proposal_id,
                action=record.action,
                executed_on=(run.finished_at or run.claimed_at).date(),
                requester=record.requester,
                approvers=record.approvers,
            )
        )
    return done


def follow_up_decisions(
    decisions: list[ExecutedDecision],
    tables: Mapping[str, pd.DataFrame],
    *,
    ledger: Ledger,
    store: KnowledgeStore | None,
    as_of: date,
) -> OutcomeReport:
    """Measure each decision's outcome on the data known at ``as_of`` and record it.

    Outcomes are stored in the ledger database (replacing an earlier measurement); realised
    ones are also written to the decision's entry in the knowledge base, created when the
    decision is not there yet.
    """
    report = outcomes(decisions, dict(tables), as_of=as_of)
    record_outcomes(ledger.engine, report)
    if store is None:
        return report
    for outcome, decision in zip(report.outcomes, decisions, strict=True):
        if outcome.status != "realised":
            continue
        if get_decision(store, outcome.proposal_id) is None:
            record_decision(
                store,
                {
                    "decision_id": outcome.proposal_id,
                    "title": decision.action.title,
                    "action": decision.action.action,
                    "decision": "executed",
                    "proposal_id": outcome.proposal_id,
                    "requested_by": decision.requester,
                    "approvers": decision.approvers,
                },
            )
        update_outcome(store, outcome.proposal_id, **outcome.knowledge_update(report.as_of))
    return report
