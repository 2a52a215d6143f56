"""Supplier bills: goods received against purchase orders, plus rent, utilities and services."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .constants import ENTITIES, OPEX_SHARES
from .dates import Horizon
from .demand import PRICE_INFLATION, year_steps


def goods_bills(
    h: Horizon, pos: pd.DataFrame, skus: pd.DataFrame, prepay_from: dict[int, int]
) -> pd.DataFrame:
    """A bill per received order, dated at receipt; prepaid suppliers bill at order."""
    supplier = skus["supplier_idx"].to_numpy()[pos["sku_idx"].to_numpy()]
    order = pos["order_day"].to_numpy()
    start = np.array([prepay_from.get(int(s), h.n_days + 1) for s in supplier])
    prepaid = order >= start
    issue = np.where(prepaid, h.roll_forward(order), pos["receipt_day"].to_numpy())
    return pd.DataFrame(
        {
            "supplier_idx": supplier,
            "issue_day": issue,
            "net_cents": pos["qty"].to_numpy() * pos["cost_cents"].to_numpy(),
            "po_idx": pos.index.to_numpy(),
            "prepaid": prepaid,
        }
    )


def _frame(supplier: int, day: np.ndarray, amount: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "supplier_idx": supplier,
            "issue_day": np.asarray(day, dtype=np.int64),
            "net_cents": np.round(np.asarray(amount) * 100).astype(np.int64),
            "po_idx": -1,
            "prepaid": False,
        }
    )


def opex_bills(
    h: Horizon,
    suppliers: pd.DataFrame,
    revenue: dict[str, float],
    shipped_value: dict[str, np.ndarray],
    *,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Recurring and irregular bills of the non-goods suppliers, sized to each entity's sales."""
    months = h.months()
    cal_month = months.astype("int64") % 12 + 1
    steps = year_steps(h, h.month_day(months, 1))
    frames = []
    for spec in ENTITIES:
        own = suppliers[suppliers["entity_id"] == spec.entity_id]
        budget = {role: revenue[spec.entity_id] * share for role, share in OPEX_SHARES.items()}
        for role in ("utilities", "logistics", "services", "insurance", "rent"):
            ids = own.index[own["role"] == role].to_numpy()
            # uneven but never negligible: nobody runs a vendor for a few dollars a year
            weights: Any = (
                0.4 / len(ids) + 0.6 * rng.dirichlet(np.ones(len(ids))) if len(ids) else []
            )
            for s, w in zip(ids, weights, strict=True):
                yearly = budget[role] * w
                if role == "rent":  # next month's rent, billed on the 20th
                    amount = np.full(len(months), yearly / 12) * PRICE_INFLATION**steps
                    frames.append(_frame(s, h.month_day(months, 20), np.round(amount, 0)))
                elif role == "utilities":  # last month's usage, higher in winter
                    season = 1 + 0.25 * np.cos(2 * np.pi * (cal_month - 1) / 12)
                    amount = yearly / 12 * season * rng.lognormal(0, 0.08, len(months))
                    frames.append(_frame(s, h.month_day(months, int(rng.integers(4, 9))), amount))
                elif role == "insurance":  # quarterly premium
                    q = months[cal_month % 3 == 0]
                    frames.append(_frame(s, h.month_day(q, 15), np.full(len(q), yearly / 4)))
                elif role == "logistics":  # weekly freight, proportional to shipments
                    days = np.arange(int(rng.integers(0, 7)) + 7, h.n_days, 7)
                    cum = np.concatenate([[0.0], np.cumsum(shipped_value[spec.entity_id])])
                    freight = (cum[days] - cum[days - 7]) * OPEX_SHARES[role] * w
                    frames.append(_frame(s, days, freight * rng.uniform(0.95, 1.05, len(days))))
                elif rng.random() < 0.5:  # services on a monthly retainer
                    amount = yearly / 12 * rng.uniform(0.97, 1.03, len(months))
                    frames.append(_frame(s, h.month_day(months, int(rng.integers(1, 29))), amount))
                else:  # services billed as work is done
                    n = rng.poisson(3 * len(months))
                    day = rng.integers(0, h.n_days, n)
                    frames.append(
                        _frame(s, day, rng.lognormal(np.log(yearly / 36) - 0.245, 0.7, n))
                    )
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    return out[(out["issue_day"] >= 0) & (out["issue_day"] < h.n_days) & (out["net_cents"] > 0)]


def number_bills(bills: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    """Add tax, entity and currency, sort by date and number the bills per entity."""
    s = bills["supplier_idx"].to_numpy()
    out = bills.assign(
        entity_id=suppliers["entity_id"].to_numpy()[s],
        currency=suppliers["currency"].to_numpy()[s],
        tax_cents=np.round(bills["net_cents"] * suppliers["tax_rate"].to_numpy()[s]).astype(
            np.int64
        ),
    )
    out["amount_cents"] = out["net_cents"] + out["tax_cents"]
    out = out.sort_values(
        ["issue_day", "entity_id", "supplier_idx", "po_idx"], kind="stable", ignore_index=True
    )
    seq = out.groupby("entity_id").cumcount().to_numpy() + 1
    out.insert(
        0, "bill_id", [f"BILL-{e}-{q:06d}" for e, q in zip(out["entity_id"], seq, strict=True)]
    )
    return out
