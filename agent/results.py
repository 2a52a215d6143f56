"""What a tool call hands back to the graph: a compact, citable result.

Tools return large frames and sample paths; the agent keeps the figures an answer may
quote (each with the call it came from), the proposals, citations and chart specs, and
a small ``data`` digest for the planner. The grounding check reads exactly these.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Figure", "ToolResult", "fmt_value"]

Unit = Literal["money", "days", "percent", "date", "count", "ratio", "text"]


class Figure(BaseModel):
    """One number an answer may state, with its unit and where it came from."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    label_zh: str
    value: float | str
    unit: Unit
    currency: str | None = None
    call_id: str = ""
    tool: str = ""

    def text(self) -> str:
        return fmt_value(self.value, self.unit, self.currency)


def fmt_value(value: float | str, unit: str, currency: str | None = None) -> str:
    """How an answer writes a figure: grouped thousands, units, currency codes."""
    if isinstance(value, str):
        return value
    if unit == "money":
        return f"{value:,.0f} {currency or ''}".strip()
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "days":
        return f"{value:.1f} days"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


class ToolResult(BaseModel):
    """One tool call's outcome as the graph stores it."""

    model_config = ConfigDict(frozen=True)

    call_id: str
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    error: str | None = None
    headline: str = ""
    headline_zh: str = ""
    figures: tuple[Figure, ...] = ()
    data: dict[str, Any] = Field(default_factory=dict)
    proposals: tuple[dict[str, Any], ...] = ()
    citations: tuple[dict[str, Any], ...] = ()
    charts: tuple[dict[str, Any], ...] = ()
    seconds: float = 0.0

    def for_model(self) -> dict[str, Any]:
        """The digest a language model sees (figures and data, no bulky frames)."""
        return {
            "ok": self.ok,
            "error": self.error,
            "headline": self.headline,
            "figures": [
                {
                    "key": f.key,
                    "label": f.label,
                    "value": f.value,
                    "unit": f.unit,
                    "currency": f.currency,
                }
                for f in self.figures
            ],
            "data": self.data,
            "proposals": [
                {k: p.get(k) for k in ("title", "action", "amount", "currency", "value")}
                for p in self.proposals
            ],
            "citations": [
                {k: c.get(k) for k in ("title", "section", "snippet")} for c in self.citations
            ],
        }
