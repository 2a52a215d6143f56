"""Supplier master data: goods suppliers for the SKUs plus rent, utilities and services."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import ENTITIES
from .customers import split

ROLES = ("inventory", "rent", "utilities", "logistics", "insurance", "services")
_TERMS = {
    "inventory": (
        ("net 30", "net 45", "net 60", "2/10 net 30", "1/15 net 45"),
        (0.3, 0.2, 0.15, 0.2, 0.15),
    ),
    "rent": (("net 10",), (1.0,)),
    "utilities": (("net 30",), (1.0,)),
    "logistics": (("net 30", "net 45", "2/10 net 30"), (0.5, 0.3, 0.2)),
    "insurance": (("net 30",), (1.0,)),
    "services": (("net 30", "net 45", "net 60", "2/10 net 30"), (0.5, 0.2, 0.15, 0.15)),
}
# Landlords, utilities and insurers are never paid late; some goods are sole-sourced.
_CRITICAL_P = {
    "inventory": 0.25,
    "rent": 1.0,
    "utilities": 1.0,
    "logistics": 0.3,
    "insurance": 1.0,
    "services": 0.05,
}
_FOREIGN = {"US01": (("US",), (1.0,)), "DE01": (("DE", "AT", "NL"), (0.75, 0.1, 0.15))}


def _role_counts(n: int) -> list[int]:
    inventory = max(1, round(0.4 * n))
    utilities = max(1, round(0.04 * n))
    logistics = max(1, round(0.06 * n))
    insurance = 1 if n >= 20 else 0
    services = n - inventory - 1 - utilities - logistics - insurance
    if services < 0:
        inventory += services
        services = 0
    return [inventory, 1, utilities, logistics, insurance, services]


def build_suppliers(rng: np.random.Generator, *, n: int) -> pd.DataFrame:
    """Suppliers of both entities with role, terms, lead time and tax treatment."""
    frames = []
    for spec, count in zip(ENTITIES, split(n, tuple(e.share for e in ENTITIES)), strict=True):
        role = np.repeat(ROLES, _role_counts(int(count)))
        k = len(role)
        terms = np.array([rng.choice(_TERMS[r][0], p=_TERMS[r][1]) for r in role], dtype=object)
        options, p = _FOREIGN[spec.entity_id]
        country = np.where(
            np.isin(role, ("inventory", "logistics", "services")),
            rng.choice(options, size=k, p=p),
            spec.country,
        )
        overseas = (role == "inventory") & (rng.random(k) < 0.25)
        lead = np.where(overseas, rng.integers(45, 76, k), rng.integers(7, 36, k))
        frames.append(
            pd.DataFrame(
                {
                    "entity_id": spec.entity_id,
                    "country": country,
                    "currency": spec.currency,
                    "payment_terms": terms,
                    "critical": rng.random(k) < np.array([_CRITICAL_P[r] for r in role]),
                    "role": role,
                    "lead_time": np.where(role == "inventory", lead, 0),
                    "tax_rate": np.where(
                        (country == "DE") & (role != "insurance"), spec.input_tax, 0.0
                    ),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "supplier_id", [f"S{20001 + i}" for i in range(len(out))])
    return out
