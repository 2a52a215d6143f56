"""Injected shocks: resolve whom they hit and apply them to orders and settlements."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Shock
from .dates import Horizon
from .market import Market

CREDIT_HOLD_DAYS = 45  # a defaulting customer's new orders are blocked after this


def _usd(values: np.ndarray, currency: np.ndarray, day: np.ndarray, market: Market) -> np.ndarray:
    return np.where(currency == "EUR", values * market.eurusd[day], values)


def resolve_customer(
    shock: Shock, h: Horizon, customers: pd.DataFrame, orders: pd.DataFrame, market: Market
) -> int:
    """Row of the defaulting customer: the given id, or the largest by sales before the shock."""
    if shock.customer_id != "largest":
        hits = np.flatnonzero(customers["customer_id"].to_numpy() == shock.customer_id)
        if not hits.size:
            raise ValueError(
                f"customer_default: unknown customer_id {shock.customer_id!r}; "
                f"expected one of {customers['customer_id'].iloc[0]}... or 'largest'"
            )
        return int(hits[0])
    day = orders["order_day"].to_numpy()
    live = ~orders["cancelled"].to_numpy() & (day >= h.start_idx) & (day < h.index(shock.start))
    if not live.any():  # shock on the first day: fall back to the whole warm-up
        live = ~orders["cancelled"].to_numpy() & (day < h.index(shock.start))
    o = orders[live]
    value = _usd(
        (o["qty"] * o["price_cents"]).to_numpy(),
        o["currency"].to_numpy(),
        o["order_day"].to_numpy(),
        market,
    )
    sales = np.bincount(o["customer_idx"], weights=value, minlength=len(customers))
    return int(np.argmax(sales))


def resolve_supplier(
    shock: Shock,
    h: Horizon,
    suppliers: pd.DataFrame,
    skus: pd.DataFrame,
    pos: pd.DataFrame,
    market: Market,
) -> int:
    """Row of the supplier demanding prepayment: the given id or the largest goods supplier."""
    goods = set(skus["supplier_idx"])
    if shock.supplier_id != "largest":
        hits = np.flatnonzero(suppliers["supplier_id"].to_numpy() == shock.supplier_id)
        if not hits.size:
            raise ValueError(f"supplier_prepayment: unknown supplier_id {shock.supplier_id!r}")
        if int(hits[0]) not in goods:
            raise ValueError(
                f"supplier_prepayment: {shock.supplier_id} supplies no SKU; "
                "prepayment applies to goods suppliers"
            )
        return int(hits[0])
    day = pos["order_day"].to_numpy()
    before = day < h.index(shock.start)
    sku = pos["sku_idx"].to_numpy()[before]
    value = _usd(
        (pos["qty"] * pos["cost_cents"]).to_numpy()[before],
        skus["currency"].to_numpy()[sku],
        day[before],
        market,
    )
    spend = np.bincount(
        skus["supplier_idx"].to_numpy()[sku], weights=value, minlength=len(suppliers)
    )
    return int(np.argmax(spend))


def credit_hold(
    orders: pd.DataFrame, h: Horizon, defaults: dict[int, Shock]
) -> tuple[pd.DataFrame, dict[int, int]]:
    """Cancel the defaulters' orders placed after the hold; cancelled count per customer."""
    cancelled = orders["cancelled"].to_numpy().copy()
    counts = {}
    for cust, shock in defaults.items():
        hit = (
            (orders["customer_idx"].to_numpy() == cust)
            & ~cancelled
            & (orders["order_day"].to_numpy() >= h.index(shock.start) + CREDIT_HOLD_DAYS)
        )
        cancelled |= hit
        counts[cust] = int(hit.sum())
    return orders.assign(cancelled=cancelled), counts


def withhold(
    events: pd.DataFrame, inv: pd.DataFrame, h: Horizon, defaults: dict[int, Shock]
) -> tuple[pd.DataFrame, dict[int, int]]:
    """Drop every settlement a defaulting customer would have made from the shock on."""
    cust = inv["customer_idx"].to_numpy()[events["inv_idx"].to_numpy()]
    day = events["day"].to_numpy()
    drop = np.zeros(len(events), dtype=bool)
    withheld = {}
    for c, shock in defaults.items():
        hit = (cust == c) & (day >= h.index(shock.start))
        paid = hit & (day <= h.end_idx) & (events["kind"].to_numpy() == "receipt")
        withheld[c] = int(events["cents"].to_numpy()[paid].sum())
        drop |= hit
    return events[~drop].reset_index(drop=True), withheld


def resolve_defaults(
    shocks: tuple[Shock, ...],
    h: Horizon,
    customers: pd.DataFrame,
    orders: pd.DataFrame,
    market: Market,
) -> tuple[dict[int, Shock], dict[int, int]]:
    """Defaulting customer rows with their earliest shock, and the row per shock position."""
    defaults: dict[int, Shock] = {}
    resolved = {}
    for pos, shock in enumerate(shocks):
        if shock.kind == "customer_default":
            row = resolve_customer(shock, h, customers, orders, market)
            resolved[pos] = row
            if row not in defaults or shock.start < defaults[row].start:
                defaults[row] = shock
    return defaults, resolved


def resolve_prepayments(
    shocks: tuple[Shock, ...],
    h: Horizon,
    suppliers: pd.DataFrame,
    skus: pd.DataFrame,
    pos: pd.DataFrame,
    market: Market,
) -> tuple[dict[int, int], dict[int, int]]:
    """First prepayment day per supplier row, and the row per shock position."""
    prepay: dict[int, int] = {}
    resolved = {}
    for i, shock in enumerate(shocks):
        if shock.kind == "supplier_prepayment":
            row = resolve_supplier(shock, h, suppliers, skus, pos, market)
            resolved[i] = row
            prepay[row] = min(prepay.get(row, h.n_days), h.index(shock.start))
    return prepay, resolved
