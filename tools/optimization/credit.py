"""Customer credit: dynamic limits within the policy band, and early-payment discount offers.

Limits: the target is the customer's expected sales over the time its invoices stay open
(terms plus its median days late), times a behaviour factor (1.2 prompt payer, 1.0, 0.8
often late, 0.6 chronic late or disputes), never below today's exposure for prompt payers;
the move from the current limit is clipped to ``policy.credit.max_limit_change_pct``.

Discount offers: for a not-yet-due invoice, an offer of ``d`` % for payment within
``window_days`` brings the cash forward from the customer's expected pay date; the
customer accepts with probability ``p_max * (1 - exp(-APR / apr_scale))`` (APR = the
offer's annualised rate). Expected value = p * amount * (cost_of_funds * days gained / 365
- d). The best ``d`` is offered when its expected value is positive.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd
from pydantic import Field

from tools.domain.policy import Policy
from tools.domain.proposals import ActionItem, ProposedAction
from tools.errors import ConfigError
from tools.optimization.explain import money
from tools.optimization.receivables import _open_ar
from tools.optimization.results import OptimizationResult, rows

__all__ = ["CreditLimitPlan", "DiscountOfferPlan", "credit_limits", "discount_offers"]


class CreditLimitPlan(OptimizationResult):
    limits: pd.DataFrame
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


class DiscountOfferPlan(OptimizationResult):
    offers: pd.DataFrame
    objective: dict[str, float]
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


def _behaviour(ar: pd.DataFrame, as_of: date) -> pd.DataFrame:
    settled = ar.loc[ar.get("settled_date", pd.Series(pd.NaT, index=ar.index)).notna()]
    late = (pd.to_datetime(settled["settled_date"]) - pd.to_datetime(settled["due_date"])).dt.days
    stats = pd.DataFrame({"customer_id": settled["customer_id"], "late": late})
    # Named aggregation returns a DataFrame; the stubs type SeriesGroupBy.agg as a Series.
    out = cast(
        pd.DataFrame,
        stats.groupby("customer_id")["late"].agg(
            median_late="median", share_late=lambda s: float((s > 5).mean())
        ),
    )
    since = pd.Timestamp(as_of) - pd.Timedelta(days=180)
    recent = (
        ar.loc[pd.to_datetime(ar["issue_date"]) > since] if "issue_date" in ar else ar.iloc[0:0]
    )
    out["daily_sales"] = recent.groupby("customer_id")["amount"].sum() / 180
    disputed = ar["disputed"] if "disputed" in ar else pd.Series(False, index=ar.index)
    out["disputes"] = disputed.astype(bool).groupby(ar["customer_id"]).sum()
    return out.fillna(0.0)


def credit_limits(
    customers: pd.DataFrame, ar_invoices: pd.DataFrame, policy: Policy, *, as_of: date
) -> CreditLimitPlan:
    """New credit limits per customer from behaviour, exposure and expected sales."""
    if policy is None:
        raise ConfigError("credit_limits needs the treasury policy (credit.max_limit_change_pct)")
    band = policy.credit.max_limit_change_pct / 100
    beh = _behaviour(ar_invoices, as_of)
    exposure = _open_ar(ar_invoices, as_of).groupby("customer_id")["open"].sum()
    c = customers.set_index("customer_id")
    frame = pd.DataFrame(index=c.index)
    limits = c["credit_limit"] if "credit_limit" in c else pd.Series(np.nan, index=c.index)
    terms = c["payment_terms_days"] if "payment_terms_days" in c else pd.Series(30, index=c.index)
    frame["current"] = pd.to_numeric(limits, errors="coerce")
    frame["terms"] = pd.to_numeric(terms, errors="coerce").fillna(30)
    frame = frame.join(beh, how="left").fillna(
        {"median_late": 0.0, "share_late": 0.0, "daily_sales": 0.0, "disputes": 0.0}
    )
    frame["exposure"] = exposure.reindex(frame.index).fillna(0.0)
    factor = np.select(
        [
            (frame["share_late"] > 0.6) | (frame["disputes"] > 2),
            frame["share_late"] > 0.3,
            frame["share_late"] < 0.1,
        ],
        [0.6, 0.8, 1.2],
        1.0,
    )
    frame["factor"] = factor
    frame["target"] = (
        frame["daily_sales"] * (frame["terms"] + frame["median_late"].clip(lower=0)) * factor
    )
    frame.loc[factor >= 1.2, "target"] = np.maximum(frame["target"], frame["exposure"])[
        factor >= 1.2
    ]
    has = frame["current"].notna() & (frame["current"] > 0)
    lo, hi = frame["current"] * (1 - band), frame["current"] * (1 + band)
    frame["proposed"] = np.where(has, frame["target"].clip(lower=lo, upper=hi), np.nan).round(-2)
    frame["change"] = frame["proposed"] - frame["current"]
    frame["over_limit"] = frame["exposure"] > frame["proposed"]
    frame = frame.reset_index()
    moved = frame.loc[
        frame["proposed"].notna() & (frame["change"].abs() >= 0.01 * frame["current"])
    ]
    proposals = tuple(
        ProposedAction(
            action="credit_limit_change",
            title=f"{'Raise' if r.change > 0 else 'Lower'} {r.customer_id}'s credit limit "
            f"to {r.proposed:,.0f}",
            entity_id=str(c.loc[r.customer_id].get("entity_id", "group")),
            currency=str(c.loc[r.customer_id].get("currency") or policy.reporting_currency),
            amount=round(abs(float(r.change)), 2),
            amount_reporting=round(abs(float(r.change)), 2),
            rationale=(
                f"expected sales {r.daily_sales:,.0f}/day over {r.terms:.0f} days terms + "
                f"{r.median_late:.0f} days late, behaviour factor {r.factor}; "
                f"exposure {r.exposure:,.0f}; move capped at {band:.0%}"
            ),
            items=(
                ActionItem(
                    ref=str(r.customer_id),
                    counterparty=str(r.customer_id),
                    amount=float(r.proposed),
                    details={"current": float(r.current), "target": round(float(r.target), 2)},
                ),
            ),
            source="credit_limits",
            as_of=as_of,
            evidence={
                "current": float(r.current),
                "proposed": float(r.proposed),
                "exposure": float(r.exposure),
            },
        )
        for r in rows(moved)
    )
    return CreditLimitPlan(
        limits=frame,
        parameters={"max_limit_change_pct": policy.credit.max_limit_change_pct},
        proposals=proposals,
        provenance={"as_of": as_of.isoformat(), "customers": len(frame)},
    )


def discount_offers(
    ar_invoices: pd.DataFrame,
    *,
    as_of: date,
    cost_of_funds_pct: float,
    offers_pct: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0),
    window_days: int = 10,
    p_max: float = 0.6,
    apr_scale: float = 0.25,
    min_amount: float = 10_000.0,
) -> DiscountOfferPlan:
    """Early-payment discount offers worth more in cash timing than they cost."""
    if cost_of_funds_pct < 0 or not offers_pct or any(not 0 < d < 100 for d in offers_pct):
        raise ConfigError("cost_of_funds_pct must be >= 0 and offers_pct percents in (0, 100)")
    t = pd.Timestamp(as_of)
    beh = _behaviour(ar_invoices, as_of)
    ar = _open_ar(ar_invoices, as_of)
    ar = ar.loc[
        (ar["due_date"] > t + pd.Timedelta(days=window_days)) & (ar["open"] >= min_amount)
    ].copy()
    late = (
        ar["customer_id"]
        .map(beh["median_late"] if "median_late" in beh else pd.Series(dtype=float))
        .fillna(0)
        .clip(lower=0)
    )
    ar["expected_days"] = (ar["due_date"] - t).dt.days + late
    ar["days_gained"] = (ar["expected_days"] - window_days).clip(lower=0)
    best_v = np.zeros(len(ar))
    best_d = np.zeros(len(ar))
    best_p = np.zeros(len(ar))
    for d in offers_pct:
        frac = d / 100
        apr = np.where(
            ar["days_gained"] > 0, frac / (1 - frac) * 365 / ar["days_gained"].clip(lower=1), 0.0
        )
        p = p_max * (1 - np.exp(-apr / apr_scale))
        value = (
            p
            * ar["open"].to_numpy()
            * (cost_of_funds_pct / 100 * ar["days_gained"].to_numpy() / 365 - frac)
        )
        better = value > best_v
        best_v = np.where(better, value, best_v)
        best_d = np.where(better, d, best_d)
        best_p = np.where(better, p, best_p)
    ar["offer_pct"], ar["p_accept"], ar["expected_value"] = best_d, best_p.round(3), best_v.round(2)
    offers = ar.loc[
        ar["expected_value"] > 0,
        [
            "invoice_id",
            "customer_id",
            "open",
            "due_date",
            "expected_days",
            "days_gained",
            "offer_pct",
            "p_accept",
            "expected_value",
        ],
    ].reset_index(drop=True)
    proposals = tuple(
        ProposedAction(
            action="discount_offer",
            title=f"Offer {cust} early-payment discounts on {len(g)} invoices",
            entity_id="group",
            currency="USD",
            amount=round(float(g["open"].sum()), 2),
            amount_reporting=round(float(g["open"].sum()), 2),
            value=round(float(g["expected_value"].sum()), 2),
            rationale=(
                f"cash {g['days_gained'].mean():.0f} days sooner is worth more at "
                f"{cost_of_funds_pct:g} % cost of funds than the discount; expected value "
                f"{money(float(g['expected_value'].sum()), 'USD')}"
            ),
            items=tuple(
                ActionItem(
                    ref=str(r.invoice_id),
                    counterparty=str(cust),
                    amount=float(r.open),
                    details={"offer_pct": float(r.offer_pct), "p_accept": float(r.p_accept)},
                )
                for r in rows(g)
            ),
            source="discount_offers",
            as_of=as_of,
            evidence={"expected_value": round(float(g["expected_value"].sum()), 2)},
        )
        for cust, g in offers.groupby("customer_id", sort=True)
    )
    return DiscountOfferPlan(
        offers=offers,
        objective={"expected_value": round(float(offers["expected_value"].sum()), 2)},
        parameters={
            "cost_of_funds_pct": cost_of_funds_pct,
            "offers_pct": list(offers_pct),
            "window_days": window_days,
            "p_max": p_max,
            "apr_scale": apr_scale,
        },
        proposals=proposals,
        provenance={"as_of": as_of.isoformat(), "invoices_considered": len(ar)},
    )
