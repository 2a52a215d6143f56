"""Master data of the demo group: entities, bank accounts, customers, suppliers and SKUs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import SimConfig
from .constants import ACCOUNTS, AVG_DISCOUNT, ENTITIES, OPEX_SHARES, TARGET_MARGIN
from .customers import build_customers
from .names import company_names, iban
from .skus import build_skus
from .streams import rng as stream
from .suppliers import build_suppliers


@dataclass(frozen=True, eq=False)
class Master:
    """Master frames carry canonical columns plus the simulator's own parameters."""

    entities: pd.DataFrame
    accounts: pd.DataFrame
    customers: pd.DataFrame
    suppliers: pd.DataFrame
    skus: pd.DataFrame
    revenue: dict[str, float]  # expected annual revenue per entity, entity currency
    payroll_cost: dict[str, float]  # yearly employer payroll cost per entity at the start


def _accounts(rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": [a.account_id for a in ACCOUNTS],
            "entity_id": [a.entity_id for a in ACCOUNTS],
            "currency": [a.currency for a in ACCOUNTS],
            "bank": [a.bank for a in ACCOUNTS],
            "iban": [iban(rng, "DE", a.bank_code) if a.bank_code else None for a in ACCOUNTS],
            "purpose": [a.purpose for a in ACCOUNTS],
        }
    )


def _payroll_cost(skus: pd.DataFrame, revenue: dict[str, float]) -> dict[str, float]:
    """What is left of the gross margin after other costs and the target margin."""
    out = {}
    for e, total in revenue.items():
        own = skus[skus["entity_id"] == e]
        cogs = float((own["revenue"] * own["unit_cost"] / own["unit_price"]).sum()) / total
        share = 1 - cogs - AVG_DISCOUNT - sum(OPEX_SHARES.values()) - TARGET_MARGIN
        out[e] = total * min(max(share, 0.08), 0.3)
    return out


def build_master(config: SimConfig, *, eurusd: float) -> Master:
    """All master data for ``config``; ``eurusd`` converts credit limits of USD customers."""
    rng = stream(config.seed, "master")
    suppliers = build_suppliers(rng, n=config.n_suppliers)
    skus = build_skus(rng, n=config.n_skus, suppliers=suppliers)
    revenue = {
        e.entity_id: float(skus.loc[skus["entity_id"] == e.entity_id, "revenue"].sum())
        for e in ENTITIES
    }
    customers = build_customers(rng, n=config.n_customers, revenue=revenue, eurusd=eurusd)
    names_rng = stream(config.seed, "names")
    names = company_names(
        names_rng,
        [*customers["country"], *suppliers["country"]],
        ["customer"] * len(customers) + list(suppliers["role"]),
    )
    customers.insert(1, "name", names[: len(customers)])
    suppliers.insert(1, "name", names[len(customers) :])
    suppliers["bank_account"] = [iban(names_rng, c) for c in suppliers["country"]]
    entities = pd.DataFrame(
        {
            "entity_id": [e.entity_id for e in ENTITIES],
            "name": [e.name for e in ENTITIES],
            "base_currency": [e.currency for e in ENTITIES],
            "country": [e.country for e in ENTITIES],
        }
    )
    return Master(
        entities,
        _accounts(names_rng),
        customers,
        suppliers,
        skus,
        revenue,
        _payroll_cost(skus, revenue),
    )
