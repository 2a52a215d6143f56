"""Monthly account-maintenance and per-transaction bank fees."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import ACCOUNTS
from .dates import Horizon, month_of
from .flows import concat_flows, flows

# (monthly fee, fee per booked line) in the account's currency
_TARIFF = {"USD": (250.0, 0.35), "EUR": (150.0, 0.25)}


def bank_fee_flows(h: Horizon, lines: pd.DataFrame) -> pd.DataFrame:
    """Fees charged on the first business day of each month for the month before.

    ``lines`` are the flows already booked in the window (their count drives the fee).
    """
    months = h.months()
    first = h.roll_forward(h.month_day(months, 1))
    charged = (first > h.start_idx) & (first <= h.end_idx)
    month_no = month_of(h, lines["day"].to_numpy())
    parts = []
    for acc in ACCOUNTS:
        base, per_line = _TARIFF[acc.currency]
        own = month_no[lines["account_id"].to_numpy() == acc.account_id]
        counts = np.array([(own == m - 1).sum() for m in months.astype("int64")[charged]])
        cents = np.round((base + per_line * counts) * 100).astype(np.int64)
        prev = months[charged] - 1
        parts.append(
            flows(
                account_id=acc.account_id,
                day=first[charged],
                cents=-cents,
                counterparty=acc.bank,
                reference=[f"FEE-{acc.account_id}-{m}" for m in prev],
                description=[f"Account maintenance and transaction fees {m}" for m in prev],
                category="fees",
            )
        )
    return concat_flows(parts)
