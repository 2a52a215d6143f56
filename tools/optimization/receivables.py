"""Collections worklist under collector capacity.

Model (documented, simple on purpose): a customer's chance of paying its overdue balance
within 30 days without a contact is ``p0`` (from per-invoice predictions ``p_late`` when
given, else the share of the customer's settled invoices paid within 30 days of their
due date, shrunk towards 70 % for thin histories, lower the longer it is overdue). A
contact lifts it by ``uplift * (1 - p0)``; the expected cash gained is the overdue amount
times that lift. The worklist picks at most one action per customer (e-mail, call,
escalation, each with minutes and uplift) maximising expected cash within the collectors'
minutes: a multiple-choice knapsack solved as a MIP (LP + safe rounding on HiGHS).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.domain.proposals import ActionItem, ProposedAction
from tools.errors import ConfigError, DataError, Problem
from tools.optimization.explain import money
from tools.optimization.lp import SparseLp
from tools.optimization.results import OptimizationResult, SolveInfo, SolverParams, rows

__all__ = ["CollectionAction", "CollectionsPlan", "base_pay_probability", "collections_worklist"]


class CollectionAction(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    minutes: float = Field(gt=0)
    uplift: float = Field(gt=0, le=1, description="Share of the non-payment risk removed")


DEFAULT_ACTIONS = (
    CollectionAction(name="escalation", minutes=45, uplift=0.40),
    CollectionAction(name="call", minutes=15, uplift=0.25),
    CollectionAction(name="email", minutes=5, uplift=0.10),
)


class CollectionsPlan(OptimizationResult):
    status: Literal["feasible", "error"]
    worklist: pd.DataFrame = Field(description="Customer, action, overdue, p0, expected cash")
    objective: dict[str, float]
    solve: SolveInfo
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


def _open_ar(ar: pd.DataFrame, as_of: date) -> pd.DataFrame:
    missing = {"invoice_id", "customer_id", "due_date", "amount"} - set(ar.columns)
    if missing:
        raise DataError(
            [
                Problem(file="ar_invoices", column=c, message="column missing")
                for c in sorted(missing)
            ]
        )
    frame = ar.copy()
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    if frame["due_date"].isna().any():
        i = int(np.flatnonzero(frame["due_date"].isna().to_numpy())[0])
        raise DataError(
            [
                Problem(
                    file="ar_invoices",
                    row=i + 2,
                    column="due_date",
                    message=f"invoice {frame['invoice_id'].iloc[i]} has no due date",
                )
            ]
        )
    open_amt = frame["open_amount"] if "open_amount" in frame else frame["amount"]
    frame["open"] = pd.to_numeric(open_amt, errors="coerce").fillna(0.0)
    if "settled_date" in frame:
        frame.loc[frame["settled_date"].notna(), "open"] = 0.0
    if "doc_type" in frame:
        frame = frame.loc[frame["doc_type"].fillna("invoice") == "invoice"]
    return frame.loc[frame["open"] > 0]


def base_pay_probability(
    ar: pd.DataFrame, *, prior: float = 0.7, strength: float = 5.0
) -> pd.Series:
    """Per customer, the shrunk share of settled invoices paid within 30 days of due."""
    if "settled_date" not in ar:
        return pd.Series(dtype=float)
    settled = ar.loc[ar["settled_date"].notna()]
    late = (pd.to_datetime(settled["settled_date"]) - pd.to_datetime(settled["due_date"])).dt.days
    ok = (late <= 30).groupby(settled["customer_id"]).agg(["sum", "count"])
    return (ok["sum"] + prior * strength) / (ok["count"] + strength)


def collections_worklist(
    ar_invoices: pd.DataFrame,
    *,
    as_of: date,
    predictions: pd.DataFrame | None = None,
    collectors: int = 2,
    minutes_per_day: float = 360.0,
    days: int = 5,
    actions: tuple[CollectionAction, ...] = DEFAULT_ACTIONS,
    fx: dict[str, float] | None = None,
    solver: SolverParams | None = None,
) -> CollectionsPlan:
    """Who to contact this week, and how, for the most expected cash."""
    if collectors < 0 or minutes_per_day <= 0 or days <= 0:
        raise ConfigError("collectors must be >= 0 and minutes_per_day, days > 0")
    params = solver or SolverParams(time_limit_s=5)
    t = pd.Timestamp(as_of)
    ar = _open_ar(ar_invoices, as_of)
    overdue = ar.loc[ar["due_date"] < t].copy()
    overdue["days_overdue"] = (t - overdue["due_date"]).dt.days
    rate = overdue["currency"].map(fx or {}).fillna(1.0) if "currency" in overdue else 1.0
    overdue["open_reporting"] = overdue["open"] * rate
    p_hist = base_pay_probability(ar_invoices)
    if predictions is not None and "p_late" in predictions:
        p_inv = 1 - predictions.set_index("invoice_id")["p_late"].clip(0, 1)
        overdue["p0"] = overdue["invoice_id"].map(p_inv)
    else:
        overdue["p0"] = np.nan
    decay = np.exp(-overdue["days_overdue"].to_numpy() / 60)
    fallback = overdue["customer_id"].map(p_hist).fillna(0.7) * decay
    overdue["p0"] = overdue["p0"].fillna(fallback).clip(0.01, 0.99)
    cust = (
        overdue.groupby("customer_id")
        .agg(
            overdue=("open_reporting", "sum"),
            invoices=("invoice_id", "size"),
            oldest_days=("days_overdue", "max"),
            p0=("p0", "mean"),
        )
        .reset_index()
    )
    capacity = collectors * minutes_per_day * days
    lp = SparseLp()
    groups = []
    cands: list[tuple[Any, ...]] = []
    one = lp.add_rows(len(cust), ub=1.0)
    cap = lp.add_rows(1, ub=capacity)
    for i, c in enumerate(rows(cust)):
        gain = np.array([c.overdue * a.uplift * (1 - c.p0) for a in actions])
        cols = lp.add_vars(len(actions), ub=1.0, obj=gain, integer=True)
        lp.add_terms(np.full(len(actions), one[i]), cols, 1.0)
        lp.add_terms(np.full(len(actions), cap[0]), cols, np.array([a.minutes for a in actions]))
        groups.append(cols)
        cands.extend(
            (c.customer_id, a.name, a.minutes, g, int(col))
            for a, g, col in zip(actions, gain, cols, strict=True)
        )
    sol, info = lp.solve_rounded(params, groups, method="collections knapsack")
    cand = pd.DataFrame(cands, columns=["customer_id", "action", "minutes", "expected_cash", "col"])
    chosen = (
        cand.loc[sol.x[cand["col"].to_numpy()] > 0.5].drop(columns="col") if len(cand) else cand
    )
    worklist = (
        chosen.merge(cust, on="customer_id")
        .sort_values("expected_cash", ascending=False)
        .reset_index(drop=True)
    )
    worklist["expected_cash"] = worklist["expected_cash"].round(2)
    total = float(worklist["expected_cash"].sum())
    proposals: tuple[ProposedAction, ...] = ()
    if not worklist.empty:
        items = tuple(
            ActionItem(
                ref=str(r.customer_id),
                counterparty=str(r.customer_id),
                amount=round(float(r.overdue), 2),
                details={
                    "action": r.action,
                    "expected_cash": float(r.expected_cash),
                    "p0": round(float(r.p0), 3),
                    "invoices": int(r.invoices),
                },
            )
            for r in rows(worklist)
        )
        proposals = (
            ProposedAction(
                action="dunning_campaign",
                title=f"Contact {len(items)} customers this week "
                f"({money(total, 'USD')} expected cash)",
                entity_id="group",
                currency="USD",
                amount=round(float(worklist["overdue"].sum()), 2),
                amount_reporting=round(float(worklist["overdue"].sum()), 2),
                value=round(total, 2),
                rationale="largest expected cash per collector minute within "
                f"{capacity:.0f} minutes of capacity",
                items=items,
                source="collections_worklist",
                as_of=as_of,
                evidence={
                    "capacity_minutes": capacity,
                    "used_minutes": float(worklist["minutes"].sum()),
                },
            ),
        )
    return CollectionsPlan(
        status="feasible" if info.status in ("optimal", "feasible") else "error",
        worklist=worklist,
        objective={
            "expected_cash": round(total, 2),
            "minutes_used": float(worklist["minutes"].sum()) if len(worklist) else 0.0,
        },
        solve=info,
        parameters={
            "collectors": collectors,
            "minutes_per_day": minutes_per_day,
            "days": days,
            "actions": [a.model_dump() for a in actions],
            "probability_source": "predictions" if predictions is not None else "history",
        },
        proposals=proposals,
        provenance={
            "as_of": as_of.isoformat(),
            "overdue_invoices": len(overdue),
            "customers": len(cust),
        },
    )
