"""What drives a shortfall: flow categories on the bad paths, and the big bills before it."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from tools.risk.models import BillAtRisk, Driver
from tools.risk.scopes import Scope

__all__ = ["largest_bills", "tail_drivers", "tail_paths"]

_MIN_TAIL_SHARE = 0.01  # fewer breaching paths than this: use the worst 5 % instead
_WORST = 0.05


def tail_paths(
    balances: np.ndarray, minimum: float, day: int
) -> tuple[np.ndarray, Literal["breaching", "worst_5pct"]]:
    """Paths that fall below ``minimum`` on or before ``day``; when too few do, the 5 %
    of paths with the lowest balance on ``day``."""
    breaching: np.ndarray = np.asarray((balances[:, : day + 1] < minimum).any(axis=1))
    n = balances.shape[0]
    if breaching.sum() >= max(1, int(np.ceil(_MIN_TAIL_SHARE * n))):
        return breaching, "breaching"
    k = max(1, int(np.ceil(_WORST * n)))
    worst = np.zeros(n, dtype=bool)
    worst[np.argsort(balances[:, day], kind="stable")[:k]] = True
    return worst, "worst_5pct"


def tail_drivers(scope: Scope, tail: np.ndarray, day: int) -> tuple[Driver, ...]:
    """Per category: mean cumulative flow to ``day`` on the tail paths against all paths,
    most harmful first. Scheduled bills are the same on every path and so never drive
    the difference; ``largest_bills`` lists them."""
    rows = []
    for category in scope.categories:
        cumulative = scope.cumulative(category, day)
        mean_all = float(cumulative.mean())
        mean_tail = float(cumulative[tail].mean())
        rows.append((category, mean_all, mean_tail, mean_tail - mean_all))
    harm = -sum(min(r[3], 0.0) for r in rows)
    out = [
        Driver(
            category=c,
            mean_all=round(a, 2),
            mean_tail=round(t, 2),
            contribution=round(d, 2),
            share=round(-d / harm, 4) if harm > 0 and d < 0 else (0.0 if harm > 0 else None),
        )
        for c, a, t, d in rows
    ]
    return tuple(sorted(out, key=lambda d: d.contribution))


def largest_bills(
    scope: Scope, dates: pd.DatetimeIndex, day: int, *, top: int = 5
) -> tuple[BillAtRisk, ...]:
    """The scope's biggest scheduled bills due on or before ``dates[day]`` (overdue ones
    count: they are paid on the first day)."""
    bills = scope.bills
    if bills.empty:
        return ()
    due = pd.to_datetime(bills["due_date"])
    chosen = bills.loc[due <= dates[day]].sort_values("amount_scope", kind="stable").head(top)
    return tuple(
        BillAtRisk(
            key=str(r["key"]),
            item_id=str(r["item_id"]),
            counterparty_id=str(r["counterparty_id"]),
            due_date=pd.Timestamp(r["due_date"]).date(),
            amount=round(float(r["amount"]), 2),
            amount_scope=round(float(r["amount_scope"]), 2),
            critical=bool(r["critical"]) if pd.notna(r["critical"]) else False,
        )
        for r in chosen.to_dict("records")
    )
