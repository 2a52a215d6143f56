"""Stock-keeping units: cost, price, demand profile and replenishment parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import ENTITIES, REVENUE_PER_SKU
from .customers import split

_PRODUCTS = (
    "Hydraulic Valve",
    "Bearing Assembly",
    "Control Module",
    "Gear Motor",
    "Steel Flange",
    "Pressure Sensor",
    "Cable Harness",
    "Servo Drive",
    "Pump Housing",
    "Filter Cartridge",
    "Linear Actuator",
    "Coupling",
    "Heat Exchanger",
    "Relay Board",
    "Drive Belt",
    "Seal Kit",
    "Torque Sensor",
    "Valve Block",
    "Spindle",
    "Power Supply",
)
_ORDERS_PER_DAY = 0.57  # orders per SKU and calendar day on average (~0.8 per business day)


def build_skus(rng: np.random.Generator, *, n: int, suppliers: pd.DataFrame) -> pd.DataFrame:
    """SKUs of both entities, each bought from one of its entity's goods suppliers."""
    frames = []
    for spec, count in zip(ENTITIES, split(n, tuple(e.share for e in ENTITIES)), strict=True):
        count = int(count)
        pool = suppliers[
            (suppliers["entity_id"] == spec.entity_id) & (suppliers["role"] == "inventory")
        ]
        # Every goods supplier gets a SKU before any gets a second one.
        pick = np.concatenate([rng.permutation(len(pool)) for _ in range(count // len(pool) + 1)])
        chosen = pool.iloc[pick[:count]]
        cost = np.round(rng.lognormal(np.log(55), 0.7, count), 2)
        price = np.round(cost * rng.uniform(1.3, 1.75, count), 2)
        weight = rng.lognormal(0.0, 0.8, count)
        revenue = REVENUE_PER_SKU * count * weight / weight.sum()
        units_per_day = revenue / 365 / price
        orders = np.clip(_ORDERS_PER_DAY * (weight / weight.mean()) ** 0.6, 0.1, 3.0)
        mean_qty = units_per_day / orders
        pack = np.where(mean_qty > 200, 50, np.where(mean_qty > 40, 10, 1))
        frames.append(
            pd.DataFrame(
                {
                    "entity_id": spec.entity_id,
                    "supplier_id": chosen["supplier_id"].to_numpy(),
                    "supplier_idx": chosen.index.to_numpy(),
                    "unit_cost": cost,
                    "unit_price": price,
                    "currency": spec.currency,
                    "lead_time_days": np.maximum(
                        chosen["lead_time"].to_numpy() + rng.integers(-3, 4, count), 3
                    ),
                    "holding_cost_rate": np.round(rng.uniform(0.18, 0.26, count), 2),
                    "revenue": revenue,
                    "orders_per_day": orders,
                    "mean_qty": mean_qty,
                    "pack": pack,
                    "moq": np.maximum(np.round(units_per_day * rng.uniform(5, 15, count) / pack), 1)
                    * pack,
                    "cycle_days": rng.integers(10, 26, count),
                    # yearly seasonality: amplitude and peak day of year; some SKUs are flat
                    "season_amp": np.where(
                        rng.random(count) < 0.8, rng.uniform(0.1, 0.35, count), 0
                    ),
                    "season_peak": rng.choice([135, 310, 200], size=count, p=[0.4, 0.45, 0.15]),
                    "trend": rng.normal(0.05, 0.06, count),  # log growth per year
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "sku", [f"SKU-{1001 + i}" for i in range(len(out))])
    letters = rng.choice(list("ABCDEFGHKLMPRSTX"), size=(len(out), 2))
    out.insert(
        1,
        "name",
        [
            f"{_PRODUCTS[i % len(_PRODUCTS)]} {a}{b}-{100 + 10 * (i // len(_PRODUCTS))}"
            for i, (a, b) in enumerate(letters)
        ],
    )
    return out
