"""Block Kit for answers and proposals: figures, citations, Approve / Reject buttons."""

from __future__ import annotations

from typing import Any

from api.assistant import Answer, ProposalRecord

__all__ = ["APPROVE", "REJECT", "answer_blocks", "decided_blocks", "proposal_blocks"]

APPROVE = "wcm_approve"
REJECT = "wcm_reject"
_MAX_TEXT = 2900  # a section's text is limited to 3000 characters


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def _figure(f: dict[str, Any]) -> str:
    value = f.get("value")
    if isinstance(value, int | float) and f.get("unit") == "money":
        shown = _money(float(value), str(f.get("currency") or ""))
    elif isinstance(value, int | float) and f.get("unit") == "percent":
        shown = f"{value:.1f}%"
    else:
        shown = str(value)
    return f"*{f.get('label', f.get('key', ''))}*\n{shown}"


def proposal_blocks(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """A proposal with its Approve and Reject buttons (the value is the proposal id)."""
    pid = str(summary["proposal_id"])
    needed = summary.get("required_approvers", 1)
    text = (
        f"*Proposal {pid}*: {summary.get('title', '')}\n"
        f"{_money(float(summary.get('amount', 0)), str(summary.get('currency', '')))} · "
        f"needs {needed} approval(s) · requested by {summary.get('requester', '')}"
    )
    return [
        {
            "type": "section",
            "block_id": f"proposal:{pid}",
            "text": {"type": "mrkdwn", "text": text},
        },
        {
            "type": "actions",
            "block_id": f"decide:{pid}",
            "elements": [
                {
                    "type": "button",
                    "action_id": APPROVE,
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Approve"},
                    "value": pid,
                    "confirm": {
                        "title": {"type": "plain_text", "text": "Approve this proposal?"},
                        "text": {"type": "mrkdwn", "text": summary.get("title", pid)[:300]},
                        "confirm": {"type": "plain_text", "text": "Approve"},
                        "deny": {"type": "plain_text", "text": "Cancel"},
                    },
                },
                {
                    "type": "button",
                    "action_id": REJECT,
                    "style": "danger",
                    "text": {"type": "plain_text", "text": "Reject"},
                    "value": pid,
                },
            ],
        },
    ]


def answer_blocks(answer: Answer) -> list[dict[str, Any]]:
    """The answer's text, up to ten figures, its citations, then each proposal."""
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": answer.text[:_MAX_TEXT] or "…"}}
    ]
    if answer.figures:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": _figure(f)[:1900]} for f in answer.figures[:10]
                ],
            }
        )
    if answer.citations:
        cited = "; ".join(
            " · ".join(str(c[k]) for k in ("title", "section") if c.get(k))
            for c in answer.citations[:5]
        )
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"Sources: {cited}"[:2900]}],
            }
        )
    for summary in answer.proposals[:5]:
        blocks.extend(proposal_blocks(summary))
    return blocks


def decided_blocks(
    blocks: list[dict[str, Any]], record: ProposalRecord, *, by: str, decision: str
) -> list[dict[str, Any]]:
    """The message's blocks with the proposal's buttons replaced by its decision."""
    verb = "Approved" if decision == "approve" else "Rejected"
    note = f"{verb} by {by} · status *{record.status}*" + (
        f" · {record.missing_approvals} more approval(s) needed"
        if record.status == "pending"
        else ""
    )
    out = []
    for block in blocks:
        if block.get("block_id") == f"decide:{record.proposal_id}":
            if record.status == "pending":  # still open: keep the buttons for the next approver
                out.append(block)
            out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
        else:
            out.append(block)
    return out
