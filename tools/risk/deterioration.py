"""Counterparty deterioration as an early warning: customers that stopped paying.

A forecast learns slowly that a customer has stopped paying: its invoices just look a
little more overdue each day. This check looks for the silence directly and asks the
liquidity engine what it would mean:

- a customer is **silent** when it has paid at least ``min_history`` times in the last
  year, nothing for more than ``factor`` times its usual gap between payment days (and at
  least ``min_days``), and has invoices past due;
- the **conditional outlook** assumes the silent customers pay nothing more in the horizon:
  what the forecast still expects from their open invoices is removed (``forecast_receipts``:
  the forecast already doubts a long-silent customer, so removing the full open amount would
  take other customers' receipts with it); with ``future_receipts`` the receipts
  of their future invoices (their share of the position's invoicing over the last year)
  are cut from ``lag_days`` on as well. That is off by default: the cut applies to the
  position's receipts as a whole, and a customer on credit hold also stops causing costs,
  so it overstates the loss and raises false alarms;
- a **warning** is raised for each scope with a policy floor whose breach probability under
  that assumption crosses the day's warning level (``tools.risk.alerts.risk_levels``) *and*
  is at least ``min_effect`` above the forecast's own on that day: where the customers make
  no difference the risk is the forecast's own, which ``early_warnings`` reports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook
from tools.risk.alerts import Alert, business_days, risk_levels
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import LiquidityRisk, ScopeRisk

__all__ = [
    "MIN_EFFECT",
    "conditional_breach_alerts",
    "counterparty_warnings",
    "forecast_receipts",
    "silent_customers",
]

MIN_EFFECT = 0.1  # a counterparty must add 10 points to a day's breach probability


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


def forecast_receipts(receivables: pd.DataFrame) -> pd.DataFrame:
    """What the forecast expects from each open invoice within its horizon, on the invoice's
    expected payment date: ``customer_id, key, ds, amount``.

    ``receivables`` is ``CashForecast.receivables``. The amount is ``expected_in_horizon``
    (the open amount times the chance it is paid within the horizon, in cash, by a customer
    that may have gone silent); the open amount where that column is missing.
    """
    cols = ["customer_id", "key", "ds", "amount"]
    if receivables is None or receivables.empty:
        return pd.DataFrame(columns=cols)
    frame = receivables.dropna(subset=["expected_date"])
    column = "expected_in_horizon" if "expected_in_horizon" in frame else "open_amount"
    amount = frame[column]
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype(str),
            "key": frame["key"].astype(str),
            "ds": pd.to_datetime(frame["expected_date"]),
            "amount": amount.astype(float),
        }
    )[cols]


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
    baseline: LiquidityRisk | None = None,
    future_receipts: bool = False,
    lag_days: int = 30,
    min_effect: float = MIN_EFFECT,
) -> tuple[Alert, ...]:
    """Warnings for the scopes that would breach if the silent customers paid nothing more.

    Args:
        expected_receipts: ``forecast_receipts(forecast.receivables)``: what the forecast
            expects from each open invoice.
        baseline: ``liquidity_risk(outlook, policy)`` when already at hand (computed
            otherwise): the forecast's own risk the customers' effect is measured against.
        min_effect: the least the silence must add to a day's breach probability.
    """
    if silent.empty:
        return ()
    lag = lag_days if future_receipts else None
    base = baseline if baseline is not None else liquidity_risk(outlook, policy)
    risk = liquidity_risk(
        _without(outlook, silent, expected_receipts, lag), policy, horizon_days=base.horizon_days
    )
    names = ", ".join(
        f"{r.customer_id} ({r.overdue:,.0f} {r.currency} overdue, silent {r.days_silent} days, "
        f"usually every {r.usual_gap:.0f})"
        for r in silent.itertuples(index=False)
    )
    return conditional_breach_alerts(
        risk,
        baseline=base,
        title="customers stopped paying; minimum cash at risk",
        cause=lambda scope, when, p, p0: (
            f"if the customers that stopped paying do not pay, "
            f"{scope.scope} has a {p:.0%} chance of ending {when} below the "
            f"{scope.minimum:,.0f} {scope.currency} minimum ({p0:.0%} if they pay as "
            f"forecast); silent: {names}"
        ),
        data={"customers": silent.to_dict("records")},
        min_effect=min_effect,
    )


def conditional_breach_alerts(
    risk: LiquidityRisk,
    *,
    baseline: LiquidityRisk,
    title: str,
    cause: Callable[[ScopeRisk, date, float, float], str],
    data: dict[str, Any],
    min_effect: float = MIN_EFFECT,
) -> tuple[Alert, ...]:
    """A warning per policy scope that breaches under a conditional outlook (customers that
    stopped paying, suppliers that demand prepayment) because of the counterparties.

    The breach date is the first day whose conditional breach probability is above the
    day's warning level (``risk_levels``) and at least ``min_effect`` above ``baseline``'s
    (the forecast's own) on that day. ``cause(scope, day, p, p_baseline)`` words it. The
    alerts carry ``data["evidence"] = "counterparty"``: observed behaviour, which ``watch``
    does not wait to see confirmed by a second run.
    """
    levels = risk_levels(risk)
    out = []
    for scope in risk.policy_scopes:
        cond = np.asarray(scope.breach_probability)
        base = np.asarray(baseline.scope(scope.scope).breach_probability)
        hits = np.flatnonzero((cond > levels) & (cond - base >= min_effect))
        if not hits.size:
            continue
        day = int(hits[0])
        when = risk.dates[day]
        p, p0 = float(cond[day]), float(base[day])
        out.append(
            Alert(
                severity="warning",
                kind="liquidity",
                scope=scope.scope,
                title=f"{scope.scope}: {title}",
                cause=cause(scope, when, p, p0),
                as_of=risk.as_of,
                breach_date=when,
                lead_time_days=business_days(risk.as_of, when),
                probability=p,
                data={
                    **data,
                    "evidence": "counterparty",
                    "conditional_breach_probability": p,
                    "baseline_breach_probability": p0,
                    "warning_level": round(float(levels[day]), 4),
                    "minimum": scope.minimum,
                    "currency": scope.currency,
                    "credit_available": scope.credit_available,
                },
            )
        )
    return tuple(out)
