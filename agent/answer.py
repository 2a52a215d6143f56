"""Grounded answers: text composed from tool figures, with the structured parts beside it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agent.grounding import ungrounded_numbers
from agent.prompts import NO_RESULTS, PROPOSAL_NOTE, TOOL_FAILED, UNGROUNDED
from agent.results import ToolResult

__all__ = ["Answer", "compose_answer", "grounded_text"]


class Answer(BaseModel):
    """What every channel shows: the text and the data it rests on (the CLI's JSON)."""

    model_config = ConfigDict(frozen=True)

    answer: str
    language: str
    figures: list[dict[str, Any]] = Field(default_factory=list)
    citations: list[dict[str, Any]] = Field(default_factory=list)
    proposals: list[dict[str, Any]] = Field(default_factory=list)
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    charts: list[dict[str, Any]] = Field(default_factory=list)
    grounded: bool = True
    thread_id: str | None = None
    pending_approval: bool = False


def _figure_lines(results: list[ToolResult], language: str) -> list[str]:
    lines: list[str] = []
    for r in results:
        if not r.ok:
            lines.append(TOOL_FAILED[language].format(tool=r.name, error=r.error))
            continue
        lines.append(r.headline_zh if language == "zh" else r.headline)
        for f in r.figures:
            label = f.label_zh if language == "zh" else f.label
            lines.append(f"- {label}: {f.text()}")
        for c in r.citations:
            lines.append(
                f"- {c.get('citation') or c.get('title')}: \u201c{c.get('snippet', '')}\u201d"
            )
    return lines


def compose_answer(
    results: list[ToolResult],
    *,
    language: str,
    proposals: list[dict[str, Any]],
    message: str | None = None,
    draft: str | None = None,
) -> Answer:
    """The answer for one turn: the planner's draft when it is grounded, else the figures."""
    citations = [c for r in results for c in r.citations]
    cited = [str(c.get("snippet", "")) + " " + str(c.get("citation", "")) for c in citations]
    notes = [
        PROPOSAL_NOTE[language].format(
            title=p["title"], id=p["proposal_id"], n=p["required_approvers"]
        )
        for p in proposals
    ]
    grounded = True
    if draft:
        bad = ungrounded_numbers(draft, results, cited)
        if bad:
            grounded = False
            text = "\n".join([UNGROUNDED[language], *_figure_lines(results, language)])
        else:
            text = draft
    elif message:
        text = message
    else:
        lines = _figure_lines(results, language)
        text = "\n".join(lines) if lines else NO_RESULTS[language]
    text = "\n".join([text, *notes]) if notes else text
    return Answer(
        answer=text,
        language=language,
        figures=[{**f.model_dump(), "text": f.text()} for r in results for f in r.figures],
        citations=citations,
        proposals=proposals,
        tool_calls=[
            {"name": r.name, "args": r.args, "ok": r.ok, "call_id": r.call_id} for r in results
        ],
        charts=[{**c, "call_id": r.call_id} for r in results for c in r.charts],
        grounded=grounded,
    )


def grounded_text(answer: Answer, results: list[ToolResult]) -> list[str]:
    """Numbers in a final answer that nothing grounds (empty when the answer may be sent)."""
    cited = [str(c.get("snippet", "")) + " " + str(c.get("citation", "")) for c in answer.citations]
    extra = [
        str(p.get("title", "")) + " " + str(p.get("proposal_id", "")) for p in answer.proposals
    ]
    extra += [str(p.get("required_approvers", "")) for p in answer.proposals]
    return ungrounded_numbers(answer.answer, results, cited + extra)
