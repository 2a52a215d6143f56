"""The graph's state: one thread's turns and the current turn's plan, results and proposals.

Values are plain JSON-able dicts so checkpoints stay readable and portable between
SQLite and Postgres. ``history`` accumulates across turns (reducer: list concatenation);
every other field belongs to the current turn and is reset by ``guard_input``.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

__all__ = ["AgentState"]


class AgentState(TypedDict, total=False):
    question: str
    user: str
    language: str
    flags: list[str]
    history: Annotated[list[dict[str, Any]], operator.add]
    plan: dict[str, Any] | None
    steps: int
    results: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
    executions: list[dict[str, Any]]
    answer: dict[str, Any] | None
