"""Thin adapters from the tool catalog to ``tools.*`` and ``knowledge``: call, digest, cite."""

from agent.adapters import analysis, plans, report  # noqa: F401  (register the adapters)
from agent.adapters.common import ADAPTERS, run_adapter

__all__ = ["ADAPTERS", "run_adapter"]
