"""Cash positions summed into entities and the group, in the reporting currency.

A position is one entity's cash in one currency. An entity's scope adds its positions
converted with ``Position.fx_to_reporting`` (the entity is assumed to be able to move cash
between its own currencies); its floor is the sum of its positions' floors. The group adds
every position; its floor is ``policy.minimum_cash.group`` when set, else the sum of the
position floors. Credit available is the undrawn committed facilities, converted the same way.

Sums are linear, so a combined scope keeps references to its positions' arrays with a
conversion factor instead of copying every category's paths: with 10,000 paths and twenty
positions the copies would cost more than the risk maths itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook, Position
from tools.risk.models import ScopeLevel

__all__ = ["Scope", "build_scopes"]

# (category -> (n_paths, n_days) flows in the part's currency, factor to the scope currency)
Part = tuple[dict[str, np.ndarray], float]


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
    parts: tuple[Part, ...]
    net: np.ndarray  # (n_paths, n_days) net daily flows incl. scheduled bills, scope currency
    scheduled: np.ndarray  # (n_days,) scheduled bills on their due dates, scope currency
    bills: pd.DataFrame  # the scope's scheduled rows; amount_scope in scope currency
    fx: float  # reporting-currency units per scope-currency unit

    @property
    def categories(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for flows, _ in self.parts:
            seen.update(dict.fromkeys(flows))
        return tuple(seen)

    def cumulative(self, category: str, day: int) -> np.ndarray:
        """Per path: the category's flows summed from the first day to ``day`` (inclusive)."""
        out = np.zeros(self.n_paths)
        for flows, factor in self.parts:
            arr = flows.get(category)
            if arr is not None:
                out += arr[:, : day + 1].sum(axis=1) * factor
        return out

    def net_flows(self) -> np.ndarray:
        return self.net

    def balances(self) -> np.ndarray:
        """End-of-day balances per path and day."""
        return self.opening + np.cumsum(self.net, axis=1)

    @property
    def n_paths(self) -> int:
        return int(self.net.shape[0])


def _position_scope(outlook: CashOutlook, pos: Position, n_days: int) -> Scope:
    flows = {c: outlook.paths[(pos.key, c)][:, :n_days] for c in outlook.categories(pos.key)}
    bills = outlook.scheduled.loc[outlook.scheduled["key"] == pos.key].copy()
    bills["amount_scope"] = bills["amount"].astype(float)
    scheduled = outlook.scheduled_flows(pos.key)[:n_days]
    net = np.zeros((max(outlook.n_paths, 1), n_days))
    for arr in flows.values():
        net += arr
    net += scheduled
    return Scope(
        name=pos.key,
        level="position",
        currency=pos.currency,
        keys=(pos.key,),
        opening=pos.opening,
        minimum=pos.minimum,
        credit=pos.credit_limit,
        parts=((flows, 1.0),),
        net=net,
        scheduled=scheduled,
        bills=bills,
        fx=pos.fx_to_reporting,
    )


def _combine(
    name: str, level: ScopeLevel, parts: list[Scope], currency: str, minimum: float | None
) -> Scope:
    net = parts[0].net * parts[0].fx
    for part in parts[1:]:
        net += part.net * part.fx
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
        parts=tuple((flows, factor * p.fx) for p in parts for flows, factor in p.parts),
        net=net,
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
