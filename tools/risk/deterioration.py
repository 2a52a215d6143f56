"""Counterparty deterioration as an early warning: customers that stopped paying.

A forecast learns slowly that a customer has stopped paying: its invoices just look a
little more overdue each day. This check looks for the silence directly and asks the
liquidity engine what it would mean:

- a customer is **silent** when it has paid at least ``min_history`` times in the last
  year, nothing for more than ``factor`` times its usual gap between payment days (and at
  least ``min_days``), and has invoices past due;
- the **conditional outlook** assumes the silent customers pay nothing more in the horizon:
  their open invoices' expected receipts are removed; with ``future_receipts`` the receipts
  of their future invoices (their share of the position's invoicing over the last year)
  are cut from ``lag_days`` on as well. That is off by default: the cut applies to the
  position's receipts as a whole, and a customer on credit hold also stops causing costs,
  so it overstates the loss and raises false alarms;
- a **warning** is raised for each scope with a policy floor whose breach probability under
  that assumption crosses the policy's warning threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook
from tools.risk.alerts import Alert, business_days
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import LiquidityRisk, ScopeRisk

__all__ = ["counterparty_warnings", "silent_customers"]


def silent_customers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    min_history: int = 6,
    factor: float = 3.0,
    min_days: int = 14,
) -> pd.DataFrame:
    """Customers that stopped paying: one row each with what shows it.

    Columns: customer_id, entity_id, currency, last_paid, days_silent, usual_gap,
    overdue, open_amount, share (of its entity and currency's invoicing, last 365 days).
    """
    cols = [
        "customer_id",
        "entity_id",
        "currency",
        "last_paid",
        "days_silent",
        "usual_gap",
        "overdue",
        "open_amount",
        "share",
    ]
    receipts = tables.get("ar_receipts", pd.DataFrame())
    invoices = tables.get("ar_invoices", pd.DataFrame())
    if receipts.empty or invoices.empty:
        return pd.DataFrame(columns=cols)
    t = pd.Timestamp(as_of)
    year = t - pd.Timedelta(days=365)
    paid = receipts.loc[(pd.to_datetime(receipts["payment_date"]) <= t)]
    days = pd.to_datetime(paid["payment_date"])
    paid = paid.assign(day=days).loc[days > year]
    docs = invoices.loc[invoices["doc_type"] != "credit_note"].copy()
    docs["issue_date"] = pd.to_datetime(docs["issue_date"])
    docs["due_date"] = pd.to_datetime(docs["due_date"])
    docs = docs.loc[docs["issue_date"] <= t]
    billed = docs.loc[docs["issue_date"] > year]
    by_pos = billed.groupby(["entity_id", "currency"])["amount"].sum()
    rows = []
    for customer, group in paid.groupby("customer_id"):
        pay_days = np.sort(group["day"].unique())
        if len(pay_days) < min_history:
            continue
        gap = float(np.median(np.diff(pay_days).astype("timedelta64[D]").astype(float)))
        silent = (t - pd.Timestamp(pay_days[-1])).days
        if silent <= max(min_days, factor * gap):
            continue
        mine = docs.loc[docs["customer_id"] == customer]
        open_ = mine.loc[mine["open_amount"] > 0]
        overdue = float(open_.loc[open_["due_date"] < t, "open_amount"].sum())
        if overdue <= 0:
            continue
        entity, currency = mine["entity_id"].iloc[-1], mine["currency"].iloc[-1]
        own = float(billed.loc[billed["customer_id"] == customer, "amount"].sum())
        total = float(by_pos.get((entity, currency), 0.0))
        rows.append(
            (
                customer,
                entity,
                currency,
                pd.Timestamp(pay_days[-1]).date(),
                silent,
                gap,
                round(overdue, 2),
                round(float(open_["open_amount"].sum()), 2),
                round(own / total, 4) if total > 0 else 0.0,
            )
        )
    return pd.DataFrame(rows, columns=cols)


def _without(
    outlook: CashOutlook, silent: pd.DataFrame, expected: pd.DataFrame, lag_days: int | None
) -> CashOutlook:
    paths = dict(outlook.paths)
    keys = {p.key: p for p in outlook.positions}
    start = outlook.horizon_days if lag_days is None else min(lag_days, outlook.horizon_days)
    for key, group in silent.assign(key=silent["entity_id"] + "/" + silent["currency"]).groupby(
        "key"
    ):
        arr = paths.get((str(key), "customer_receipt"))
        if arr is None or key not in keys:
            continue
        mine = expected.loc[
            (expected["key"] == key) & expected["customer_id"].isin(set(group["customer_id"]))
        ]
        off = (pd.to_datetime(mine["ds"]) - outlook.dates[0]).dt.days.clip(lower=0).to_numpy()
        inside = off < outlook.horizon_days
        removed = np.zeros(outlook.horizon_days)
        np.add.at(removed, off[inside].astype(int), mine["amount"].to_numpy(float)[inside])
        factor = np.ones(outlook.horizon_days)
        factor[start:] = max(1.0 - float(group["share"].sum()), 0.0)
        paths[(str(key), "customer_receipt")] = np.maximum(arr - removed, 0.0) * factor
    return outlook.with_paths(paths, provenance={"scenario_name": "silent customers pay nothing"})


def counterparty_warnings(
    outlook: CashOutlook,
    policy: Policy,
    silent: pd.DataFrame,
    *,
    expected_receipts: pd.DataFrame,
    future_receipts: bool = False,
    lag_days: int = 30,
) -> tuple[Alert, ...]:
    """Warnings for the scopes that would breach if the silent customers paid nothing more.

    ``expected_receipts`` is ``tools.scenarios.expected_receipts_from(forecast.receivables)``.
    """
    if silent.empty:
        return ()
    lag = lag_days if future_receipts else None
    risk = liquidity_risk(_without(outlook, silent, expected_receipts, lag), policy)
    names = ", ".join(
        f"{r.customer_id} ({r.overdue:,.0f} {r.currency} overdue, silent {r.days_silent} days, "
        f"usually every {r.usual_gap:.0f})"
        for r in silent.itertuples(index=False)
    )
    return conditional_breach_alerts(
        risk,
        title="customers stopped paying; minimum cash at risk",
        cause=lambda scope, p: (
            f"if the customers that stopped paying do not pay, "
            f"{scope.scope} has a {p:.0%} chance of ending {scope.first_breach_date} below the "
            f"{scope.minimum:,.0f} {scope.currency} minimum; silent: {names}"
        ),
        data={"customers": silent.to_dict("records")},
    )


def conditional_breach_alerts(
    risk: LiquidityRisk,
    *,
    title: str,
    cause: Callable[[ScopeRisk, float], str],
    data: dict[str, Any],
) -> tuple[Alert, ...]:
    """A warning per policy scope that breaches under a conditional outlook (customers that
    stopped paying, suppliers that demand prepayment), at its first likely breach."""
    out = []
    for scope in risk.policy_scopes:
        if scope.first_breach_date is None:
            continue
        day = risk.dates.index(scope.first_breach_date)
        p = scope.breach_probability[day]
        out.append(
            Alert(
                severity="warning",
                kind="liquidity",
                scope=scope.scope,
                title=f"{scope.scope}: {title}",
                cause=cause(scope, p),
                as_of=risk.as_of,
                breach_date=scope.first_breach_date,
                lead_time_days=business_days(risk.as_of, scope.first_breach_date),
                probability=p,
                data={
                    **data,
                    "conditional_breach_probability": p,
                    "minimum": scope.minimum,
                    "currency": scope.currency,
                    "credit_available": scope.credit_available,
                },
            )
        )
    return tuple(out)
