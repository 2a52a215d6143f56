"""The decision ledger's searchable side: each proposal with its context, rationale,
approvers, decision and later outcome, so the assistant can cite what was done before.

The executing ledger (approvals, exactly-once execution, audit chain) lives with the
agent; this module keeps a readable copy of each decision in the ``decisions``
collection, one chunk per decision, replaced whenever the record changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from knowledge.safety import suspicious_reasons
from knowledge.store import FOREVER, KnowledgeStore
from tools.errors import DataError, Problem, WcmError

__all__ = [
    "DecisionRecord",
    "get_decision",
    "load_decisions",
    "record_decision",
    "update_outcome",
]

COLLECTION = "decisions"
Outcome = Literal["better", "as_expected", "worse"]


class DecisionRecord(BaseModel):
    """One decision on a proposed action, as finance staff would write it up."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision_id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9._:-]+$")
    title: str = Field(min_length=1)
    action: str = Field(description="Action type, e.g. payment_run, credit_line_draw")
    entity: str = "group"
    amount: float | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    requested_by: str = ""
    requested_at: date | None = None
    decided_at: date | None = None
    decision: Literal["pending", "approved", "rejected", "withdrawn", "executed"] = "pending"
    approvers: tuple[str, ...] = ()
    context: str = ""
    rationale: str = ""
    policy_refs: tuple[str, ...] = ()
    proposal_id: str | None = Field(default=None, description="Id in the approval ledger")
    outcome: str | None = None
    outcome_at: date | None = None
    outcome_rating: Outcome | None = None

    def text(self) -> str:
        """The record as prose for search (action codes spelled out in words)."""
        money = f"{self.amount:,.0f} {self.currency or ''}".strip() if self.amount else ""
        head = f"Decision {self.decision_id}: {self.decision}"
        if self.decided_at:
            head += f" on {self.decided_at.isoformat()}"
        lines = [
            f"{head}. Action: {self.action.replace('_', ' ')} for {self.entity}"
            + (f", {money}." if money else "."),
            f"Requested by {self.requested_by or 'unknown'}"
            + (f" on {self.requested_at.isoformat()}." if self.requested_at else "."),
            f"Approvers: {', '.join(self.approvers) if self.approvers else 'none'}.",
        ]
        if self.context:
            lines.append(f"Context: {self.context}")
        if self.rationale:
            lines.append(f"Rationale: {self.rationale}")
        if self.policy_refs:
            lines.append(f"Policies cited: {', '.join(self.policy_refs)}.")
        if self.outcome:
            when = f" ({self.outcome_at.isoformat()})" if self.outcome_at else ""
            rating = f" [{self.outcome_rating.replace('_', ' ')}]" if self.outcome_rating else ""
            lines.append(f"Outcome{when}{rating}: {self.outcome}")
        return "\n".join(lines)


def _chunk_id(decision_id: str) -> str:
    return f"decision-{decision_id}@1#000"


def record_decision(
    store: KnowledgeStore, record: DecisionRecord | Mapping[str, Any]
) -> DecisionRecord:
    """Store (or replace) one decision so searches and citations can find it; recording
    an unchanged record again is a no-op.

    Raises:
        DataError: the record's fields are invalid (each problem names the field).
    """
    rec = record if isinstance(record, DecisionRecord) else _validate(dict(record), "decision")
    if get_decision(store, rec.decision_id) == rec:
        return rec  # already stored as it is: recording again changes nothing
    title = rec.title
    body = rec.text()
    text = f"{title}\n{body}"
    reasons = suspicious_reasons(text)
    day = rec.decided_at or rec.requested_at
    store.add_chunks(
        COLLECTION,
        [_chunk_id(rec.decision_id)],
        [text],
        [
            {
                "doc_id": f"decision-{rec.decision_id}",
                "title": title,
                "collection": COLLECTION,
                "doc_type": "decision",
                "source": "decision ledger",
                "source_path": "",
                "section": rec.decision_id,
                "chunk_index": 0,
                "header_chars": len(title) + 1,
                "version": "1",
                "effective_date": day.isoformat() if day else "",
                "effective_int": int(day.strftime("%Y%m%d")) if day else 0,
                "superseded_int": FOREVER,
                "is_current": True,
                "owner": rec.requested_by,
                "content_hash": "",
                "suspicious": bool(reasons),
                "suspicious_reasons": ",".join(reasons),
                "decision_id": rec.decision_id,
                "action": rec.action,
                "entity": rec.entity,
                "decision": rec.decision,
                "has_outcome": rec.outcome is not None,
                "record_json": rec.model_dump_json(),
            }
        ],
    )
    return rec


def get_decision(store: KnowledgeStore, decision_id: str) -> DecisionRecord | None:
    """The stored record of ``decision_id``, or None."""
    got = store.collection(COLLECTION).get(ids=[_chunk_id(decision_id)], include=["metadatas"])
    metas = got["metadatas"] or []
    if not metas:
        return None
    return DecisionRecord.model_validate_json(str(metas[0]["record_json"]))


def update_outcome(
    store: KnowledgeStore,
    decision_id: str,
    outcome: str,
    *,
    outcome_at: date | None = None,
    rating: Outcome | None = None,
) -> DecisionRecord:
    """Add what happened after a decision (the record is replaced, its id kept).

    Raises:
        WcmError: no decision with that id is stored.
    """
    current = get_decision(store, decision_id)
    if current is None:
        raise WcmError(
            f"no decision {decision_id!r} in the knowledge base; record it with "
            "record_decision first"
        )
    updated = current.model_copy(
        update={"outcome": outcome, "outcome_at": outcome_at, "outcome_rating": rating}
    )
    return record_decision(store, DecisionRecord.model_validate(updated.model_dump()))


def _validate(data: dict[str, Any], file: str) -> DecisionRecord:
    try:
        return DecisionRecord.model_validate(data)
    except ValidationError as exc:
        raise DataError(
            [
                Problem(
                    file=file,
                    column=".".join(str(p) for p in err["loc"]) or None,
                    message=err["msg"],
                    value=None if err.get("input") is None else str(err["input"])[:80],
                )
                for err in exc.errors()
            ]
        ) from None


def load_decisions(path: Path) -> list[DecisionRecord]:
    """Decision records from a YAML or JSON list.

    Raises:
        DataError: the file is not a list of valid records.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError([Problem(file=str(path), message=f"not readable: {exc}")]) from None
    if not isinstance(data, list):
        raise DataError(
            [Problem(file=str(path), message="expected a list of decisions", expected="- ...")]
        )
    return [_validate(item, f"{path}[{i}]") for i, item in enumerate(data)]
