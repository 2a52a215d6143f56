"""Replaying a committed plan on simulated cash paths: the value it realises and the days it
breaks the floor, with every plan held to the same standing rules.

A plan commits (a) a pay date per bill, (b) term placements (deposits, T-bills) and
same-day-liquid holdings (money-market fund, overnight), (c) credit-line drawings. On each
sample path its committed flows are applied to the balance without the open bills, then:

- **liquidity first**: a fund holding is kept only out of cash above the floor (it is
  same-day liquid, so on a bad path it is redeemed instead of breaking the floor);
- **standing sweep**: whatever is still above the floor is swept overnight at the
  position's overnight rate, within the house bank's counterparty limit (less what the
  plan already holds there); a plan's own overnight placements are part of this sweep;
- **restoring the minimum**: a balance below the floor is topped up by drawing the undrawn
  credit line (its rate net of the commitment fee the drawing saves) and, beyond the line,
  by an overdraft at the line's rate (the overnight rate when there is no line) plus
  ``overdraft_spread_pct``. Both costs are charged to the plan.

Value (reporting currency, mean over paths) = discounts on bills paid by their discount
date inside the horizon - late fees (``late_fee_pct`` a year on days past due) + interest
on term placements + yield on fund and overnight balances - interest on planned drawings
- the cost of restoring the minimum. Bills paid after the horizon count for nothing.

A breach is a (position, day) on which the share of paths below the floor before the
restoring draw exceeds ``1 - confidence`` by more than two binomial standard errors.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook, scheduled_on_days
from tools.optimization.inputs import CreditLine, check_confidence, credit_lines
from tools.optimization.instruments import house_banks

__all__ = ["PAYMENT_COLUMNS", "Realisation", "realise_plan"]

PAYMENT_COLUMNS = ("key", "bill_id", "amount", "due_date", "discount_date", "discount_pct")
LIQUID = ("overnight", "mmf")
PARTS = (
    "discounts",
    "late_fees",
    "term_yield",
    "liquid_yield",
    "credit_interest",
    "restore_credit",
    "restore_overdraft",
)


class Realisation(BaseModel):
    """What a plan realises on a set of sample paths, by the rules in the module docstring."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(description="Mean realised value, reporting currency")
    parts: dict[str, float] = Field(description="Value by source, reporting currency")
    values_by_key: dict[str, float] = Field(description="Value per position, reporting currency")
    breaches: int = Field(description="(position, day) pairs over the policy's breach share")
    breach_days: dict[str, int] = Field(description="Per position, exempt ones included")
    worst_short_share: dict[str, float] = Field(description="Largest daily share of paths short")
    restored: dict[str, float] = Field(description="Mean peak top-up needed, position currency")
    n_paths: int
    parameters: dict[str, object]


def _day(when: pd.Series, start: pd.Timestamp) -> np.ndarray:
    return (pd.to_datetime(when) - start).dt.days.to_numpy(dtype=float, na_value=np.nan)


def _on_days(values: np.ndarray, days: np.ndarray, h: int) -> np.ndarray:
    out = np.zeros(h)
    ok = np.isfinite(days) & (days >= 0) & (days < h)
    np.add.at(out, days[ok].astype(int), values[ok])
    return out


def realise_plan(
    outlook: CashOutlook,
    payments: pd.DataFrame,
    *,
    policy: Policy,
    curves: Mapping[str, Mapping[str, float]],
    ladder: pd.DataFrame | None = None,
    draws: pd.DataFrame | None = None,
    credit: Mapping[str, CreditLine] | pd.DataFrame | None = None,
    bank_accounts: pd.DataFrame | None = None,
    confidence: float = 0.95,
    late_fee_pct: float = 12.0,
    overdraft_spread_pct: float = 10.0,
    breach_exempt: Collection[str] = (),
) -> Realisation:
    """Replay ``payments`` (``PAYMENT_COLUMNS`` + ``pay_date``), ``ladder`` and ``draws`` (as
    the optimizers return them) on every path of ``outlook``.

    Scheduled items of the outlook that ``payments`` does not list are paid on their due
    dates. ``breach_exempt`` positions (that no plan can keep above the floor) are
    left out of ``breaches`` but kept in ``breach_days`` and in the value.
    """
    alpha = 1 - check_confidence(confidence)
    start = outlook.dates[0]
    h = outlook.horizon_days
    lines = credit if isinstance(credit, Mapping) else credit_lines(outlook, credit)
    banks = house_banks(bank_accounts, outlook.keys)
    inv = policy.investment
    ladder = ladder if ladder is not None and not ladder.empty else None
    rest = outlook.scheduled.loc[
        ~outlook.scheduled["item_id"].astype(str).isin(set(payments["bill_id"].astype(str)))
    ]
    by_key: dict[str, dict[str, float]] = {}
    breach_days: dict[str, int] = {}
    worst: dict[str, float] = {}
    restored: dict[str, float] = {}
    bank_room: dict[str, np.ndarray] = {}  # reporting units left per bank, per path and day
    for pos in outlook.positions:
        k, fx = pos.key, pos.fx_to_reporting
        line = lines.get(k, CreditLine(limit=0.0, rate_pct=0.0))
        curve = curves[pos.currency]
        parts = by_key[k] = dict.fromkeys(PARTS, 0.0)
        flows = scheduled_on_days(rest, k, outlook.dates)
        # Bills: cash on the pay date (net of a discount taken), value by the same formula.
        mine = payments.loc[payments["key"] == k]
        pay = _day(mine["pay_date"], start)
        pay = np.where(np.isfinite(pay), np.maximum(pay, 0), pay)
        inside = np.isfinite(pay) & (pay < h)
        amount = mine["amount"].to_numpy(float)
        pct = mine["discount_pct"].fillna(0).to_numpy(float) / 100
        disc_day = _day(mine["discount_date"], start)
        taken = inside & (pct > 0) & (pay <= np.nan_to_num(disc_day, nan=-np.inf))
        late = np.maximum(pay - _day(mine["due_date"], start), 0)
        flows -= _on_days(amount * np.where(taken, 1 - pct, 1.0), pay, h)
        parts["discounts"] += float((amount * pct)[taken].sum()) * fx
        parts["late_fees"] -= float((amount * late_fee_pct / 100 * late / 365)[inside].sum()) * fx
        # Placements: term ones lock cash until maturity; the fund is a same-day cap.
        fund_cap = np.zeros(h)
        fund_rate = curve["ON"]
        held_at_bank = np.zeros(h)
        if ladder is not None:
            lad = ladder.loc[ladder["key"] == k]
            placed = _day(lad["placed"], start)
            term = ~lad["instrument"].isin(LIQUID).to_numpy()
            amt = lad["amount"].to_numpy(float)
            interest = lad["interest"].to_numpy(float)
            matures = _day(lad["matures"], start)
            flows += _on_days(-amt[term], placed[term], h)
            flows += _on_days((amt + interest)[term], matures[term], h)
            parts["term_yield"] += float(interest[term].sum()) * fx
            at_bank = term & (lad["counterparty"].to_numpy() == banks[k])
            for p, m, a in zip(placed[at_bank], matures[at_bank], amt[at_bank], strict=True):
                held_at_bank[int(max(p, 0)) : int(min(m, h))] += a
            fund = (lad["instrument"] == "mmf").to_numpy()
            fund_cap = _on_days(amt[fund], placed[fund], h)
            if fund.any():
                fund_rate = float(lad.loc[fund, "rate_pct"].mean())
        drawn = np.zeros(h)
        if draws is not None and not draws.empty:
            d = draws.loc[draws["key"] == k]
            drawn = _on_days(d["drawn"].to_numpy(float), _day(d["ds"], start), h)
        net_credit = max(line.rate_pct - line.commitment_fee_pct, 0.0)
        parts["credit_interest"] -= float(drawn.sum()) * net_credit / 100 / 365 * fx
        balance = (
            outlook.balance_paths(k, include_scheduled=False) + np.cumsum(flows) + drawn[None, :]
        )
        above = np.maximum(balance - pos.minimum, 0.0)
        fund_held = np.minimum(fund_cap[None, :], above) if "mmf" in inv.instruments else 0 * above
        sweep = np.zeros_like(above)
        if "overnight" in inv.instruments:
            sweep = above - fund_held
            cap = inv.instruments["overnight"].max_amount
            if cap is not None:
                sweep = np.minimum(sweep, cap / fx)
            bank = banks[k]
            if bank in inv.counterparty_limits:
                room = bank_room.setdefault(
                    bank, np.full(above.shape, float(inv.counterparty_limits[bank]))
                )
                sweep = np.clip(np.minimum(sweep, room / fx - held_at_bank[None, :]), 0.0, None)
                bank_room[bank] = room - sweep * fx
        parts["liquid_yield"] += (
            float((fund_held * fund_rate + sweep * curve["ON"]).sum(axis=1).mean()) / 100 / 365 * fx
        )
        short = np.maximum(pos.minimum - balance, 0.0)
        by_line = np.minimum(short, np.maximum(line.limit - drawn, 0.0)[None, :])
        od_rate = (line.rate_pct if line.limit > 0 else curve["ON"]) + overdraft_spread_pct
        parts["restore_credit"] -= float(by_line.sum(axis=1).mean()) * net_credit / 100 / 365 * fx
        parts["restore_overdraft"] -= (
            float((short - by_line).sum(axis=1).mean()) * od_rate / 100 / 365 * fx
        )
        share = (short > 0.5).mean(axis=0)
        tol = 2 * np.sqrt(alpha * (1 - alpha) / max(short.shape[0], 1))
        breach_days[k] = int((share > alpha + tol).sum())
        worst[k] = round(float(share.max()), 4)
        restored[k] = round(float(short.max(axis=1).mean()), 2)
    total = {name: round(sum(p[name] for p in by_key.values()), 2) for name in PARTS}
    return Realisation(
        value=round(sum(total.values()), 2),
        parts=total,
        values_by_key={k: round(sum(p.values()), 2) for k, p in by_key.items()},
        breaches=sum(n for k, n in breach_days.items() if k not in breach_exempt),
        breach_days=breach_days,
        worst_short_share=worst,
        restored=restored,
        n_paths=outlook.n_paths,
        parameters={
            "confidence": confidence,
            "late_fee_pct": late_fee_pct,
            "overdraft_spread_pct": overdraft_spread_pct,
            "breach_exempt": sorted(breach_exempt),
        },
    )
