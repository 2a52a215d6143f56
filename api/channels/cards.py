"""Adaptive Cards for proposals (Teams): everyone sees the facts; the refresh action
shows the Approve / Reject buttons only to the approvers listed in ``refresh.userIds``."""

from __future__ import annotations

from typing import Any

from api.assistant import Answer, ProposalRecord

__all__ = ["answer_card", "proposal_card"]

_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def _facts(record: ProposalRecord) -> list[dict[str, str]]:
    a = record.action
    return [
        {"title": "Amount", "value": f"{a.amount:,.2f} {a.currency}"},
        {"title": "Entity", "value": a.entity_id},
        {"title": "Requested by", "value": record.requester},
        {"title": "Status", "value": record.status},
        {"title": "Approvals", "value": f"{len(record.approvers)} of {record.required_approvers}"},
    ]


def proposal_card(
    record: ProposalRecord,
    *,
    buttons: bool,
    approver_ids: list[str],
    note: str | None = None,
) -> dict[str, Any]:
    """The card of a proposal; ``buttons`` for the approver's refreshed view."""
    pid = record.proposal_id
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": f"Proposal {pid}", "weight": "Bolder", "size": "Medium"},
        {"type": "TextBlock", "text": record.action.title, "wrap": True},
        {"type": "FactSet", "facts": _facts(record)},
    ]
    if note:
        body.append({"type": "TextBlock", "text": note, "wrap": True, "isSubtle": True})
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": _SCHEMA,
        "version": "1.4",
        "body": body,
    }
    if record.status == "pending":
        card["refresh"] = {
            "action": {
                "type": "Action.Execute",
                "title": "Refresh",
                "verb": "refreshCard",
                "data": {"proposal_id": pid},
            },
            "userIds": approver_ids,
        }
        if buttons:
            card["actions"] = [
                {
                    "type": "Action.Execute",
                    "title": verb.capitalize(),
                    "verb": verb,
                    "data": {"proposal_id": pid},
                    "style": style,
                }
                for verb, style in (("approve", "positive"), ("reject", "destructive"))
            ]
    return card


def answer_card(answer: Answer) -> dict[str, Any]:
    """An answer with its figures and citations."""
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": answer.text or "…", "wrap": True}]
    if answer.figures:
        body.append(
            {
                "type": "FactSet",
                "facts": [
                    {"title": str(f.get("label", f.get("key", ""))), "value": str(f.get("value"))}
                    for f in answer.figures[:10]
                ],
            }
        )
    if answer.citations:
        cited = "; ".join(
            " · ".join(str(c[k]) for k in ("title", "section") if c.get(k))
            for c in answer.citations[:5]
        )
        body.append(
            {"type": "TextBlock", "text": f"Sources: {cited}", "wrap": True, "isSubtle": True}
        )
    return {"type": "AdaptiveCard", "$schema": _SCHEMA, "version": "1.4", "body": body}
