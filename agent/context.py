"""Run-time knobs and services a graph run needs; not checkpointed."""

from __future__ import annotations

from dataclasses import dataclass

from agent.ledger import Executor, Ledger
from agent.planner.base import Planner
from agent.session import ToolSession

__all__ = ["Context"]


@dataclass
class Context:
    """Who asks, through which channel, with which planner, against which workspace."""

    session: ToolSession
    planner: Planner
    ledger: Ledger
    executor: Executor
    thread_id: str
    user: str = "unknown"
    channel: str = "cli"
    max_steps: int = 3
