"""Ground truth of the injected shocks: who was hit, from when, and by how much."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd

from .config import Shock
from .dates import Horizon
from .shocks import CREDIT_HOLD_DAYS


@dataclass(frozen=True, eq=False)
class ShockEffects:
    """What applying the shocks did, collected while the company is generated."""

    resolved: dict[int, int] = field(default_factory=dict)  # shock position -> row hit
    cancelled: dict[int, int] = field(default_factory=dict)  # customer row -> orders
    withheld: dict[int, int] = field(default_factory=dict)  # customer row -> cents
    dropped: dict[int, tuple[int, float]] = field(default_factory=dict)  # position -> (n, USD)


def _fx(shock: Shock, fx: pd.DataFrame) -> dict[str, Any]:
    dates = fx["date"].dt.date
    before = fx.loc[dates < shock.start, "rate"]
    after = fx.loc[dates >= shock.start, "rate"]
    return {
        "rate_before": float(before.iloc[-1]) if len(before) else None,
        "rate_after": float(after.iloc[0]) if len(after) else None,
    }


def describe_shocks(
    shocks: tuple[Shock, ...],
    effects: ShockEffects,
    *,
    h: Horizon,
    customers: pd.DataFrame,
    suppliers: pd.DataFrame,
    ar: pd.DataFrame,
    bills: pd.DataFrame,
    fx: pd.DataFrame,
) -> list[dict[str, Any]]:
    """One JSON-ready record per shock, in the order given."""
    out = []
    for pos, shock in enumerate(shocks):
        item: dict[str, Any] = shock.model_dump(mode="json")
        row = effects.resolved.get(pos, -1)
        if shock.kind == "customer_default":
            cust = customers.iloc[row]
            own = ar[(ar["customer_id"] == cust["customer_id"]) & (ar["doc_type"] == "invoice")]
            item |= {
                "customer_id": cust["customer_id"],
                "name": cust["name"],
                "entity_id": cust["entity_id"],
                "currency": cust["currency"],
                "archetype": cust["archetype"],
                "credit_hold_from": (shock.start + timedelta(days=CREDIT_HOLD_DAYS)).isoformat(),
                "orders_cancelled": effects.cancelled.get(row, 0),
                "receipts_withheld": effects.withheld.get(row, 0) / 100,
                "open_at_end": round(float(own["open_amount"].sum()), 2),
            }
        elif shock.kind == "supplier_prepayment":
            supp = suppliers.iloc[row]
            hit = bills[bills["prepaid"] & (bills["supplier_idx"] == row)]
            paid = hit.loc[hit["pay_day"] <= h.end_idx, "paid_cents"]
            item |= {
                "supplier_id": supp["supplier_id"],
                "name": supp["name"],
                "entity_id": supp["entity_id"],
                "terms_before": supp["payment_terms"],
                "bills_prepaid": len(hit),
                "amount_prepaid": float(paid.sum()) / 100,
            }
        elif shock.kind == "sales_drop":
            n, value = effects.dropped.get(pos, (0, 0.0))
            item |= {
                "end": (shock.start + timedelta(days=(shock.days or 1) - 1)).isoformat(),
                "orders_removed": n,
                "list_value_removed_usd": round(value, 2),
            }
        else:
            item |= _fx(shock, fx)
        out.append(item)
    return out
