"""Value the decisions created, in the terms a treasurer reports it.

``ValueBreakdown`` is one shape for a single decision, a plan over a quarter and the running
total: discounts captured (and what was available), yield earned (and what overnight
deposits would have earned on the same money), financing cost, late fees and the cost of
a shortfall (cash below the floor beyond the credit line). ``value`` = discounts + yield -
financing - late fees - shortfall.

``actual_path_outlook`` turns what really happened into a one-path outlook, so a plan can
be replayed on the actual flows instead of the forecast (``tools.optimization.realise``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, computed_field

from tools.forecasting.categorize import INTERNAL, categorize
from tools.forecasting.outlook import CashOutlook
from tools.forecasting.positions import account_keys

__all__ = ["TREASURY_DECISIONS", "ValueBreakdown", "actual_path_outlook", "cumulative"]

# Bank lines that are the treasurer's own financing decisions: a replayed plan makes its own.
TREASURY_DECISIONS = r"(?i)^(?:drawdown|repayment|interest) revolving"


class ValueBreakdown(BaseModel):
    """Value created, reporting currency; costs are positive numbers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    discounts_captured: float = 0.0
    discounts_available: float = 0.0
    yield_earned: float = 0.0
    yield_overnight: float = Field(
        default=0.0, description="What the same money would have earned overnight"
    )
    financing_cost: float = 0.0
    late_fees: float = 0.0
    shortfall_cost: float = 0.0
    breach_days: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def value(self) -> float:
        return round(
            self.discounts_captured
            + self.yield_earned
            - self.financing_cost
            - self.late_fees
            - self.shortfall_cost,
            2,
        )

    @classmethod
    def from_parts(
        cls,
        parts: Mapping[str, float],
        *,
        discounts_available: float = 0.0,
        breach_days: int = 0,
    ) -> ValueBreakdown:
        """From ``Realisation.parts`` (signed: costs negative) of a replayed plan."""
        return cls(
            discounts_captured=round(parts.get("discounts", 0.0), 2),
            discounts_available=round(discounts_available, 2),
            yield_earned=round(parts.get("term_yield", 0.0) + parts.get("liquid_yield", 0.0), 2),
            financing_cost=round(
                -parts.get("credit_interest", 0.0) - parts.get("restore_credit", 0.0), 2
            ),
            late_fees=round(-parts.get("late_fees", 0.0), 2),
            shortfall_cost=round(-parts.get("restore_overdraft", 0.0), 2),
            breach_days=breach_days,
        )


def cumulative(items: Iterable[ValueBreakdown]) -> ValueBreakdown:
    """The running total of several breakdowns."""
    fields = [f for f in ValueBreakdown.model_fields if f != "breach_days"]
    totals = dict.fromkeys(fields, 0.0)
    days = 0
    for item in items:
        for f in fields:
            totals[f] += float(getattr(item, f))
        days += item.breach_days
    return ValueBreakdown(**{k: round(v, 2) for k, v in totals.items()}, breach_days=days)


def actual_path_outlook(
    outlook: CashOutlook,
    tables: Mapping[str, pd.DataFrame],
    *,
    replaced_items: Collection[str] = (),
    exclude: str = TREASURY_DECISIONS,
) -> CashOutlook:
    """The outlook's horizon as it actually happened: one path per position holding the
    booked bank flows (internal transfers left out, as in the forecast).

    Args:
        outlook: gives the positions, dates, opening balances and scheduled items.
        tables: the ledger after the horizon (bank lines of every horizon day).
        replaced_items: documents (bill ids) whose actual payment lines are removed because
            the replayed plan pays them itself.
        exclude: regex on descriptions of lines that are decisions the replay makes anew.

    Raises:
        ValueError: the bank lines stop before the horizon's last day.
    """
    bank = tables["bank_transactions"]
    when = pd.to_datetime(bank["booking_date"])
    first, last = outlook.dates[0], outlook.dates[-1]
    if when.max() < last.normalize() - pd.Timedelta(days=3):
        raise ValueError(
            f"bank lines end {when.max().date()}, before the horizon's end {last.date()}; "
            "import the statements up to the end of the period"
        )
    lines = categorize(bank.loc[(when >= first) & (when <= last)], tables)
    lines["key"] = lines["account_id"].map(account_keys(tables["bank_accounts"]))
    keep = lines["key"].isin(outlook.keys) & (lines["category"] != INTERNAL)
    keep &= ~lines["description"].fillna("").str.contains(exclude, regex=True)
    if replaced_items:
        keep &= ~(
            lines["reference"].astype(str).isin(set(map(str, replaced_items)))
            & (lines["category"] == "supplier_payment")
        )
    lines = lines.loc[keep]
    day = (pd.to_datetime(lines["booking_date"]) - first).dt.days.to_numpy()
    paths = {}
    for key in outlook.keys:
        flows = np.zeros(outlook.horizon_days)
        mine = (lines["key"] == key).to_numpy()
        np.add.at(flows, day[mine], lines["amount"].to_numpy(float)[mine])
        paths[(key, "actual")] = flows[None, :]
    return outlook.with_paths(paths)
