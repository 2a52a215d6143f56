"""Stock: reorder-point replenishment (purchase orders) and first-come shipping of orders."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import Horizon
from .demand import year_steps

COST_INFLATION = 1.025  # supplier prices step up every January
_Z = 1.65  # ~95% cycle service level
_WINDOW = 28  # days of demand history the planner averages


@dataclass(frozen=True, eq=False)
class Inventory:
    ship_day: np.ndarray  # per order row; -1 when not shipped by the end
    pos: pd.DataFrame  # sku_idx, order_day, expected_day, receipt_day, qty, cost_cents
    on_hand_end: np.ndarray  # units per SKU at the end


def _demand_matrix(n_skus: int, n_days: int, orders: pd.DataFrame) -> np.ndarray:
    live = orders[~orders["cancelled"]]
    flat = live["sku_idx"].to_numpy() * n_days + live["order_day"].to_numpy()
    return np.bincount(flat, weights=live["qty"], minlength=n_skus * n_days).reshape(n_skus, -1)


def _replenish(
    h: Horizon, skus: pd.DataFrame, demand: np.ndarray, base: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Daily review on business days: order up to ROP + cycle stock when below the ROP."""
    lead = skus["lead_time_days"].to_numpy().astype(float)
    cycle = skus["cycle_days"].to_numpy()
    moq, pack = skus["moq"].to_numpy(), skus["pack"].to_numpy()
    spread = skus["mean_qty"].to_numpy() * 1.7  # variance-to-mean of compound daily demand
    padded = np.hstack([np.repeat(base[:, None], _WINDOW, axis=1), demand])
    cum = np.cumsum(padded, axis=1)
    trailing = (cum[:, _WINDOW:] - cum[:, :-_WINDOW]) / _WINDOW
    on_hand0 = (
        np.ceil((base * (lead + 3 + cycle / 2) + _Z * np.sqrt(base * spread * lead)) / pack) * pack
    )
    position = on_hand0.copy()
    busday = h.is_busday(np.arange(h.n_days))
    po_sku, po_day, po_qty = [], [], []
    for t in range(h.n_days):
        position -= demand[:, t]
        if not busday[t]:
            continue
        d = trailing[:, t]
        rop = d * (lead + 3) + _Z * np.sqrt(d * spread * lead)
        need = np.flatnonzero(position < rop)
        if need.size:
            qty = np.maximum(moq[need], rop[need] + d[need] * cycle[need] - position[need])
            qty = np.ceil(qty / pack[need]) * pack[need]
            position[need] += qty
            po_sku.append(need)
            po_day.append(np.full(need.size, t))
            po_qty.append(qty)

    def cat(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0)

    return on_hand0, cat(po_sku).astype(np.int64), cat(po_day).astype(np.int64), cat(po_qty)


def simulate_inventory(
    h: Horizon, skus: pd.DataFrame, orders: pd.DataFrame, *, rng: np.random.Generator
) -> Inventory:
    """Purchase orders, ship dates of the sales orders and stock on hand at the end."""
    n_skus, n_days = len(skus), h.n_days
    demand = _demand_matrix(n_skus, n_days, orders)
    base = (skus["orders_per_day"] * skus["mean_qty"]).to_numpy()
    on_hand0, sku, day, qty = _replenish(h, skus, demand, base)
    lead = skus["lead_time_days"].to_numpy()[sku]
    expected = h.roll_forward(day + lead)
    late = np.where(rng.random(len(sku)) < 0.3, rng.integers(1, 8, len(sku)), 0)
    receipt = h.roll_forward(expected + late)
    cost = skus["unit_cost"].to_numpy()[sku] * COST_INFLATION ** year_steps(h, day)
    pos = pd.DataFrame(
        {
            "sku_idx": sku,
            "order_day": day,
            "expected_day": expected,
            "receipt_day": receipt,
            "qty": qty.astype(np.int64),
            "cost_cents": np.round(cost * 100).astype(np.int64),
        }
    ).sort_values(["order_day", "sku_idx"], kind="stable", ignore_index=True)
    arrived = receipt < n_days
    supply = np.bincount(
        sku[arrived] * n_days + receipt[arrived], weights=qty[arrived], minlength=n_skus * n_days
    ).reshape(n_skus, -1)
    supply = on_hand0[:, None] + np.cumsum(supply, axis=1)
    handling = rng.integers(1, 3, len(orders))
    ship = np.full(len(orders), -1, dtype=np.int64)
    live = orders.index[~orders["cancelled"]].to_numpy()
    live = live[np.argsort(orders["sku_idx"].to_numpy()[live], kind="stable")]
    order_sku = orders["sku_idx"].to_numpy()[live]
    cum_qty = orders["qty"].to_numpy()[live].astype(float)
    for j in range(n_skus):  # first come, first served: order i ships once supply covers it
        rows = slice(*np.searchsorted(order_sku, [j, j + 1]))
        ready = np.searchsorted(supply[j], np.cumsum(cum_qty[rows]), side="left")
        idx = live[rows]
        when = np.maximum(
            h.add_busdays(orders["order_day"].to_numpy()[idx], handling[idx]),
            h.roll_forward(np.minimum(ready, n_days - 1)),
        )
        ship[idx] = np.where((ready < n_days) & (when <= h.end_idx), when, -1)
    shipped = ship >= 0
    out_qty = np.bincount(
        orders["sku_idx"].to_numpy()[shipped],
        weights=orders["qty"].to_numpy()[shipped],
        minlength=n_skus,
    )
    return Inventory(ship, pos, supply[:, h.end_idx] - out_qty)
