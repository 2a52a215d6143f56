"""Canonical master, order and inventory tables for the window ``start..end``."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from .dates import Horizon
from .demand import PRICE_INFLATION, year_steps
from .inventory import COST_INFLATION
from .master import Master


def master_tables(m: Master, prepaid_suppliers: Collection[int]) -> dict[str, pd.DataFrame]:
    """Master data as exported at the end: prepayment suppliers now show ``net 0``."""
    suppliers = m.suppliers.copy()
    suppliers.loc[list(prepaid_suppliers), "payment_terms"] = "net 0"
    return {
        "entities": m.entities,
        "bank_accounts": m.accounts,
        "customers": m.customers[
            [
                "customer_id",
                "name",
                "entity_id",
                "country",
                "currency",
                "payment_terms_days",
                "credit_limit",
                "segment",
            ]
        ].copy(),
        "suppliers": suppliers[
            [
                "supplier_id",
                "name",
                "entity_id",
                "country",
                "currency",
                "payment_terms",
                "critical",
                "bank_account",
            ]
        ],
    }


def sales_order_table(
    h: Horizon,
    orders: pd.DataFrame,
    ship: np.ndarray,
    customers: pd.DataFrame,
    skus: pd.DataFrame,
    invoiced: Collection[str],
) -> pd.DataFrame:
    lo = h.start_idx
    cancelled = orders["cancelled"].to_numpy()
    open_at_start = ~cancelled & ((ship >= lo) | (ship < 0))
    keep = (orders["order_day"].to_numpy() >= lo) | open_at_start
    keep |= orders["so_id"].isin(invoiced).to_numpy()
    status = np.where(cancelled, "cancelled", np.where(ship >= 0, "invoiced", "open"))
    return pd.DataFrame(
        {
            "so_id": orders["so_id"],
            "customer_id": customers["customer_id"].to_numpy()[orders["customer_idx"]],
            "entity_id": orders["entity_id"],
            "sku": skus["sku"].to_numpy()[orders["sku_idx"]],
            "order_date": h.timestamps(orders["order_day"].to_numpy()),
            "ship_date": h.timestamps(ship),
            "quantity": orders["qty"],
            "unit_price": orders["price_cents"] / 100,
            "currency": orders["currency"],
            "status": status,
        }
    )[keep].reset_index(drop=True)


def purchase_order_ids(pos: pd.DataFrame, skus: pd.DataFrame) -> np.ndarray:
    entity = pd.Series(skus["entity_id"].to_numpy()[pos["sku_idx"]])
    seq = entity.groupby(entity).cumcount().to_numpy() + 1
    return np.array([f"PO-{e}-{s:06d}" for e, s in zip(entity, seq, strict=True)], dtype=object)


def purchase_order_table(
    h: Horizon, pos: pd.DataFrame, po_ids: np.ndarray, skus: pd.DataFrame, billed: np.ndarray
) -> pd.DataFrame:
    lo, hi = h.start_idx, h.end_idx
    receipt = pos["receipt_day"].to_numpy()
    keep = (pos["order_day"].to_numpy() >= lo) | (receipt >= lo)
    keep[billed] = True
    sku = pos["sku_idx"].to_numpy()
    return pd.DataFrame(
        {
            "po_id": po_ids,
            "supplier_id": skus["supplier_id"].to_numpy()[sku],
            "entity_id": skus["entity_id"].to_numpy()[sku],
            "sku": skus["sku"].to_numpy()[sku],
            "order_date": h.timestamps(pos["order_day"].to_numpy()),
            "expected_date": h.timestamps(pos["expected_day"].to_numpy()),
            "quantity": pos["qty"],
            "unit_price": pos["cost_cents"] / 100,
            "currency": skus["currency"].to_numpy()[sku],
            "status": np.where(receipt <= hi, "received", "open"),
        }
    )[keep].reset_index(drop=True)


def inventory_tables(
    h: Horizon, orders: pd.DataFrame, skus: pd.DataFrame, on_hand: np.ndarray
) -> dict[str, pd.DataFrame]:
    """Items with end-of-window prices and stock, and daily demand (non-cancelled orders)."""
    step = year_steps(h, np.array([h.end_idx]))[0]
    items = pd.DataFrame(
        {
            "sku": skus["sku"],
            "name": skus["name"],
            "entity_id": skus["entity_id"],
            "supplier_id": skus["supplier_id"],
            "unit_cost": np.round(skus["unit_cost"] * COST_INFLATION**step, 2),
            "unit_price": np.round(skus["unit_price"] * PRICE_INFLATION**step, 2),
            "currency": skus["currency"],
            "lead_time_days": skus["lead_time_days"].astype(np.int64),
            "moq": skus["moq"].astype(np.int64),
            "on_hand": np.round(on_hand).astype(np.int64),
            "holding_cost_rate": skus["holding_cost_rate"],
        }
    )
    lo, hi = h.start_idx, h.end_idx
    live = orders[~orders["cancelled"] & (orders["order_day"] >= lo)]
    width = hi - lo + 1
    flat = live["sku_idx"].to_numpy() * width + live["order_day"].to_numpy() - lo
    qty = np.bincount(flat, weights=live["qty"], minlength=len(skus) * width)
    demand = pd.DataFrame(
        {
            "sku": np.repeat(skus["sku"].to_numpy(), width),
            "date": np.tile(h.timestamps(np.arange(lo, hi + 1)), len(skus)),
            "quantity": np.round(qty).astype(np.int64),
        }
    )
    return {"inventory_items": items, "inventory_demand": demand}
