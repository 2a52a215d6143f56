"""Supplier payment scheduling: a pay date for every open bill.

Maximises discounts captured minus late fees minus financing (credit-line interest net
of the commitment fee saved, and the cost of funds on cash paid before the due date),
keeping the balance at the chosen confidence above the policy floor every day, with
payments only on payment-run days, lateness only within the policy window and never
for critical suppliers. Approach: the outlook's ``1 - confidence`` balance quantile
without the open bills is the cash available; the bills' payments and the draws are
deterministic, so the per-day chance constraint is a linear one (see ``cash_model``).
The MIP (one binary per bill and candidate date, a draw per position and day) is solved
by LP relaxation with safe rounding on HiGHS, with a MIP pass when the gap is too big.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook
from tools.optimization.cash_model import SCALE, CashModel, ledgers_for
from tools.optimization.inputs import (
    CreditLine,
    check_confidence,
    credit_lines,
    money_market_rates,
    normalize_bills,
)
from tools.optimization.payment_candidates import AFTER, payment_candidates
from tools.optimization.payment_plan import PaymentPlan, finish_payment_plan
from tools.optimization.results import SolverParams

__all__ = ["PaymentOptions", "add_payment_choices", "optimize_payments", "prepare_payments"]


class PaymentOptions:
    """Payment-policy knobs shared by the payment and joint optimizers."""

    def __init__(
        self,
        *,
        confidence: float,
        payment_run_weekdays: tuple[int, ...],
        max_days_late: int,
        late_fee_pct: float,
        cost_of_funds_pct: Mapping[str, float],
    ) -> None:
        if late_fee_pct < 0:
            raise ConfigError(f"late_fee_pct {late_fee_pct} is negative; use 0 for no late fees")
        self.confidence = check_confidence(confidence)
        self.weekdays = tuple(payment_run_weekdays)
        self.max_days_late = max_days_late
        self.late_fee_pct = late_fee_pct
        self.cost_of_funds_pct = dict(cost_of_funds_pct)


def prepare_payments(
    outlook: CashOutlook,
    bills: pd.DataFrame | None,
    suppliers: pd.DataFrame | None,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Normalised bills and the daily flows of scheduled items that are *not* decided here."""
    frame = normalize_bills(outlook, bills, suppliers)
    chosen = set(frame["bill_id"])
    rest = outlook.scheduled.loc[~outlook.scheduled["item_id"].astype(str).isin(chosen)]
    fixed: dict[str, np.ndarray] = {}
    if not rest.empty:
        other = outlook.with_paths(outlook.paths, scheduled=rest)
        fixed = {k: other.scheduled_flows(k) for k in outlook.keys}
    return frame, fixed


def add_payment_choices(
    model: CashModel,
    bills: pd.DataFrame,
    dates: pd.DatetimeIndex,
    opts: PaymentOptions,
    *,
    charge_cost_of_funds: bool,
) -> tuple[pd.DataFrame, list[np.ndarray]]:
    """One binary per bill and candidate date; returns the candidates and choice groups."""
    cand = payment_candidates(
        bills, dates, weekdays=opts.weekdays, max_days_late=opts.max_days_late
    )
    b = cand["bill"].to_numpy()
    day = cand["day"].to_numpy()
    amount = bills["amount"].to_numpy(float)[b]
    keys = bills["key"].to_numpy()[b]
    ledger_of = {led.key: i for i, led in enumerate(model.ledgers)}
    led = np.array([ledger_of[k] for k in keys], int)
    fx = np.array([model.ledgers[i].fx for i in led])
    currency = np.array([model.ledgers[i].currency for i in led])
    cof = np.array([opts.cost_of_funds_pct.get(c, 0.0) for c in currency]) / 100
    pct = bills["discount_pct"].to_numpy(float)[b] / 100
    discount = np.where(np.isin(cand["kind"], ["discount"]), amount * pct, 0.0)
    # A discount deadline after the horizon is taken there (it is worth more than the funding).
    after_disc = (cand["kind"].to_numpy() == "after_horizon") & (pct > 0)
    discount = np.where(after_disc, amount * pct, discount)
    early = cand["days_early"].to_numpy(float)
    late_fee = -amount * opts.late_fee_pct / 100 * cand["days_late"].to_numpy(float) / 365
    funds = -amount * cof * early / 365 if charge_cost_of_funds else np.zeros(len(cand))
    cols = model.add_vars(
        len(cand),
        ub=1.0,
        integer=True,
        parts={"discounts": discount * fx, "late_fees": late_fee * fx, "cost_of_funds": funds * fx},
    )
    model.add_flows(led, np.where(day >= AFTER, -1, day), cols, -amount / SCALE)
    one = model.lp.add_rows(len(bills), lb=1.0, ub=1.0)
    model.lp.add_terms(one[b], cols, 1.0)
    first = ~pd.Series(b).duplicated().to_numpy()  # candidates are sorted by bill, then day
    for i in np.unique(led):
        on = first & (led == i) & (day < model.horizon)
        paid = np.zeros(model.horizon)
        np.add.at(paid, day[on], -amount[on])
        model.earliest_payments[int(i)] = np.cumsum(paid)
    cand["col"] = cols
    cand["discount"] = discount
    cand["late_fee"] = late_fee
    cand["cost_of_funds"] = funds
    starts = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    groups = np.split(cols, starts[1:])
    return cand, groups


def optimize_payments(
    outlook: CashOutlook,
    bills: pd.DataFrame | None,
    suppliers: pd.DataFrame | None,
    policy: Policy,
    *,
    confidence: float = 0.95,
    payment_run_weekdays: tuple[int, ...] = (1, 3),
    credit: Mapping[str, CreditLine] | pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
    cost_of_funds_pct: Mapping[str, float] | None = None,
    late_fee_pct: float = 12.0,
    max_days_late: int = 14,
    solver: SolverParams | None = None,
) -> PaymentPlan:
    """Pay date per open bill that maximises value while keeping cash above the floor.

    Args:
        outlook: the cash outlook (its ``scheduled`` bills are used when ``bills`` is None).
        bills: open bills, as the outlook's ``scheduled`` frame or the ``ap_bills`` table.
        suppliers: supplier master (its ``critical`` flag marks never-late suppliers).
        policy: the treasury policy (floors come with the outlook's positions).
        confidence: share of simulated days the balance must stay above the floor.
        payment_run_weekdays: weekdays (Monday = 0) payments may be released.
        credit: credit per position (``CreditLine``s or the ``credit_facilities`` table);
            the outlook's undrawn limits when None.
        rates: the ``interest_rates`` table; its overnight rate is the cost of funds.
        cost_of_funds_pct: explicit annual cost of funds per currency (overrides ``rates``).
        late_fee_pct: annual late-payment interest charged by suppliers, percent.
        max_days_late: how late a non-critical supplier may be paid (policy window).
        solver: pinned solver settings.

    Returns:
        PaymentPlan with the plan, draws, balances, objective parts, binding constraints,
        solver status and proposals; an infeasible problem returns the smallest extra
        credit line that would make it feasible instead of a plan.

    Raises:
        DataError: bills without due dates, wrong signs, unknown positions.
        ConfigError: missing rates or policy, contradictory settings.
    """
    if policy is None:
        raise ConfigError("optimize_payments needs the treasury policy (policy.yaml)")
    params = solver or SolverParams()
    frame, fixed = prepare_payments(outlook, bills, suppliers)
    currencies = {p.currency for p in outlook.positions}
    if cost_of_funds_pct is None:
        curve = money_market_rates(rates, outlook.as_of, currencies)
        cost_of_funds_pct = {c: curve[c]["ON"] for c in currencies}
    missing = currencies - set(cost_of_funds_pct)
    if missing:
        raise ConfigError(f"cost_of_funds_pct has no rate for {', '.join(sorted(missing))}")
    opts = PaymentOptions(
        confidence=confidence,
        payment_run_weekdays=payment_run_weekdays,
        max_days_late=max_days_late,
        late_fee_pct=late_fee_pct,
        cost_of_funds_pct=cost_of_funds_pct,
    )
    lines = credit if isinstance(credit, Mapping) else credit_lines(outlook, credit)
    # Positions without open bills have no decision here: their cash is not this plan's.
    keys = tuple(k for k in outlook.keys if k in set(frame["key"]))
    ledgers = ledgers_for(
        outlook, confidence=opts.confidence, credit=dict(lines), fixed_flows=fixed, keys=keys
    )

    def build(elastic: bool) -> tuple[CashModel, pd.DataFrame, list[np.ndarray]]:
        model = CashModel(ledgers, outlook.horizon_days)
        cand, groups = add_payment_choices(
            model, frame, outlook.dates, opts, charge_cost_of_funds=True
        )
        model.add_draws(net_of_cost_of_funds=opts.cost_of_funds_pct)
        model.build(elastic=elastic)
        return model, cand, groups

    return finish_payment_plan(outlook, frame, opts, params, build, policy=policy)
