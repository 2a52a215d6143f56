"""When the company pays its bills: discounts taken, payment runs around due, a few late."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.domain.terms import parse_terms

from .dates import Horizon

_RUNS = "0101000"  # payment runs on Tuesdays and Thursdays
TAKE_DISCOUNT = 0.85
PAY_LATE = 0.08  # share of non-critical bills paid after due
_APPROVAL_DAYS = 2  # a bill cannot be paid before it is approved


def schedule_payments(
    h: Horizon, bills: pd.DataFrame, suppliers: pd.DataFrame, *, rng: np.random.Generator
) -> pd.DataFrame:
    """Add due day, discount terms, pay day and amount paid (may fall after the end)."""
    terms = [parse_terms(t) for t in suppliers["payment_terms"]]
    s = bills["supplier_idx"].to_numpy()
    net = np.array([t.net_days for t in terms])[s]
    pct = np.array([t.discount_pct for t in terms])[s]
    days = np.array([t.discount_days for t in terms])[s]
    prepaid = bills["prepaid"].to_numpy()
    issue = bills["issue_day"].to_numpy()
    amount = bills["amount_cents"].to_numpy()
    n = len(bills)
    u = rng.random((n, 2))
    slip = rng.integers(3, 26, n)

    pct = np.where(prepaid, 0.0, pct)
    days = np.where(prepaid, 0, days)
    due = np.where(prepaid, issue, issue + net)
    take = (pct > 0) & (u[:, 0] < TAKE_DISCOUNT)
    deadline = np.where(take, issue + days, due)
    pay = h.roll_backward(deadline, weekmask=_RUNS)
    early = pay < issue + _APPROVAL_DAYS  # no run in time: pay ad hoc on the deadline
    pay = np.where(early, np.maximum(h.roll_backward(deadline), h.roll_forward(issue)), pay)
    late = ~suppliers["critical"].to_numpy()[s] & ~take & ~prepaid & (u[:, 1] < PAY_LATE)
    pay = np.where(late, h.roll_forward(due + slip, weekmask=_RUNS), pay)
    pay = np.where(prepaid, issue, pay)
    discount = np.where(take, np.round(amount * pct / 100).astype(np.int64), 0)
    return bills.assign(
        due_day=due,
        discount_pct=pct,
        discount_days=days,
        pay_day=pay,
        paid_cents=amount - discount,
    )
