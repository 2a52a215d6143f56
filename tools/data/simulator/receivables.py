"""Receivables: invoices at shipment and how each customer settles them.

Settlement is a list of events per invoice: cash receipts and credit notes. Lateness
follows the customer's archetype; disputes end in a late payment, a credit note or
a partial payment; some invoices are paid in instalments or partly returned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .dates import Horizon, month_of


def build_invoices(
    h: Horizon, orders: pd.DataFrame, ship_day: np.ndarray, customers: pd.DataFrame
) -> pd.DataFrame:
    """One invoice per shipped order, dated at shipment, numbered per entity."""
    shipped = ship_day >= 0
    o = orders[shipped]
    cust = o["customer_idx"].to_numpy()
    issue = ship_day[shipped]
    net = o["qty"].to_numpy() * o["price_cents"].to_numpy()
    tax = np.round(net * customers["tax_rate"].to_numpy()[cust]).astype(np.int64)
    inv = pd.DataFrame(
        {
            "so_id": o["so_id"].to_numpy(),
            "entity_id": o["entity_id"].to_numpy(),
            "customer_idx": cust,
            "issue_day": issue,
            "due_day": issue + customers["payment_terms_days"].to_numpy()[cust],
            "amount_cents": net + tax,
            "tax_cents": tax,
            "currency": o["currency"].to_numpy(),
        }
    ).sort_values(["issue_day", "entity_id", "so_id"], kind="stable", ignore_index=True)
    seq = inv.groupby("entity_id").cumcount().to_numpy() + 1
    inv.insert(
        0, "invoice_id", [f"INV-{e}-{s:06d}" for e, s in zip(inv["entity_id"], seq, strict=True)]
    )
    return inv


def _days_late(h: Horizon, inv: pd.DataFrame, customers: pd.DataFrame, z: np.ndarray) -> np.ndarray:
    """Days past due each invoice would be paid if nothing special happens."""
    c = inv["customer_idx"].to_numpy()
    arch = customers["archetype"].to_numpy()[c]
    mu = customers["mu"].to_numpy()[c]
    due_month = month_of(h, inv["due_day"].to_numpy()) % 12 + 1
    in_season = np.isin(due_month, (7, 8, 12))
    years = inv["issue_day"].to_numpy() / 365
    return np.select(
        [arch == "on_time", arch == "chronic_late", arch == "seasonal", arch == "deteriorating"],
        [
            mu + 2.5 * z,
            mu * np.exp(0.45 * z - 0.45**2 / 2),  # right-skewed, mean mu
            mu + 3 * z + customers["season_extra"].to_numpy()[c] * in_season,
            mu + customers["slope"].to_numpy()[c] * years + 4 * z,
        ],
        default=mu + 5 * z,  # disputing customers, when not disputing
    )


def settlement_events(
    h: Horizon, inv: pd.DataFrame, customers: pd.DataFrame, *, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray]:
    """Receipts and credit notes per invoice (may fall after the end), and the dispute flags.

    Every draw is made for every invoice, so shocks that drop events never shift others.
    """
    n = len(inv)
    c = inv["customer_idx"].to_numpy()
    issue, due = inv["issue_day"].to_numpy(), inv["due_day"].to_numpy()
    amount = inv["amount_cents"].to_numpy()
    z = rng.standard_normal(n)
    u = rng.random((n, 8))
    dispute_lag = rng.integers(60, 151, n)
    credit_lag, rest_lag = rng.integers(30, 91, n), rng.integers(5, 21, n)
    instal_lag, return_lag = rng.integers(14, 46, n), rng.integers(7, 31, n)

    late = np.clip(_days_late(h, inv, customers, z), -10, 200)
    pay = np.maximum(due + np.round(late).astype(np.int64), issue + 1)
    weekday = customers["pay_weekday"].to_numpy()[c]
    fixed = weekday >= 0
    pay[fixed] += (weekday[fixed] - h.weekday(pay[fixed])) % 7
    pay = h.roll_forward(pay)

    arch = customers["archetype"].to_numpy()[c]
    disputed = u[:, 0] < customers["dispute_rate"].to_numpy()[c]
    full_late = disputed & (u[:, 1] < 0.4)
    credited = disputed & (u[:, 1] >= 0.4) & (u[:, 1] < 0.75)
    partial = disputed & (u[:, 1] >= 0.75)
    instal = ~disputed & (u[:, 2] < np.where(arch == "chronic_late", 0.06, 0.015))
    returned = ~disputed & ~instal & (u[:, 3] < 0.008)
    plain = ~(disputed | instal | returned)

    dispute_day = h.roll_forward(np.maximum(due + dispute_lag, pay + 1))
    credit_share = np.where(u[:, 4] < 0.1, 1.0, 0.1 + 0.3 * u[:, 5])
    return_share = 0.1 + 0.9 * u[:, 6]
    split_share = np.where(partial, 0.4 + 0.3 * u[:, 7], 0.3 + 0.4 * u[:, 7])
    credit_day = h.roll_forward(due + credit_lag)
    return_day = np.minimum(h.roll_forward(issue + return_lag), pay)

    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = []

    def add(mask: np.ndarray, day: np.ndarray, cents: np.ndarray, kind: str) -> None:
        parts.append((np.flatnonzero(mask), day[mask], cents[mask], kind))

    add(plain, pay, amount, "receipt")
    add(full_late, dispute_day, amount, "receipt")
    cn = np.round(amount * np.where(credited, credit_share, return_share)).astype(np.int64)
    add(credited, credit_day, cn, "credit")
    add(credited, h.roll_forward(credit_day + rest_lag), amount - cn, "receipt")
    add(returned, return_day, cn, "credit")
    add(returned, pay, amount - cn, "receipt")
    first = np.round(amount * split_share).astype(np.int64)
    add(partial | instal, pay, first, "receipt")
    add(partial, dispute_day, amount - first, "receipt")
    add(instal, h.roll_forward(pay + instal_lag), amount - first, "receipt")

    events = pd.DataFrame(
        {
            "inv_idx": np.concatenate([p[0] for p in parts]),
            "day": np.concatenate([p[1] for p in parts]),
            "cents": np.concatenate([p[2] for p in parts]),
            "kind": np.concatenate([np.full(len(p[0]), p[3]) for p in parts]),
        }
    )
    events = events[events["cents"] > 0]
    events = events.sort_values(["day", "inv_idx", "kind"], kind="stable", ignore_index=True)
    return events, disputed
