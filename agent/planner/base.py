"""The planner interface both implementations (offline, openai) fulfil."""

from __future__ import annotations

import re
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from agent.results import ToolResult

__all__ = ["Plan", "PlannedCall", "Planner", "Turn", "detect_language"]

_CJK = re.compile(r"[\u4e00-\u9fff]")


def detect_language(text: str) -> Literal["en", "zh"]:
    """``zh`` when the text contains Chinese characters, else ``en``."""
    return "zh" if _CJK.search(text) else "en"


class PlannedCall(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


class Turn(BaseModel):
    """What a thread remembers of an earlier turn (for follow-ups)."""

    model_config = ConfigDict(frozen=True)

    question: str
    language: str
    calls: tuple[PlannedCall, ...] = ()


class Plan(BaseModel):
    """The planner's decision: call tools, answer (after tools), ask back, or decline."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["tools", "answer", "clarify", "decline"]
    calls: tuple[PlannedCall, ...] = ()
    message: str | None = None
    reason: str | None = None


class Planner(Protocol):
    name: str

    def plan(
        self,
        question: str,
        *,
        language: str,
        history: list[Turn],
        results: list[ToolResult],
    ) -> Plan:
        """The next step for ``question`` given earlier turns and this turn's results."""
        ...
