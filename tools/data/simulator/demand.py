"""Customer demand: seasonal order intensity per SKU and day, turned into sales orders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import Shock
from .dates import Horizon
from .market import Market

# B2B orders arrive on weekdays; normalised so a week averages 1.
_WEEKLY = np.array([1.15, 1.15, 1.1, 1.05, 0.9, 0.1, 0.05])
_WEEKLY = _WEEKLY * 7 / _WEEKLY.sum()
PRICE_INFLATION = 1.03  # list prices step up every January
CANCEL_RATE = 0.01


def year_steps(h: Horizon, day: np.ndarray) -> np.ndarray:
    """Number of new years since the warm-up began, per day index (drives price lists)."""
    years = h.dates(day).astype("datetime64[Y]").astype("int64")
    return years - (h.sim_start.year - 1970)


def _intensity(h: Horizon, skus: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Expected orders per SKU and day: weekly, yearly, holiday, trend and market swings."""
    n = h.n_days
    t = np.arange(n)
    cal = h.calendar()
    doy = cal.dayofyear.to_numpy()
    slump = ((cal.month == 12) & (cal.day >= 22)) | ((cal.month == 1) & (cal.day <= 2))
    common = np.empty(n)  # a shared business cycle, so SKUs move together a little
    c = 0.0
    for i, e in enumerate(rng.standard_normal(n)):
        c = 0.98 * c + 0.012 * e
        common[i] = c
    day_factor = _WEEKLY[h.weekday(t)] * np.where(slump, 0.4, 1.0) * np.exp(common)
    amp = skus["season_amp"].to_numpy()[:, None]
    peak = skus["season_peak"].to_numpy()[:, None]
    season = 1 + amp * np.cos(2 * np.pi * (doy[None, :] - peak) / 365.25)
    trend = np.exp(skus["trend"].to_numpy()[:, None] * t[None, :] / 365)
    noise = rng.gamma(6.0, 1 / 6.0, (len(skus), n))
    return skus["orders_per_day"].to_numpy()[:, None] * day_factor * season * trend * noise


def build_orders(
    h: Horizon,
    skus: pd.DataFrame,
    customers: pd.DataFrame,
    market: Market,
    *,
    rng: np.random.Generator,
    shocks: tuple[Shock, ...],
) -> tuple[pd.DataFrame, dict[int, tuple[int, float]]]:
    """Sales orders over the span, and per sales-drop shock the orders it removed.

    Returns the orders (internal columns, prices in cents) and, per shock position, the
    number and list value (USD) of the orders the drop took away.
    """
    counts = rng.poisson(_intensity(h, skus, rng))
    n_days = h.n_days
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    sku, day = flat // n_days, flat % n_days
    m = len(flat)
    mean_qty, pack = skus["mean_qty"].to_numpy()[sku], skus["pack"].to_numpy()[sku]
    qty = rng.lognormal(np.log(mean_qty) - 0.18, 0.6, m)
    qty = np.maximum(np.round(qty / pack), 1) * pack
    entity = skus["entity_id"].to_numpy()[sku]
    customer = np.empty(m, dtype=np.int64)
    for entity_id in np.unique(entity):
        pool = customers.index[customers["entity_id"] == entity_id].to_numpy()
        share = customers.loc[pool, "share"].to_numpy()
        mask = entity == entity_id
        customer[mask] = rng.choice(pool, size=int(mask.sum()), p=share / share.sum())
    list_price = skus["unit_price"].to_numpy()[sku] * PRICE_INFLATION ** year_steps(h, day)
    cur = customers["currency"].to_numpy()[customer]
    fx = np.where(cur != skus["currency"].to_numpy()[sku], market.eurusd[day], 1.0)
    price = np.round(list_price * (1 - customers["discount"].to_numpy()[customer]) * fx, 2)
    cancelled = rng.random(m) < CANCEL_RATE
    keep = np.ones(m, dtype=bool)
    u_drop = rng.random(m)  # drawn even without shocks so a shock never shifts other draws
    dropped: dict[int, tuple[int, float]] = {}
    for pos, shock in enumerate(shocks):
        if shock.kind != "sales_drop":
            continue
        lo = h.index(shock.start)
        hit = (day >= lo) & (day < lo + (shock.days or 0)) & (u_drop < (shock.pct or 0) / 100)
        hit &= keep & ~cancelled
        usd = np.where(skus["currency"].to_numpy()[sku[hit]] == "EUR", market.eurusd[day[hit]], 1)
        dropped[pos] = (int(hit.sum()), float(np.sum(qty[hit] * list_price[hit] * usd)))
        keep &= ~hit
    orders = pd.DataFrame(
        {
            "entity_id": entity,
            "customer_idx": customer,
            "sku_idx": sku,
            "order_day": day,
            "qty": qty.astype(np.int64),
            "price_cents": np.round(price * 100).astype(np.int64),
            "currency": cur,
            "list_value": qty * list_price,
            "cancelled": cancelled,
        }
    )[keep]
    return orders.reset_index(drop=True), dropped


def number_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Sort orders by date and number them per entity like an ERP does."""
    out = orders.sort_values(
        ["order_day", "entity_id", "sku_idx", "customer_idx"], kind="stable", ignore_index=True
    )
    seq = out.groupby("entity_id").cumcount().to_numpy() + 1
    out["so_id"] = [f"SO-{e}-{s:06d}" for e, s in zip(out["entity_id"], seq, strict=True)]
    return out
