"""Revolving credit facilities and opening cash, sized to each entity's revenue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from .constants import (
    ACCOUNTS,
    COMMITMENT_FEE,
    ENTITIES,
    FACILITY_SHARE,
    FLOOR_SHARE,
    operating_account,
)
from .dates import Horizon
from .market import Market

_OPENING_FLOORS = 2.0  # operating accounts open with twice their floor


@dataclass(frozen=True)
class Facility:
    entity_id: str
    currency: str
    lender: str
    floor: int  # minimum operating cash the treasurer defends, cents
    limit: int  # cents
    step: int  # cents; draws and repayments come in these lots
    margin: float  # percent over the 1M rate


def facilities(revenue: dict[str, float]) -> dict[str, Facility]:
    """One revolver per entity with its bank; floor and limit scale with revenue."""
    out = {}
    for e in ENTITIES:
        floor = max(np.ceil(revenue[e.entity_id] * FLOOR_SHARE / 250_000), 1) * 250_000
        limit = max(np.ceil(revenue[e.entity_id] * FACILITY_SHARE / 1e6), 1) * 1e6
        step = max(round(floor / 4 / 50_000), 1) * 50_000
        out[e.entity_id] = Facility(
            entity_id=e.entity_id,
            currency=e.currency,
            lender=e.bank,
            floor=int(floor * 100),
            limit=int(limit * 100),
            step=int(step * 100),
            margin=e.rate_margin,
        )
    return out


def opening_balances(facs: dict[str, Facility]) -> dict[str, int]:
    """Opening balance per account in cents."""
    out = {a.account_id: int(a.opening * 100) for a in ACCOUNTS}
    for f in facs.values():
        out[operating_account(f.entity_id)] = int(f.floor * _OPENING_FLOORS)
    return out


def facility_table(
    h: Horizon, facs: dict[str, Facility], drawn: dict[str, int], market: Market
) -> pd.DataFrame:
    """``credit_facilities`` as of the end: drawn amount and the all-in rate then."""
    signed = h.start
    return pd.DataFrame(
        {
            "facility_id": [f"RCF-{e}" for e in facs],
            "entity_id": list(facs),
            "lender": [f.lender for f in facs.values()],
            "currency": [f.currency for f in facs.values()],
            "limit": [f.limit / 100 for f in facs.values()],
            "drawn": [drawn[e] / 100 for e in facs],
            "interest_rate": [
                round(float(market.one_month[f.currency][h.end_idx]) + f.margin, 3)
                for f in facs.values()
            ],
            "commitment_fee": COMMITMENT_FEE,
            # a five-year facility signed two years before the history starts
            "maturity_date": pd.Timestamp(date(signed.year + 3, signed.month, 1)),
        }
    )
