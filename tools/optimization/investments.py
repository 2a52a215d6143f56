"""Idle-cash investment ladder: overnight, money-market fund, 1W/1M/3M deposits, T-bills.

Maximises yield while every day's balance at the chosen confidence stays above the floor
(maturities cover the outlook's lower-quantile cumulative needs), within the policy's
instrument amount/share limits, counterparty limits and maximum tenor. Open bills are
paid on ``pay_dates`` (a payment plan) or their due dates. An LP on HiGHS.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from tools.domain.policy import Policy
from tools.domain.proposals import ActionItem, ProposedAction
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook
from tools.optimization.cash_model import RESERVE_WIDENING, SCALE, CashModel, ledgers_for
from tools.optimization.explain import bindings, money, relaxations
from tools.optimization.inputs import (
    CreditLine,
    check_confidence,
    check_reserve_widening,
    credit_lines,
    money_market_rates,
)
from tools.optimization.instruments import add_investments, house_banks
from tools.optimization.payment_plan import draws_frame
from tools.optimization.proposals import draw_proposals, split_key
from tools.optimization.results import (
    Binding,
    OptimizationResult,
    Relaxation,
    SolveInfo,
    SolverParams,
    rows,
)

__all__ = ["InvestmentPlan", "investment_proposals", "ladder_frame", "optimize_investments"]


class InvestmentPlan(OptimizationResult):
    """Placements per instrument and day, the yield they earn, and what limits them."""

    status: Literal["feasible", "infeasible", "error"]
    ladder: pd.DataFrame = Field(description="Placements: key, instrument, placed, matures, amount")
    draws: pd.DataFrame
    balances: pd.DataFrame
    objective: dict[str, float]
    binding: tuple[Binding, ...] = ()
    relaxation: tuple[Relaxation, ...] = ()
    solve: SolveInfo
    parameters: dict[str, Any]
    proposals: tuple[ProposedAction, ...] = ()
    provenance: dict[str, Any] = Field(default_factory=dict)


def ladder_frame(inv: pd.DataFrame, x: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Non-zero placements (same-day balances as one row per day held)."""
    amount = np.round(x[inv["col"].to_numpy()] * SCALE, 2)
    frame = inv.assign(amount=amount).loc[amount > 0.5].copy()
    tenor = (
        frame["instrument"]
        .map({"deposit_1w": 7, "deposit_1m": 30, "deposit_3m": 91, "tbill_3m": 91})
        .fillna(1)
    )
    frame["placed"] = dates[frame["day"].to_numpy()]
    frame["matures"] = frame["placed"] + pd.to_timedelta(tenor.to_numpy(), unit="D")
    frame["interest"] = (frame["amount"] * frame["rate_pct"] / 100 * tenor / 365).round(2)
    return frame.drop(columns=["col", "day"]).reset_index(drop=True)


def investment_proposals(
    ladder: pd.DataFrame, fx: dict[str, float], *, as_of: date, source: str = "optimize_investments"
) -> list[ProposedAction]:
    """Orders for the first placement day (the rest of the ladder is re-planned daily)."""
    if ladder.empty:
        return []
    first = ladder["placed"].min()
    out = []
    for key, group in ladder.loc[ladder["placed"] == first].groupby("key", sort=True):
        entity, ccy = split_key(str(key))
        total = float(group["amount"].sum())
        items = tuple(
            ActionItem(
                ref=f"{r.instrument}@{r.counterparty}",
                counterparty=str(r.counterparty),
                amount=float(r.amount),
                date=pd.Timestamp(r.placed).date(),
                details={
                    "instrument": str(r.instrument),
                    "matures": pd.Timestamp(r.matures).date().isoformat(),
                    "rate_pct": float(r.rate_pct),
                },
            )
            for r in rows(group)
        )
        interest = float(group["interest"].sum())
        rate = fx.get(str(key), 1.0)
        out.append(
            ProposedAction(
                action="investment_order",
                title=f"Invest {money(total, ccy)} on {pd.Timestamp(first).date()} "
                f"({len(items)} placements)",
                entity_id=entity,
                currency=ccy,
                amount=round(total, 2),
                amount_reporting=round(total * rate, 2),
                value=round(interest * rate, 2),
                rationale=(
                    "cash above the floor at the planning confidence; earns "
                    f"{money(interest, ccy)} "
                    "to maturity and every maturity falls before the cash is needed"
                ),
                items=items,
                source=source,
                as_of=as_of,
                evidence={
                    "interest": round(interest, 2),
                    "instruments": sorted(set(group["instrument"])),
                },
            )
        )
    return out


def optimize_investments(
    outlook: CashOutlook,
    policy: Policy,
    *,
    rates: pd.DataFrame | None,
    confidence: float | None = None,
    pay_dates: Mapping[str, date] | None = None,
    credit: Mapping[str, CreditLine] | pd.DataFrame | None = None,
    bank_accounts: pd.DataFrame | None = None,
    mmf_spread_bp: float = 5.0,
    tbill_spread_bp: float = -10.0,
    reserve_widening: float = RESERVE_WIDENING,
    solver: SolverParams | None = None,
) -> InvestmentPlan:
    """The yield-maximising ladder that keeps every maturity ahead of the forecast needs.

    Args:
        outlook: the cash outlook; open bills are paid on ``pay_dates`` or their due dates.
        policy: instruments and limits, counterparty limits, max tenor, confidence.
        rates: the ``interest_rates`` table (latest curve on or before ``as_of``).
        confidence: liquidity confidence; the policy's when None.
        credit: credit lines (a dip may be cheaper to fund by a draw than by not investing).
        bank_accounts: where each position banks (for counterparty limits).
        mmf_spread_bp / tbill_spread_bp: fund and T-bill yields over/under the curve.
        reserve_widening: term placements keep clear of a liquidity reserve this many times
            the forecast's downside spread below the planning balance (``cash_model``).

    Raises:
        ConfigError: missing rates, no allowed instrument, bad confidence.
    """
    if policy is None:
        raise ConfigError("optimize_investments needs the treasury policy (policy.yaml)")
    check_reserve_widening(reserve_widening)
    params = solver or SolverParams()
    conf = check_confidence(confidence if confidence is not None else policy.investment.confidence)
    curves = money_market_rates(rates, outlook.as_of, {p.currency for p in outlook.positions})
    fixed = {k: outlook.scheduled_flows(k, pay_dates=pay_dates) for k in outlook.keys}
    lines = credit if isinstance(credit, Mapping) else credit_lines(outlook, credit)
    model = CashModel(
        ledgers_for(
            outlook,
            confidence=conf,
            credit=dict(lines),
            fixed_flows=fixed,
            reserve_widening=reserve_widening,
        ),
        outlook.horizon_days,
    )
    model.add_draws()
    inv = add_investments(
        model,
        outlook.dates,
        policy,
        curves,
        house_banks(bank_accounts, outlook.keys),
        mmf_spread_bp=mmf_spread_bp,
        tbill_spread_bp=tbill_spread_bp,
    )
    model.build()
    sol, info = model.lp.solve_rounded(params, [], method="investment LP")
    parameters = {
        "confidence": conf,
        "mmf_spread_bp": mmf_spread_bp,
        "tbill_spread_bp": tbill_spread_bp,
        "reserve_widening": reserve_widening,
        "curves": curves,
        "limits": policy.investment.model_dump(mode="json"),
    }
    provenance = {
        "as_of": outlook.as_of.isoformat(),
        "horizon_days": outlook.horizon_days,
        "n_paths": outlook.n_paths,
        "outlook": dict(outlook.provenance),
        "bills_on": "plan" if pay_dates else "due dates",
    }
    if info.status not in ("optimal", "feasible"):
        empty = pd.DataFrame()
        return InvestmentPlan(
            status="error",
            ladder=empty,
            draws=empty,
            balances=empty,
            objective={},
            solve=info,
            parameters=parameters,
            provenance=provenance,
        )
    x = sol.x
    relax = relaxations(model, x, outlook.dates, conf)
    short = {r.key for r in relax}
    ladder = ladder_frame(inv, x, outlook.dates)
    draws = draws_frame(model, x, outlook.dates)
    parts = model.objective_parts(x)
    parts["total"] = round(sum(parts.values()), 2)
    fx = {led.key: led.fx for led in model.ledgers}
    currency = {led.key: led.currency for led in model.ledgers}
    proposals = (
        *investment_proposals(ladder.loc[~ladder["key"].isin(short)], fx, as_of=outlook.as_of),
        *draw_proposals(
            draws.loc[~draws["key"].isin(short)],
            fx,
            currency,
            as_of=outlook.as_of,
            source="optimize_investments",
        ),
    )
    return InvestmentPlan(
        status="infeasible" if relax else "feasible",
        ladder=ladder,
        draws=draws,
        balances=model.balances(x, outlook.dates),
        objective=parts,
        binding=bindings(model, sol, outlook.dates),
        relaxation=relax,
        solve=info,
        parameters=parameters,
        proposals=proposals,
        provenance=provenance,
    )
