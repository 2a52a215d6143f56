"""The conversation an OpenAI-compatible model sees for one planning step.

System prompt (with the workspace and the question's language), earlier turns of the
thread, the question, then this turn's tool calls and their results as assistant
``tool_calls`` / ``tool`` message pairs whose ids match.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from agent.planner.base import Turn
from agent.planner.openai_tools import result_content
from agent.prompts import EARLIER_TURN, LANGUAGE_NOTE, SYSTEM_PROMPT, WORKSPACE_NOTE
from agent.results import ToolResult

__all__ = ["MAX_HISTORY", "build_messages", "speaks", "workspace_note"]

MAX_HISTORY = 6
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def workspace_note(name: str, currency: str, entities: Any = None) -> str:
    """One line telling the model which company and entities the tools see."""
    listed = "none imported"
    if entities is not None and len(entities):
        listed = ", ".join(
            f"{row.entity_id} ({row.name}, {row.base_currency})"
            for row in entities.head(20).itertuples()
        )
    return WORKSPACE_NOTE.format(name=name, currency=currency, entities=listed)


def _call_text(turn: Turn) -> str:
    calls = [
        f"{c.name}({json.dumps(c.args, ensure_ascii=False, separators=(',', ':'))})"
        for c in turn.calls
    ]
    return EARLIER_TURN.format(calls="; ".join(calls) or "no tool")


def build_messages(
    question: str,
    *,
    language: str,
    history: list[Turn],
    results: list[ToolResult],
    note: str = "",
) -> list[BaseMessage]:
    """Messages for one ``chat.completions`` request."""
    system = "\n\n".join(x for x in (SYSTEM_PROMPT, note, LANGUAGE_NOTE[language]) if x)
    messages: list[BaseMessage] = [SystemMessage(system)]
    for turn in history[-MAX_HISTORY:]:
        messages += [HumanMessage(turn.question), AIMessage(_call_text(turn))]
    messages.append(HumanMessage(question))
    if results:
        messages.append(
            AIMessage(
                "",
                tool_calls=[
                    {"id": r.call_id, "name": r.name, "args": dict(r.args), "type": "tool_call"}
                    for r in results
                ],
            )
        )
        messages += [
            ToolMessage(result_content(r), tool_call_id=r.call_id, name=r.name) for r in results
        ]
    return messages


def speaks(text: str, language: str) -> bool:
    """Whether ``text`` is written in ``language`` (ids, codes and units may be Latin)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if language == "zh":
        return cjk > 0 and 5 * cjk >= latin  # a character carries about a word
    return cjk <= latin
