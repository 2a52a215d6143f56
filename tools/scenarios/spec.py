"""Scenario specifications: what-if changes to a cash outlook, as validated data.

A ``Scenario`` is a name, a severity and one or more parts applied in order. Days count
from the first day of the outlook (0 = the day after ``as_of``); percentages are signed
changes (-15 = fifteen percent less).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from tools.forecasting.outlook import FLOW_CATEGORIES

__all__ = [
    "DEFAULT_ORDER_ELASTICITY",
    "CreditCut",
    "FlowShock",
    "FxShock",
    "LatePayment",
    "Prepayment",
    "RevenueShock",
    "Scenario",
    "ScenarioSpec",
    "TermsChange",
]

# Share of a customer's orders lost per day its payment terms are shortened. Trade-credit
# studies find demand for credit-sensitive B2B buyers falls by a fraction of a percent to
# about one percent per day of terms withdrawn; one percent is the cautious end.
DEFAULT_ORDER_ELASTICITY = 0.01
Category = Literal[*FLOW_CATEGORIES]  # type: ignore[valid-type]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FlowShock(_Spec):
    """Scale one flow category by ``pct`` in a window; weekly and daily patterns are kept
    because every path and day in the window is multiplied by the same factor. Scheduled
    bills (already received, in ``CashOutlook.scheduled``) keep their amounts."""

    kind: Literal["flow_shock"] = "flow_shock"
    category: Category
    pct: float = Field(ge=-100, le=500)
    start_day: int = Field(default=0, ge=0)
    days: int | None = Field(default=None, ge=1, description="None: to the end of the horizon")
    entity: str | None = None
    currency: str | None = None


class RevenueShock(_Spec):
    """Sales change by ``pct`` from ``start_day`` for ``days``; receipts follow with the
    collection lag (each day's receipts come evenly from the sales of the last
    ``lag_days`` days), and supplier payments follow by ``cost_share`` of the change."""

    kind: Literal["revenue"] = "revenue"
    pct: float = Field(ge=-100, le=500)
    start_day: int = Field(default=0, ge=0)
    days: int | None = Field(default=None, ge=1)
    lag_days: int = Field(default=30, ge=1, le=180)
    cost_share: float = Field(default=0.0, ge=0, le=1)
    entity: str | None = None


class LatePayment(_Spec):
    """A customer pays ``days`` later than expected (needs expected receipts per customer)."""

    kind: Literal["late_payment"] = "late_payment"
    customer_id: str
    days: int = Field(ge=1, le=365)


class Prepayment(_Spec):
    """A supplier wants its open bills paid ``days`` earlier, or at once when ``days`` is None."""

    kind: Literal["prepayment"] = "prepayment"
    supplier_id: str
    days: int | None = Field(default=None, ge=1, le=365)


class FxShock(_Spec):
    """A currency moves ``pct`` against the reporting currency (``None``: every other one)."""

    kind: Literal["fx"] = "fx"
    pct: float = Field(gt=-100, le=200)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")


class CreditCut(_Spec):
    """Undrawn committed credit cut by ``pct`` percent (of one entity, or everywhere)."""

    kind: Literal["credit_cut"] = "credit_cut"
    pct: float = Field(ge=0, le=100)
    entity: str | None = None


class TermsChange(_Spec):
    """A customer's terms are shortened by ``days``: its new invoices are paid that much
    sooner, and it orders ``elasticity`` x ``days`` less (capped at 90 %)."""

    kind: Literal["terms_change"] = "terms_change"
    customer_id: str
    days: int = Field(ge=1, le=120)
    current_days: int = Field(default=45, ge=1, le=365, description="Days it pays after invoicing")
    elasticity: float = Field(default=DEFAULT_ORDER_ELASTICITY, ge=0, le=0.1)


ScenarioSpec = Annotated[
    FlowShock | RevenueShock | LatePayment | Prepayment | FxShock | CreditCut | TermsChange,
    Field(discriminator="kind"),
]


class Scenario(_Spec):
    """A named what-if: its parts are applied to the outlook one after the other."""

    name: str
    severity: Literal["baseline", "moderate", "severe"] = "moderate"
    parts: tuple[ScenarioSpec, ...] = ()
    text: str | None = Field(default=None, description="The words it was parsed from")
