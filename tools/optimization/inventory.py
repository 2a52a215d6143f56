"""Purchase plan per SKU under the cash the outlook leaves.

Weekly buckets over the horizon. Per SKU: demand is the recent daily mean (last 91 days of
``inventory_demand``); safety stock is ``z(service level) * sigma_daily * sqrt(lead time)``;
orders respect the MOQ (a binary per SKU and week) and arrive after the lead time (open
purchase orders arrive on their expected dates). Each order is paid ``lead time + the
supplier's net terms`` days after it is placed, and those payments must fit under the
outlook's planning balance above the floor (no credit: the budget is what the outlook
leaves). Cost = ordering cost + holding cost (rate * unit cost) + a shortfall penalty
(the unit margin, at least half the unit cost) on stock below the safety stock. A MIP on
HiGHS with pinned settings.
"""

from __future__ import annotations

from datetime import date
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from tools.domain.proposals import ActionItem, ProposedAction
from tools.errors import ConfigError, DataError, Problem
from tools.forecasting.outlook import CashOutlook, position_key
from tools.optimization.cash_model import SCALE, CashModel, ledgers_for
from tools.optimization.explain import money, relaxations
from tools.optimization.inputs import CreditLine, supplier_terms
from tools.optimization.results import OptimizationResult, Relaxation, SolveInfo, SolverParams, rows

__all__ = ["PurchasePlan", "optimize_purchases"]


class PurchasePlan(OptimizationResult):
    status: Literal["feasible", "infeasible", "error"]
    orders: pd.DataFrame = Field(description="sku, order_date, quantity, amount, pay_date")
    stock: pd.DataFrame = Field(description="Projected stock per SKU and week vs safety stock")
    objective: dict[str, float]
    relaxation: tuple[Relaxation, ...] = ()
    solve: SolveInfo
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


def _items(items: pd.DataFrame) -> pd.DataFrame:
    need = ["sku", "entity_id", "currency", "unit_cost", "lead_time_days"]
    missing = [c for c in need if c not in items]
    if missing:
        raise DataError(
            [Problem(file="inventory_items", column=c, message="column missing") for c in missing]
        )
    problems = [
        Problem(
            file="inventory_items",
            row=i + 2,
            column=col,
            message=f"SKU {r.sku}: {col} missing or negative",
            value=str(getattr(r, col)),
        )
        for i, r in enumerate(rows(items))
        for col in ("unit_cost", "lead_time_days")
        if pd.isna(getattr(r, col)) or getattr(r, col) < 0
    ]
    if problems:
        raise DataError(problems)
    return items.reset_index(drop=True)


def optimize_purchases(
    outlook: CashOutlook,
    items: pd.DataFrame,
    demand: pd.DataFrame,
    *,
    suppliers: pd.DataFrame | None = None,
    purchase_orders: pd.DataFrame | None = None,
    service_level: float = 0.95,
    confidence: float = 0.95,
    ordering_cost: float = 250.0,
    solver: SolverParams | None = None,
) -> PurchasePlan:
    """Lot sizes per SKU and week that keep service, cost least and fit the cash budget."""
    if not 0.5 <= service_level < 1:
        raise ConfigError(f"service_level {service_level} must be in [0.5, 1)")
    params = solver or SolverParams(time_limit_s=10)
    items = _items(items)
    h = outlook.horizon_days
    weeks = h // 7
    t0 = pd.Timestamp(outlook.as_of)
    hist = demand.assign(date=pd.to_datetime(demand["date"]))
    hist = hist.loc[(hist["date"] > t0 - pd.Timedelta(days=91)) & (hist["date"] <= t0)]
    daily = (
        hist.pivot_table(index="date", columns="sku", values="quantity", aggfunc="sum")
        .reindex(pd.date_range(t0 - pd.Timedelta(days=90), t0), fill_value=0)
        .fillna(0)
    )
    mu = daily.mean().reindex(items["sku"]).fillna(0).to_numpy()
    sd = daily.std().reindex(items["sku"]).fillna(0).to_numpy()
    z = NormalDist().inv_cdf(service_level)
    lead = items["lead_time_days"].to_numpy(int)
    ss = z * sd * np.sqrt(np.maximum(lead, 1))
    terms = supplier_terms(suppliers)
    net = (
        items.get("supplier_id", pd.Series("", index=items.index))
        .astype(str)
        .map(terms)
        .fillna(30)
        .to_numpy(int)
    )
    keys = [position_key(e, c) for e, c in zip(items["entity_id"], items["currency"], strict=True)]
    unknown = sorted(set(keys) - set(outlook.keys))
    if unknown:
        raise DataError(
            [
                Problem(
                    file="inventory_items",
                    column="entity_id",
                    message=f"no cash position {k} in the outlook",
                )
                for k in unknown
            ]
        )
    use = sorted(set(keys))
    model = CashModel(
        ledgers_for(
            outlook,
            confidence=confidence,
            credit={k: CreditLine(limit=0, rate_pct=0) for k in use},
            keys=tuple(use),
        ),
        h,
    )
    ledger_of = {led.key: i for i, led in enumerate(model.ledgers)}
    fx = {led.key: led.fx for led in model.ledgers}
    lp = model.lp
    cost = items["unit_cost"].to_numpy(float)
    price = pd.to_numeric(
        items.get("unit_price", pd.Series(np.nan, index=items.index)), errors="coerce"
    ).to_numpy(float)
    price = np.where(np.isfinite(price), price, cost * 1.5)
    hold_rate = pd.to_numeric(items.get("holding_cost_rate", 0.2), errors="coerce")
    hold: np.ndarray = np.broadcast_to(np.asarray(hold_rate, float), (len(items),))
    moq_raw = pd.to_numeric(items.get("moq", 0), errors="coerce")
    moq: np.ndarray = np.broadcast_to(np.nan_to_num(np.asarray(moq_raw, float)), (len(items),))
    on_hand = np.broadcast_to(
        np.nan_to_num(np.asarray(pd.to_numeric(items.get("on_hand", 0), errors="coerce"), float)),
        (len(items),),
    )
    arrivals = np.zeros((len(items), weeks))
    if purchase_orders is not None and not purchase_orders.empty:
        po = purchase_orders.loc[purchase_orders.get("status", "open") == "open"]
        wk = ((pd.to_datetime(po["expected_date"]) - t0).dt.days // 7).clip(lower=0)
        pos = pd.Series(range(len(items)), index=items["sku"])
        for s, w, q in zip(po["sku"].map(pos), wk, po["quantity"], strict=True):
            if pd.notna(s) and w < weeks:
                arrivals[int(s), int(w)] += q
    built = []
    for i in range(len(items)):
        k = keys[i]
        f = fx[k]
        big = max(mu[i] * 7 * weeks * 2 + ss[i], moq[i] * 2, 1.0)
        q = model.add_vars(weeks, ub=big, parts={"purchases": 0.0})
        y = model.add_vars(weeks, ub=1.0, integer=True, parts={"ordering_cost": -ordering_cost * f})
        inv = lp.add_vars(weeks, lb=-np.inf)
        pos_ = model.add_vars(weeks, parts={"holding_cost": -hold[i] * cost[i] * 7 / 365 * f})
        short = model.add_vars(
            weeks, parts={"shortfall_cost": -max(price[i] - cost[i], 0.5 * cost[i]) * f}
        )
        lag = int(np.ceil(lead[i] / 7))
        bal = lp.add_rows(weeks, lb=0.0, ub=0.0)  # inv[w] - inv[w-1] - q[w-lag] = arrivals - demand
        lp.add_terms(bal, inv, 1.0)
        lp.add_terms(bal[1:], inv[:-1], -1.0)
        if lag < weeks:
            lp.add_terms(bal[lag:], q[: weeks - lag], -1.0)
        rhs = arrivals[i] - mu[i] * 7
        rhs[0] += on_hand[i]
        lp.row_lb[-1] = rhs.copy()
        lp.row_ub[-1] = rhs.copy()
        for rows_lb, var, coef in ((0.0, pos_, -1.0), (ss[i], short, 1.0)):
            r = lp.add_rows(weeks, lb=rows_lb)  # pos - inv >= 0 ; inv + short >= ss
            lp.add_terms(r, inv, 1.0 if coef > 0 else -1.0)
            lp.add_terms(r, var, 1.0)
        link = lp.add_rows(weeks, ub=0.0)  # q <= big * y
        lp.add_terms(link, q, 1.0)
        lp.add_terms(link, y, -big)
        if moq[i] > 0:
            floor = lp.add_rows(weeks, lb=0.0)  # q >= moq * y
            lp.add_terms(floor, q, 1.0)
            lp.add_terms(floor, y, -moq[i])
        pay_day = np.arange(weeks) * 7 + lead[i] + net[i]
        model.add_flows(np.full(weeks, ledger_of[k]), pay_day, q, np.full(weeks, -cost[i] / SCALE))
        built.append((i, q, y, inv, short))
    model.build()
    sol = lp.solve(params, integer=True)
    info = lp._info(params, sol, sol, 0.0, "purchase MIP", "mip")
    info = info.model_copy(
        update={
            "seconds": round(sol.seconds, 4),
            "bound": sol.bound if np.isfinite(sol.bound) else None,
        }
    )
    parameters = {
        "service_level": service_level,
        "confidence": confidence,
        "ordering_cost": ordering_cost,
        "weeks": weeks,
    }
    provenance = {"as_of": outlook.as_of.isoformat(), "skus": len(items)}
    if sol.status not in ("optimal", "feasible"):
        e = pd.DataFrame()
        return PurchasePlan(
            status="error",
            orders=e,
            stock=e,
            objective={},
            solve=info,
            parameters=parameters,
            provenance=provenance,
        )
    x = sol.x
    orders, stock = [], []
    for i, q, _y, inv, short in built:
        for w in range(weeks):
            qty = float(np.round(x[q[w]], 2))
            if qty > 1e-6:
                when = outlook.dates[0] + pd.Timedelta(days=7 * w)
                orders.append(
                    {
                        "sku": items["sku"].iloc[i],
                        "key": keys[i],
                        "supplier_id": items.get(
                            "supplier_id", pd.Series("", index=items.index)
                        ).iloc[i],
                        "order_date": when,
                        "quantity": qty,
                        "amount": round(qty * cost[i], 2),
                        "arrival": when + pd.Timedelta(days=int(lead[i])),
                        "pay_date": when + pd.Timedelta(days=int(lead[i] + net[i])),
                    }
                )
            stock.append(
                {
                    "sku": items["sku"].iloc[i],
                    "week": w + 1,
                    "stock": round(float(x[inv[w]]), 2),
                    "safety_stock": round(float(ss[i]), 2),
                    "below_safety": round(float(x[short[w]]), 2),
                }
            )
    orders_f = pd.DataFrame(
        orders,
        columns=[
            "sku",
            "key",
            "supplier_id",
            "order_date",
            "quantity",
            "amount",
            "arrival",
            "pay_date",
        ],
    )
    relax = relaxations(model, x, outlook.dates, confidence)
    parts = model.objective_parts(x)
    parts.pop("purchases", None)
    parts["total"] = round(sum(parts.values()), 2)
    first = orders_f.loc[orders_f["order_date"] == outlook.dates[0]] if len(orders_f) else orders_f
    proposals = tuple(
        ProposedAction(
            action="purchase_plan_change",
            title=f"Order {len(g)} SKUs now for "
            f"{money(float(g['amount'].sum()), str(k).split('/')[1])}",
            entity_id=str(k).split("/")[0],
            currency=str(k).split("/")[1],
            amount=round(float(g["amount"].sum()), 2),
            amount_reporting=round(float(g["amount"].sum()) * fx[str(k)], 2),
            rationale=(
                "orders due now to keep the service level; payments fall on dates the cash "
                "outlook can carry"
            ),
            items=tuple(
                ActionItem(
                    ref=str(r.sku),
                    counterparty=str(r.supplier_id),
                    amount=float(r.amount),
                    date=pd.Timestamp(r.order_date).date(),
                    details={
                        "quantity": float(r.quantity),
                        "pay_date": pd.Timestamp(r.pay_date).date().isoformat(),
                    },
                )
                for r in rows(g)
            ),
            source="optimize_purchases",
            as_of=outlook.as_of,
        )
        for k, g in first.groupby("key", sort=True)
        if str(k) not in {r.key for r in relax}
    )
    return PurchasePlan(
        status="infeasible" if relax else "feasible",
        orders=orders_f,
        stock=pd.DataFrame(stock),
        objective=parts,
        relaxation=relax,
        solve=info,
        parameters=parameters,
        proposals=proposals,
        provenance=provenance,
    )


def today(outlook: CashOutlook) -> date:
    return outlook.as_of
