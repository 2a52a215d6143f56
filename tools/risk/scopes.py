"""Cash positions summed into entities and the group, in the reporting currency.

A position is one entity's cash in one currency. An entity's scope adds its positions
converted with ``Position.fx_to_reporting`` (the entity is assumed to be able to move cash
between its own currencies); its floor is the sum of its positions' floors. The group adds
every position; its floor is ``policy.minimum_cash.group`` when set, else the sum of the
position floors. Credit available is the undrawn committed facilities, converted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook, Position
from tools.risk.models import ScopeLevel

__all__ = ["Scope", "build_scopes"]


@dataclass(frozen=True, eq=False)
class Scope:
    """Everything the risk maths needs about one scope, cut to the horizon."""

    name: str
    level: ScopeLevel
    currency: str
    keys: tuple[str, ...]
    opening: float
    minimum: float
    credit: float
    flows: dict[str, np.ndarray]  # category -> (n_paths, n_days), scope currency
    scheduled: np.ndarray  # (n_days,) scheduled bills on their due dates, scope currency
    bills: pd.DataFrame  # the scope's scheduled rows; amount_scope in scope currency
    fx: float  # reporting-currency units per scope-currency unit

    def net_flows(self) -> np.ndarray:
        total = self.scheduled[None, :] + sum(self.flows.values(), np.zeros_like(self.scheduled))
        return np.broadcast_to(total, (self.n_paths, len(self.scheduled)))

    def balances(self) -> np.ndarray:
        """End-of-day balances per path and day."""
        return self.opening + np.cumsum(self.net_flows(), axis=1)

    @property
    def n_paths(self) -> int:
        return next(iter(self.flows.values())).shape[0] if self.flows else 1


def _position_scope(outlook: CashOutlook, pos: Position, n_days: int) -> Scope:
    flows = {c: outlook.paths[(pos.key, c)][:, :n_days] for c in outlook.categories(pos.key)}
    bills = outlook.scheduled.loc[outlook.scheduled["key"] == pos.key].copy()
    bills["amount_scope"] = bills["amount"].astype(float)
    return Scope(
        name=pos.key,
        level="position",
        currency=pos.currency,
        keys=(pos.key,),
        opening=pos.opening,
        minimum=pos.minimum,
        credit=pos.credit_limit,
        flows=flows,
        scheduled=outlook.scheduled_flows(pos.key)[:n_days],
        bills=bills,
        fx=pos.fx_to_reporting,
    )


def _combine(
    name: str, level: ScopeLevel, parts: list[Scope], currency: str, minimum: float | None
) -> Scope:
    flows: dict[str, np.ndarray] = {}
    for part in parts:
        for category, arr in part.flows.items():
            converted = arr * part.fx
            flows[category] = flows[category] + converted if category in flows else converted
    bills = pd.concat(
        [p.bills.assign(amount_scope=p.bills["amount_scope"] * p.fx) for p in parts],
        ignore_index=True,
    )
    return Scope(
        name=name,
        level=level,
        currency=currency,
        keys=tuple(k for p in parts for k in p.keys),
        opening=sum(p.opening * p.fx for p in parts),
        minimum=minimum if minimum is not None else sum(p.minimum * p.fx for p in parts),
        credit=sum(p.credit * p.fx for p in parts),
        flows=flows,
        scheduled=sum((p.scheduled * p.fx for p in parts), np.zeros_like(parts[0].scheduled)),
        bills=bills,
        fx=1.0,
    )


def build_scopes(
    outlook: CashOutlook, policy: Policy, *, n_days: int
) -> tuple[list[Scope], list[Scope], Scope]:
    """Position, entity and group scopes of an outlook over its first ``n_days`` days."""
    positions = [_position_scope(outlook, p, n_days) for p in outlook.positions]
    currency = outlook.reporting_currency
    entities = []
    for entity in sorted({p.entity_id for p in outlook.positions}):
        parts = [
            s for s, p in zip(positions, outlook.positions, strict=True) if p.entity_id == entity
        ]
        entities.append(_combine(entity, "entity", parts, currency, None))
    group_floor = policy.minimum_cash.group if policy.minimum_cash.group > 0 else None
    group = _combine("group", "group", positions, currency, group_floor)
    return positions, entities, group
