"""Result models of the liquidity-risk engine: frozen, JSON-ready, carrying their provenance."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BillAtRisk",
    "BindingConstraint",
    "Driver",
    "LiquidityRisk",
    "ScopeLevel",
    "ScopeRisk",
]

ScopeLevel = Literal["position", "entity", "group"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Driver(_Frozen):
    """How much one flow category moves the balance on the bad paths, against all paths.

    ``contribution`` < 0 means the category is lower (less cash in or more cash out) on the
    paths that end up short than on average: it drives the shortfall.
    """

    category: str
    mean_all: float = Field(description="Cumulative flow to the reference day, mean of all paths")
    mean_tail: float = Field(description="Same, mean over the tail (breaching or worst) paths")
    contribution: float = Field(description="mean_tail - mean_all, scope currency")
    share: float | None = Field(
        description="Share of the tail's total shortfall against the mean path (0..1)"
    )


class BillAtRisk(_Frozen):
    """A scheduled supplier bill due on or before the reference day."""

    key: str
    item_id: str
    counterparty_id: str
    due_date: date
    amount: float = Field(description="Negative: cash out, in the position's currency")
    amount_scope: float = Field(description="In the scope's currency")
    critical: bool


class ScopeRisk(_Frozen):
    """Liquidity risk of one scope: a cash position, an entity or the group.

    Balances and floors are in ``currency``: the position's own currency, the reporting
    currency for entities and the group. "With credit" means drawing every available
    committed facility of the scope as needed.
    """

    scope: str
    level: ScopeLevel
    currency: str
    keys: tuple[str, ...] = Field(description="Cash positions the scope sums")
    opening: float
    minimum: float
    credit_available: float
    breach_probability: tuple[float, ...] = Field(
        description="Per day: share of paths ending the day below the minimum (no drawing)"
    )
    breach_probability_with_credit: tuple[float, ...]
    cumulative_breach_probability: tuple[float, ...] = Field(
        description="Per day: share of paths that fell below the minimum on or before the day"
    )
    max_breach_probability: float
    horizon_breach_probability: float = Field(description="P(any breach within the horizon)")
    horizon_breach_probability_with_credit: float
    first_breach_date: date | None = Field(
        description="First day the breach probability exceeds the warning threshold"
    )
    first_breach_date_with_credit: date | None
    expected_shortfall: float = Field(
        description="Mean over paths of the worst shortfall below the minimum (0 when none)"
    )
    shortfall_given_breach: float | None
    shortfall_q95: float = Field(description="95th percentile of the worst shortfall")
    cash_flow_at_risk: float = Field(
        description="95 % CFaR: expected horizon net flow minus its 5 % quantile"
    )
    expected_net_flow: float
    min_balance_q05: float = Field(description="Lowest value of the daily 5 % balance quantile")
    min_balance_q05_date: date
    balance_q05: tuple[float, ...]
    balance_q50: tuple[float, ...]
    reference_date: date = Field(description="Day the drivers and bills are measured up to")
    tail: Literal["breaching", "worst_5pct"]
    tail_paths: int
    drivers: tuple[Driver, ...]
    largest_bills: tuple[BillAtRisk, ...]
    counterparties: tuple[dict[str, Any], ...] = Field(
        default=(),
        description="The forecast's own drivers for the scope (largest expected customer "
        "payments, known flows, bills) dated on or before the reference day",
    )


class BindingConstraint(_Frozen):
    """The tightest point: the position and day with the least 5 %-quantile headroom."""

    scope: str
    date: date
    balance_q05: float
    minimum: float
    headroom_reporting: float = Field(description="(q05 balance - minimum) x FX, reporting ccy")
    breach_probability: float


class LiquidityRisk(_Frozen):
    """Probability, size, timing and causes of minimum-cash breaches over the horizon."""

    as_of: date
    reporting_currency: str
    horizon_days: int
    dates: tuple[date, ...]
    positions: tuple[ScopeRisk, ...]
    entities: tuple[ScopeRisk, ...]
    group: ScopeRisk
    binding: BindingConstraint
    thresholds: dict[str, float]
    provenance: dict[str, Any]

    def scope(self, name: str) -> ScopeRisk:
        """The risk of a position key (``US01/USD``), an entity id or ``group``."""
        for item in (*self.positions, *self.entities, self.group):
            if item.scope == name:
                return item
        known = ", ".join(s.scope for s in (*self.positions, *self.entities, self.group))
        raise KeyError(f"no risk scope {name!r}; known: {known}")

    @property
    def scopes(self) -> tuple[ScopeRisk, ...]:
        return (*self.positions, *self.entities, self.group)

    @property
    def policy_scopes(self) -> tuple[ScopeRisk, ...]:
        """Scopes a policy floor applies to: positions with a floor of their own, entities
        pooling several positions, and the group. A position without a floor (a collection
        account in a second currency) is watched through its entity."""
        return (
            *(p for p in self.positions if p.minimum > 0),
            *(e for e in self.entities if len(e.keys) > 1),
            self.group,
        )
