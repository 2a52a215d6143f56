"""Ground truth kept apart from the import files: behaviour, shocks and treasury settings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .config import SimConfig
from .customers import ARCHETYPES
from .dates import Horizon

CONVENTIONS = {
    "bank_balances": "opening and closing balance per account on every business day "
    "(Mon-Fri except 1 Jan and 25 Dec); closing = opening balance of the first day plus "
    "all bank_transactions booked on the account up to that day",
    "credit_notes": "a credit note carries the sales_order_id of the invoice it settles; per "
    "invoice, receipts + linked credit notes = amount - open_amount",
    "opening_items": "documents issued before start appear only if open at start; a "
    "receivable partly settled before start is shown at its open balance then",
    "amounts": "credit notes have positive amounts; bank amounts are signed (receipts > 0)",
    "days_late": "settled_date - due_date of fully settled invoices",
}


def _clean(value: Any) -> Any:
    """Plain JSON types: numpy scalars to Python, NaN to None."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def days_late(ar: pd.DataFrame) -> pd.DataFrame:
    """Fully settled invoices with their days past due."""
    inv = ar[(ar["doc_type"] == "invoice") & ar["settled_date"].notna()]
    return inv.assign(days_late=(inv["settled_date"] - inv["due_date"]).dt.days)


def customer_truth(customers: pd.DataFrame, ar: pd.DataFrame) -> tuple[list, dict]:
    late = days_late(ar).groupby("customer_id")["days_late"].agg(["mean", "count"])
    rows = []
    for c in customers.to_dict("records"):
        rows.append(
            {
                "customer_id": c["customer_id"],
                "name": c["name"],
                "entity_id": c["entity_id"],
                "archetype": c["archetype"],
                "segment": c["segment"],
                "revenue_share_of_entity": round(float(c["share"]), 6),
                "mean_days_late": round(float(late["mean"].get(c["customer_id"], np.nan)), 2),
                "invoices_settled": int(late["count"].get(c["customer_id"], 0)),
                "params": {
                    "base_days_late": round(float(c["mu"]), 2),
                    "seasonal_extra_days": round(float(c["season_extra"]), 2),
                    "extra_days_per_year": round(float(c["slope"]), 2),
                    "dispute_rate": round(float(c["dispute_rate"]), 3),
                    "pay_weekday": int(c["pay_weekday"]),
                },
            }
        )
    joined = days_late(ar).merge(customers[["customer_id", "archetype"]], on="customer_id")
    by = joined.groupby("archetype")["days_late"].mean()
    counts = customers["archetype"].value_counts()
    summary = {
        a: {
            "customers": int(counts.get(a, 0)),
            "mean_days_late": round(float(by.get(a, np.nan)), 2),
        }
        for a in ARCHETYPES
    }
    return rows, summary


def build_truth(
    config: SimConfig,
    h: Horizon,
    customers: pd.DataFrame,
    ar: pd.DataFrame,
    shocks: list[dict[str, Any]],
    treasury: dict[str, Any],
) -> dict[str, Any]:
    rows, summary = customer_truth(customers, ar)
    return _clean(
        {
            "seed": config.seed,
            "config": config.model_dump(mode="json"),
            "window": {
                "start": h.start.isoformat(),
                "end": h.end.isoformat(),
                "warmup_start": h.sim_start.isoformat(),
            },
            "archetypes": summary,
            "customers": rows,
            "shocks": shocks,
            "treasury": treasury,
            "conventions": CONVENTIONS,
        }
    )
