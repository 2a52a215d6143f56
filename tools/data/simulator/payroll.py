"""Payroll: monthly salaries on the last business day, funded from operating the day before,
and the payroll taxes paid on the 15th of the following month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import ENTITIES, operating_account, payroll_account
from .dates import Horizon
from .flows import concat_flows, flows

NET_SHARE = 0.68  # of gross salary paid to employees
TAX_SHARE = 0.44  # withholding plus employer contributions, as a share of gross
_EMPLOYER_COST = NET_SHARE + TAX_SHARE  # per unit of gross
RAISE = 1.03
BONUS = 0.5  # extra months of salary paid in the bonus month


def payroll_flows(
    h: Horizon, payroll_cost: dict[str, float], *, rng: np.random.Generator
) -> pd.DataFrame:
    """Funding transfers, salary batches and payroll taxes for a yearly employer cost."""
    months = h.months()
    cal_month = months.astype("int64") % 12 + 1
    labels = [str(m) for m in months]
    parts = []
    for spec in ENTITIES:
        base = payroll_cost[spec.entity_id] / _EMPLOYER_COST / (12 + BONUS)
        raises = np.cumsum(cal_month == spec.raise_month) - (cal_month[0] == spec.raise_month)
        headcount = np.exp(np.cumsum(rng.normal(0.002, 0.01, len(months))))
        gross = (
            base
            * RAISE**raises
            * headcount
            * np.where(cal_month == spec.bonus_month, 1 + BONUS, 1.0)
        )
        net = np.round(gross * NET_SHARE * 100).astype(np.int64)
        tax = np.round(gross * TAX_SHARE * 100).astype(np.int64)
        pay = h.roll_backward(h.month_end(months))
        fund = h.add_busdays(pay, -1)
        tax_day = h.roll_forward(h.month_day(months + 1, 15))
        op, pr = operating_account(spec.entity_id), payroll_account(spec.entity_id)
        ref = [f"PAY-{spec.entity_id}-{m}" for m in labels]
        parts += [
            flows(
                account_id=op,
                day=fund,
                cents=-net,
                counterparty=spec.name,
                reference=[f"FUND-{spec.entity_id}-{m}" for m in labels],
                description="Transfer to payroll account",
                category="payroll",
            ),
            flows(
                account_id=pr,
                day=fund,
                cents=net,
                counterparty=spec.name,
                reference=[f"FUND-{spec.entity_id}-{m}" for m in labels],
                description="Transfer from operating account",
                category="payroll",
            ),
            flows(
                account_id=pr,
                day=pay,
                cents=-net,
                counterparty="Employees (salary batch)",
                reference=ref,
                description=[f"Net salaries {m}" for m in labels],
                category="payroll",
            ),
            flows(
                account_id=op,
                day=tax_day,
                cents=-tax,
                counterparty=spec.tax_authority,
                reference=[f"PAYTAX-{spec.entity_id}-{m}" for m in labels],
                description=[f"Payroll taxes and contributions {m}" for m in labels],
                category="tax",
            ),
        ]
    out = concat_flows(parts)
    return out[(out["day"] >= 0) & (out["day"] < h.n_days)]
