"""The decision ledger's searchable side: record, find with citations, add the outcome."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge import (
    DecisionRecord,
    KnowledgeStore,
    SearchFilters,
    get_decision,
    record_decision,
    search,
    update_outcome,
)
from tools.errors import DataError, WcmError

DECISIONS = SearchFilters(collections=("decisions",))


def _draw() -> DecisionRecord:
    return DecisionRecord(
        decision_id="D-TEST-001",
        title="Draw USD 1,500,000 on the revolver before the tax date",
        action="credit_line_draw",
        entity="US01",
        amount=1_500_000,
        currency="USD",
        requested_by="analyst",
        requested_at=date(2025, 9, 10),
        decided_at=date(2025, 9, 11),
        decision="approved",
        approvers=("treasurer", "cfo"),
        context="Forecast showed a 34% chance of breaching the floor in the tax week.",
        rationale="Collections could not close the gap in time.",
        policy_refs=("treasury-policy",),
    )


def test_record_search_and_update_outcome(store: KnowledgeStore) -> None:
    record_decision(store, _draw())
    hit = search(
        store, "did we borrow on the revolver before a tax payment", filters=DECISIONS
    ).hits[0]
    assert hit.doc_id == "decision-D-TEST-001" and hit.collection == "decisions"
    assert hit.effective_date == "2025-09-11" and hit.section == "D-TEST-001"
    assert "Approvers: treasurer, cfo." in hit.text and "credit line draw" in hit.text
    assert not hit.suspicious  # action codes are written out in words, not as tool names

    updated = update_outcome(
        store,
        "D-TEST-001",
        "Repaid in full after three weeks.",
        outcome_at=date(2025, 10, 2),
        rating="as_expected",
    )
    assert updated.outcome == "Repaid in full after three weeks."
    assert get_decision(store, "D-TEST-001") == updated
    texts = [h.text for h in search(store, "repaid in full", filters=DECISIONS).hits]
    assert any("Outcome (2025-10-02) [as expected]: Repaid in full" in t for t in texts)
    assert store.count(["decisions"]) == 1  # replaced, not duplicated


def test_recording_an_unchanged_decision_is_a_no_op(store: KnowledgeStore) -> None:
    record_decision(store, _draw().model_copy(update={"decision_id": "D-TEST-002"}))
    before = store.revision(["decisions"])
    record_decision(store, _draw().model_copy(update={"decision_id": "D-TEST-002"}))
    assert store.revision(["decisions"]) == before


def test_bad_records_and_unknown_ids_are_refused(store: KnowledgeStore) -> None:
    with pytest.raises(DataError) as err:
        record_decision(store, {"decision_id": "D 1", "title": "x", "action": "payment_run"})
    assert err.value.problems[0].column == "decision_id"
    with pytest.raises(WcmError, match="no decision 'D-NOPE'"):
        update_outcome(store, "D-NOPE", "anything")
