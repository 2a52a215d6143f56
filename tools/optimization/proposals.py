"""Plans turned into proposed actions the approval flow can route (one per run or order)."""

from __future__ import annotations

from datetime import date
from typing import cast

import pandas as pd

from tools.domain.policy import Policy
from tools.domain.proposals import ActionItem, ProposedAction
from tools.optimization.explain import money
from tools.optimization.results import rows

__all__ = ["draw_proposals", "payment_proposals", "split_key"]


def split_key(key: str) -> tuple[str, str]:
    entity, _, currency = key.partition("/")
    return entity, currency


def payment_proposals(
    plan: pd.DataFrame, fx: dict[str, float], *, as_of: date, policy: Policy | None = None
) -> list[ProposedAction]:
    """One payment run per position and pay date inside the horizon."""
    out = []
    inside = plan.loc[plan["in_horizon"]]
    for (key, when), run in inside.groupby(["key", "pay_date"], sort=True):
        entity, currency = split_key(str(key))
        total = float(run["amount"].sum())
        discounts = float(run["discount"].sum())
        fees = float(-run["late_fee"].sum())
        n_disc = int((run["kind"] == "discount").sum())
        n_late = int((run["days_late"] > 0).sum())
        day = pd.Timestamp(cast("date", when)).date()
        items = tuple(
            ActionItem(
                ref=str(r.bill_id),
                counterparty=str(r.supplier_id),
                amount=round(float(r.amount), 2),
                date=day,
                details={
                    "kind": str(r.kind),
                    "due_date": pd.Timestamp(r.due_date).date().isoformat(),
                    "discount": float(r.discount),
                    "days_late": int(r.days_late),
                    "critical": bool(r.critical),
                },
            )
            for r in rows(run)
        )
        reasons = [f"{len(run)} bills due by {pd.Timestamp(run['due_date'].max()).date()}"]
        if n_disc:
            reasons.append(f"{n_disc} paid early to take {money(discounts, currency)} of discounts")
        if n_late:
            reasons.append(
                f"{n_late} paid late within the policy window ({money(fees, currency)} fees)"
            )
        rate = fx.get(str(key), 1.0)
        out.append(
            ProposedAction(
                action="payment_run",
                title=f"Pay {len(run)} supplier bills, {money(total, currency)}, on {day}",
                entity_id=entity,
                currency=currency,
                amount=round(total, 2),
                amount_reporting=round(total * rate, 2),
                value=round((discounts - fees) * rate, 2),
                rationale="; ".join(reasons),
                items=items,
                source="optimize_payments",
                as_of=as_of,
                evidence={
                    "bills": len(run),
                    "discounts": round(discounts, 2),
                    "late_fees": round(fees, 2),
                    "approvers": policy.required_approvers("payment_run", total * rate)
                    if policy
                    else None,
                },
            )
        )
    return out


def draw_proposals(
    draws: pd.DataFrame,
    fx: dict[str, float],
    currency: dict[str, str],
    *,
    as_of: date,
    source: str = "optimize_payments",
) -> list[ProposedAction]:
    """One credit-line drawing proposal per position with a positive drawing."""
    out = []
    for key, frame in draws.groupby("key", sort=True):
        ups = frame.loc[frame["change"] > 0.5]
        if ups.empty:
            continue
        entity, ccy = split_key(str(key))
        total = float(ups["change"].sum())
        peak = float(frame["drawn"].max())
        items = tuple(
            ActionItem(
                ref=f"draw-{pd.Timestamp(r.ds).date()}",
                amount=round(float(r.change), 2),
                date=pd.Timestamp(r.ds).date(),
                details={"outstanding": float(r.drawn)},
            )
            for r in rows(ups)
        )
        rate = fx.get(str(key), 1.0)
        out.append(
            ProposedAction(
                action="credit_line_draw",
                title=f"Draw {money(total, ccy)} on the credit line ({len(items)} drawings, "
                f"peak {money(peak, ccy)})",
                entity_id=entity,
                currency=currency.get(str(key), ccy),
                amount=round(total, 2),
                amount_reporting=round(total * rate, 2),
                rationale=(
                    f"keeps the balance above the floor while the plan pays bills; outstanding "
                    f"peaks at {money(peak, ccy)} and is repaid as cash allows"
                ),
                items=items,
                source=source,
                as_of=as_of,
                evidence={
                    "peak_outstanding": round(peak, 2),
                    "days_drawn": int((frame["drawn"] > 0.5).sum()),
                },
            )
        )
    return out
