"""What limits a plan (binding constraints with shadow prices) and, for an infeasible
problem, the smallest relaxation that would make it feasible."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.optimization.cash_model import SCALE, CashModel
from tools.optimization.lp import LpSolution
from tools.optimization.results import Binding, Relaxation

__all__ = ["bindings", "money", "relaxations"]


def money(amount: float, currency: str) -> str:
    """``USD 1.2 M``, ``EUR 350 k``, ``USD 900``: how amounts read in messages."""
    a = abs(amount)
    if a >= 1e6:
        text = f"{amount / 1e6:,.2f} M"
    elif a >= 1e4:
        text = f"{amount / 1e3:,.0f} k"
    else:
        text = f"{amount:,.0f}"
    return f"{currency} {text}"


def bindings(
    model: CashModel, sol: LpSolution, dates: pd.DatetimeIndex, limit: int = 10
) -> tuple[Binding, ...]:
    """Days the floor binds (with the value of one more unit of cash there) and full draws."""
    h = model.horizon
    x = sol.x
    out: list[Binding] = []
    duals = sol.duals if sol.duals.size == model.lp.n_rows else None
    floor_rows = model.floor_rows
    balances = model.balances(x, dates)
    for i, led in enumerate(model.ledgers):
        head = balances.loc[balances["key"] == led.key, "headroom"].to_numpy()
        tight = np.flatnonzero(head <= max(1.0, 1e-6 * abs(led.floor)))
        prices = np.abs(duals[floor_rows[i * h + tight]]) / SCALE if duals is not None else None
        order = np.argsort(-prices, kind="stable") if prices is not None else np.arange(tight.size)
        for j in order[:limit]:
            day = int(tight[j])
            price = None if prices is None else round(float(prices[j]), 6)
            if price is not None and price < 1e-7:
                continue
            out.append(
                Binding(
                    constraint="minimum_cash",
                    key=led.key,
                    date=dates[day].date(),
                    detail=f"balance at the floor {money(led.floor, led.currency)}"
                    + (
                        ""
                        if price is None
                        else f"; one more {led.currency} there is worth {price:.4f}"
                    ),
                    shadow_price=price,
                )
            )
        cols = model.draw_cols.get(led.key)
        if cols is not None and led.credit.limit > 0:
            full = np.flatnonzero(x[cols] * SCALE >= led.credit.limit - 1.0)
            if full.size:
                out.append(
                    Binding(
                        constraint="credit_limit",
                        key=led.key,
                        date=dates[int(full[0])].date(),
                        detail=f"credit line fully drawn ({money(led.credit.limit, led.currency)}) "
                        f"on {full.size} days from {dates[int(full[0])].date()}",
                    )
                )
    return tuple(out)


def relaxations(
    model: CashModel, x: np.ndarray, dates: pd.DatetimeIndex, confidence: float
) -> tuple[Relaxation, ...]:
    """Per position the elastic model fell below the floor: the extra credit line (peak
    shortfall) that makes the plan feasible, from when, and how much the forecast alone
    already misses before any decision."""
    out = []
    for key, short in model.shortfalls(x).items():
        if short.max() <= 0.5:
            continue
        led = model.ledgers[model.index(key)]
        extra = float(short.max())
        first = int(np.flatnonzero(short > 0.5)[0])
        week = first // 7 + 1
        before = float(np.max(led.floor - led.base[: model.horizon]))
        already = (
            f"; the forecast alone is {money(before, led.currency)} short before any decision"
            if before > 0.5
            else ""
        )
        out.append(
            Relaxation(
                constraint="minimum_cash",
                key=key,
                currency=led.currency,
                amount=round(extra, 2),
                first_date=dates[first].date(),
                week=week,
                message=(
                    f"{key}: needs {money(extra, led.currency)} more credit line (or cash) "
                    f"from {dates[first].date()} (week {week}) to keep the balance above the "
                    f"floor {money(led.floor, led.currency)} at {confidence:.0%} confidence"
                    f"{already}"
                ),
            )
        )
    return tuple(out)
