"""Proposed actions: what a tool recommends, in a shape the approval flow can route.

A tool never executes anything. It returns ``ProposedAction`` values; the agent stores
them in the ledger, checks them against the policy's approval matrix (by ``action`` and
``amount_reporting``) and executes them only after the required approvals.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from tools.domain.policy import ACTION_TYPES

__all__ = ["ActionItem", "ProposedAction"]

ActionType = Literal[
    "payment_run",
    "credit_limit_change",
    "investment_order",
    "dunning_campaign",
    "purchase_plan_change",
    "discount_offer",
    "credit_line_draw",
    "report_distribution",
]
assert set(ActionType.__args__) == set(ACTION_TYPES)  # type: ignore[attr-defined]


class ActionItem(BaseModel):
    """One line of an action: a bill to pay, a customer to call, a deposit to place."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ref: str = Field(description="Bill, invoice, customer, SKU or instrument the line is about")
    counterparty: str | None = None
    amount: float = Field(description="In the action's currency; payments are positive")
    date: dt.date | None = Field(default=None, description="Execution or value date")
    details: dict[str, Any] = Field(default_factory=dict)


class ProposedAction(BaseModel):
    """A recommendation ready for the approval flow."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: ActionType
    title: str = Field(description="One line a person approves, e.g. 'Pay 14 bills early ...'")
    entity_id: str
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    amount: float = Field(ge=0, description="Total in the action's currency")
    amount_reporting: float = Field(ge=0, description="Total in the reporting currency")
    value: float = Field(
        default=0, description="Expected value created, reporting currency (saving or yield)"
    )
    rationale: str = Field(description="Why, with the numbers that justify it")
    items: tuple[ActionItem, ...] = ()
    source: str = Field(description="Tool that produced it, e.g. optimize_payments")
    as_of: date
    evidence: dict[str, Any] = Field(
        default_factory=dict, description="Figures the rationale cites (for grounding)"
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fingerprint(self) -> str:
        """Stable id of the action's content: the same recommendation twice is one proposal."""
        body = {
            "action": self.action,
            "entity_id": self.entity_id,
            "currency": self.currency,
            "as_of": self.as_of.isoformat(),
            "items": [i.model_dump(mode="json") for i in self.items],
        }
        raw = json.dumps(body, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()[:24]
