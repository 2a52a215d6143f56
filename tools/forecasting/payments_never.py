"""How likely an open invoice is to stay unpaid for good, given how overdue it already is.

Counted on the ledger itself: of the invoices that were still unpaid ``k`` days past due
(and are old enough to judge), the share still unpaid ``AFTER_DAYS`` days later. Sparse
cells shrink towards a prior that rises with the days overdue, and the rate never falls
as an invoice ages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tools.forecasting.payments_data import day_number

__all__ = ["AFTER_DAYS", "BUCKETS", "UnpaidTable", "unpaid_table"]

AFTER_DAYS = 180
# Lower bounds of days overdue at as_of; the first bucket is "not yet due".
BUCKETS = (-(10**6), 1, 31, 61, 91, 181, 366)
_PRIOR = (0.002, 0.01, 0.03, 0.06, 0.12, 0.25, 0.5)
_PRIOR_WEIGHT = 10.0  # in invoices


@dataclass(frozen=True)
class UnpaidTable:
    """P(still unpaid ``after_days`` later) per overdue bucket, undisputed and disputed."""

    after_days: int
    bounds: tuple[int, ...]
    undisputed: tuple[float, ...]
    disputed: tuple[float, ...]
    counts: tuple[int, ...]  # invoices judged per bucket (both kinds)

    def rate(self, overdue: np.ndarray, disputed: np.ndarray) -> np.ndarray:
        """Probability of never paying for invoices ``overdue`` days past due today."""
        bucket = np.searchsorted(np.asarray(self.bounds), overdue, side="right") - 1
        bucket = np.clip(bucket, 0, len(self.bounds) - 1)
        return np.where(
            disputed, np.asarray(self.disputed)[bucket], np.asarray(self.undisputed)[bucket]
        )


def unpaid_table(ledger: pd.DataFrame, t: float, *, after_days: int = AFTER_DAYS) -> UnpaidTable:
    """Estimate the table from invoices known at day number ``t`` (settlements after ``t``
    must already be blanked)."""
    due = day_number(ledger["due_date"])
    settled = day_number(ledger["settled_date"])
    paid_by = np.where(np.isnan(settled), np.inf, settled)
    disputed = ledger["disputed"].to_numpy(bool)
    rates: dict[bool, list[float]] = {False: [], True: []}
    counts = []
    for k, prior in zip(BUCKETS, _PRIOR, strict=True):
        start = due + max(k, 0)  # still unpaid at the close of this day: reached the bucket
        judged = start + after_days <= t
        reached = judged & (paid_by > start) if k > 0 else judged
        stuck = reached & (paid_by > start + after_days)
        counts.append(int(reached.sum()))
        pooled = (stuck.sum() + _PRIOR_WEIGHT * prior) / (reached.sum() + _PRIOR_WEIGHT)
        for flag in (False, True):
            sel = disputed == flag
            rates[flag].append(
                float(
                    (stuck[sel].sum() + _PRIOR_WEIGHT * pooled)
                    / (reached[sel].sum() + _PRIOR_WEIGHT)
                )
            )
    return UnpaidTable(
        after_days=after_days,
        bounds=BUCKETS,
        undisputed=tuple(np.maximum.accumulate(rates[False])),
        disputed=tuple(np.maximum.accumulate(np.maximum(rates[True], rates[False]))),
        counts=tuple(counts),
    )
