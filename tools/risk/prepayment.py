"""Suppliers that switched to payment at order, as an early warning.

When a supplier starts demanding prepayment, cash leaves earlier: for a while the company
pays the bills of goods already received on the old terms *and* the new orders up front.
A forecast learns this slowly (the supplier's bills look like any others). This check
looks for the switch directly and asks the liquidity engine what it would mean:

- a supplier has **switched to prepayment** when at least ``min_recent`` of its bills of
  the last 400 days, the latest within ``lookback_days``, were due on or before their
  issue date, while its other bills were due a median of at least ``min_terms_days`` days
  after issue (on ``min_history`` bills or more); the switch dates from the first of them
  (bills on the old terms keep coming for a while for goods ordered before it);
- the **conditional outlook** adds the transition: payment moves from the usual days after
  the bill (issued at receipt) to the order, so it comes earlier by the supplier's lead
  time (``purchase_orders``: order to expected receipt) plus those days; for that many days
  from the switch the company pays new orders up front while the old bills still fall due,
  so the position pays its daily purchases from the supplier (last year's billing / 365) a
  second time on each of the days left;
- a **warning** is raised for each scope with a policy floor whose breach probability under
  that assumption crosses the day's warning level and is at least ``min_effect`` above the
  forecast's own (``conditional_breach_alerts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook, position_key
from tools.risk.alerts import Alert
from tools.risk.deterioration import MIN_EFFECT, conditional_breach_alerts
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import LiquidityRisk

__all__ = ["prepaying_suppliers", "prepayment_warnings"]

_COLUMNS = [
    "supplier_id",
    "entity_id",
    "currency",
    "since",
    "recent_prepaid",
    "usual_days",
    "days_left",
    "daily_billing",
    "transition_amount",
]


def prepaying_suppliers(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    lookback_days: int = 30,
    min_recent: int = 2,
    min_history: int = 6,
    min_terms_days: int = 7,
) -> pd.DataFrame:
    """Suppliers that recently switched to payment at order: one row each.

    Columns: supplier_id, entity_id, currency, since (first bill due at issue),
    recent_prepaid (bills due at issue), usual_days (median days from bill to
    payment before), days_left (usual_days less the days since the switch: the paying twice
    still ahead), daily_billing (last year's billing / 365), transition_amount
    (daily_billing x days_left).
    """
    bills = tables.get("ap_bills", pd.DataFrame())
    if bills.empty:
        return pd.DataFrame(columns=_COLUMNS)
    t = pd.Timestamp(as_of)
    docs = bills.loc[bills["doc_type"] == "bill"].copy()
    for col in ("issue_date", "due_date", "paid_date"):
        docs[col] = pd.to_datetime(docs[col])
    docs = docs.loc[(docs["issue_date"] <= t) & (docs["issue_date"] > t - pd.Timedelta(days=400))]
    leads = _lead_days(tables.get("purchase_orders"))
    rows = []
    for supplier, group in docs.sort_values("issue_date", kind="stable").groupby("supplier_id"):
        at_order = group["due_date"] <= group["issue_date"]
        now = group.loc[at_order]
        if len(now) < min_recent or now["issue_date"].max() <= t - pd.Timedelta(days=lookback_days):
            continue
        since = now["issue_date"].min()
        # bills on the old terms keep coming for goods ordered before the switch
        before = group.loc[~at_order]
        if len(before) < min_history:
            continue
        terms = float((before["due_date"] - before["issue_date"]).dt.days.median())
        if terms < min_terms_days:
            continue  # always paid at or near order: nothing changed
        paid = before.loc[before["paid_date"].notna()]
        delay = (paid["paid_date"] - paid["issue_date"]).dt.days
        usual = round(float(delay.median())) if len(delay) else round(terms)
        usual += leads.get(str(supplier), 0)
        left = usual - (t - since).days  # days of paying twice still ahead
        if left <= 0:
            continue  # the transition is over and in the bank history
        year = group.loc[group["issue_date"] > t - pd.Timedelta(days=365), "amount"].sum()
        daily = float(year) / 365.0
        rows.append(
            (
                supplier,
                str(group["entity_id"].iloc[-1]),
                str(group["currency"].iloc[-1]),
                since.date(),
                len(now),
                usual,
                left,
                round(daily, 2),
                round(daily * left, 2),
            )
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def _lead_days(orders: pd.DataFrame | None) -> dict[str, int]:
    """Median days from order to expected receipt per supplier (bills used to follow receipt)."""
    if orders is None or orders.empty or "expected_date" not in orders:
        return {}
    expected, ordered = (
        pd.to_datetime(orders["expected_date"]),
        pd.to_datetime(orders["order_date"]),
    )
    days = (expected - ordered).dt.days
    return {
        str(k): round(float(v)) for k, v in days.groupby(orders["supplier_id"]).median().items()
    }


def _with_transition(outlook: CashOutlook, suppliers: pd.DataFrame) -> CashOutlook:
    paths = dict(outlook.paths)
    keys = set(outlook.keys)
    for r in suppliers.to_dict("records"):
        key = position_key(str(r["entity_id"]), str(r["currency"]))
        if key not in keys:
            continue
        extra = np.zeros(outlook.horizon_days)
        extra[: min(int(r["days_left"]), outlook.horizon_days)] = -float(r["daily_billing"])
        current = paths.get((key, "supplier_payment"))
        base = current if current is not None else np.zeros((outlook.n_paths, len(extra)))
        paths[(key, "supplier_payment")] = base + extra
    return outlook.with_paths(
        paths, provenance={"scenario_name": "suppliers switched to prepayment"}
    )


def prepayment_warnings(
    outlook: CashOutlook,
    policy: Policy,
    suppliers: pd.DataFrame,
    *,
    baseline: LiquidityRisk | None = None,
    min_effect: float = MIN_EFFECT,
) -> tuple[Alert, ...]:
    """Warnings for the scopes that would breach through the suppliers' switch to
    prepayment (``suppliers`` from ``prepaying_suppliers``); ``baseline`` is
    ``liquidity_risk(outlook, policy)`` when already at hand."""
    if suppliers.empty:
        return ()
    base = baseline if baseline is not None else liquidity_risk(outlook, policy)
    risk = liquidity_risk(
        _with_transition(outlook, suppliers), policy, horizon_days=base.horizon_days
    )
    names = ", ".join(
        f"{r.supplier_id} (bills due at issue since {r.since}, paid after {r.usual_days} days "
        f"before; about {r.transition_amount:,.0f} {r.currency} paid twice over the switch)"
        for r in suppliers.itertuples(index=False)
    )
    return conditional_breach_alerts(
        risk,
        baseline=base,
        title="suppliers demand prepayment; minimum cash at risk",
        cause=lambda scope, when, p, p0: (
            f"with the suppliers that switched to prepayment paid up "
            f"front while their old bills fall due, {scope.scope} has a {p:.0%} chance of ending "
            f"{when} below the {scope.minimum:,.0f} {scope.currency} minimum ({p0:.0%} as "
            f"forecast); switched: {names}"
        ),
        data={"suppliers": suppliers.to_dict("records")},
        min_effect=min_effect,
    )
