"""Quarterly sales tax / VAT returns and quarterly income-tax prepayments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import ENTITIES, TARGET_MARGIN, operating_account
from .dates import Horizon, quarter_of
from .demand import year_steps
from .flows import concat_flows, flows

_GROWTH = 1.05  # prepayments are re-assessed each year on expected growth


def _quarter_label(q: np.ndarray) -> list[str]:
    return [f"{1970 + int(x) // 4}Q{int(x) % 4 + 1}" for x in q]


def tax_flows(
    h: Horizon,
    invoices: pd.DataFrame,
    credits: pd.DataFrame,
    bills: pd.DataFrame,
    revenue: dict[str, float],
) -> pd.DataFrame:
    """Tax payments (and VAT refunds) of both entities over the span.

    ``invoices`` and ``bills`` need ``entity_id, issue_day, tax_cents``; ``credits`` the
    same for credit notes (their tax reduces the output tax of the quarter they fall in).
    """
    first, last = quarter_of(h, np.array([0, h.n_days - 1]))
    quarters = np.arange(int(first), int(last) + 1)
    parts = []
    for spec in ENTITIES:
        op = operating_account(spec.entity_id)

        def by_quarter(frame: pd.DataFrame, entity_id: str = spec.entity_id) -> np.ndarray:
            own = frame[frame["entity_id"] == entity_id]
            q = quarter_of(h, own["issue_day"].to_numpy()) - quarters[0]
            return np.bincount(q, weights=own["tax_cents"], minlength=len(quarters))

        due_net = np.round(by_quarter(invoices) - by_quarter(credits) - by_quarter(bills))
        due_net = due_net.astype(np.int64)
        due_month = ((quarters + 1) * 3).astype("datetime64[M]")
        due = h.roll_forward(h.month_day(due_month, spec.sales_tax_day))
        refund = due_net < 0  # more input VAT than output VAT: the office pays it back later
        label = _quarter_label(quarters)
        parts.append(
            flows(
                account_id=op,
                day=np.where(refund, h.roll_forward(due + 30), due),
                cents=-due_net,
                counterparty=spec.sales_tax_authority,
                reference=[f"VAT-{spec.entity_id}-{q}" for q in label],
                description=[
                    ("Refund " if r else "") + f"Sales tax/VAT return {q}"
                    for r, q in zip(refund, label, strict=True)
                ],
                category="tax",
            )[due_net != 0]
        )
        months = h.months()
        months = months[np.isin(months.astype("int64") % 12 + 1, spec.income_tax_months)]
        day = h.roll_forward(h.month_day(months, spec.income_tax_day))
        yearly = revenue[spec.entity_id] * TARGET_MARGIN * spec.income_tax
        cents = np.round(yearly / 4 * _GROWTH ** year_steps(h, day), -3) * 100
        parts.append(
            flows(
                account_id=op,
                day=day,
                cents=-cents.astype(np.int64),
                counterparty=spec.tax_authority,
                reference=[f"CIT-{spec.entity_id}-{m}" for m in months],
                description=[f"Income tax prepayment {m}" for m in months],
                category="tax",
            )
        )
    out = concat_flows(parts)
    return out[(out["day"] >= 0) & (out["day"] < h.n_days)]


def credit_note_tax(
    h: Horizon, invoices: pd.DataFrame, events: pd.DataFrame, customers: pd.DataFrame
) -> pd.DataFrame:
    """Output tax given back by credit notes, dated when each note is issued."""
    credits = events[(events["kind"] == "credit") & (events["day"] <= h.end_idx)]
    inv = invoices.iloc[credits["inv_idx"].to_numpy()]
    rate = customers["tax_rate"].to_numpy()[inv["customer_idx"].to_numpy()]
    return pd.DataFrame(
        {
            "entity_id": inv["entity_id"].to_numpy(),
            "issue_day": credits["day"].to_numpy(),
            "tax_cents": np.round(credits["cents"].to_numpy() * rate / (1 + rate)),
        }
    )
