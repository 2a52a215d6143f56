"""Helpers every adapter shares: figures, the registry, 'not available' results."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from agent.results import Figure, ToolResult
from agent.session import ToolSession
from tools.errors import WcmError

__all__ = ["ADAPTERS", "Adapter", "adapter", "fig", "require", "run_adapter"]

Adapter = Callable[..., ToolResult]
ADAPTERS: dict[str, Adapter] = {}


class NotAvailable(Exception):
    """A tool whose package is not part of this installation."""


def adapter(name: str) -> Callable[[Adapter], Adapter]:
    def register(fn: Adapter) -> Adapter:
        ADAPTERS[name] = fn
        return fn

    return register


def require(module: str, *names: str) -> Any:
    """Import ``names`` from ``module`` lazily; a missing package makes the tool unavailable."""
    try:
        mod = importlib.import_module(module)
        found = [getattr(mod, n) for n in names]
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"{module}: {exc}") from None
    return found[0] if len(found) == 1 else tuple(found)


def fig(
    key: str,
    label: str,
    label_zh: str,
    value: float | str | None,
    unit: str,
    currency: str | None = None,
) -> Figure | None:
    if value is None:
        return None
    if not isinstance(value, str):
        value = round(float(value), 4)
    return Figure(
        key=key,
        label=label,
        label_zh=label_zh,
        value=value,
        unit=unit,
        currency=currency,
    )


def run_adapter(name: str, args: dict[str, Any], session: ToolSession, call_id: str) -> ToolResult:
    """Call one adapter; product errors and missing packages become error results."""
    started = time.perf_counter()
    fn = ADAPTERS.get(name)
    try:
        if fn is None:
            raise NotAvailable(name)
        result = fn(session, **args)
    except NotAvailable:
        return ToolResult(
            call_id=call_id,
            name=name,
            args=args,
            ok=False,
            error=f"{name} is not available in this installation",
            seconds=time.perf_counter() - started,
        )
    except (WcmError, ValueError, KeyError) as exc:
        return ToolResult(
            call_id=call_id,
            name=name,
            args=args,
            ok=False,
            error=str(exc),
            seconds=time.perf_counter() - started,
        )
    except Exception as exc:  # a tool's own defect must not end the conversation
        return ToolResult(
            call_id=call_id,
            name=name,
            args=args,
            ok=False,
            error=f"{name} failed ({type(exc).__name__}): {exc}",
            seconds=time.perf_counter() - started,
        )
    figures = tuple(
        f.model_copy(update={"call_id": call_id, "tool": name})
        for f in result.figures
        if f is not None
    )
    return result.model_copy(
        update={
            "call_id": call_id,
            "name": name,
            "args": args,
            "figures": figures,
            "seconds": time.perf_counter() - started,
        }
    )
