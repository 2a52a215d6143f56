"""Cash flows before they become bank lines: one shape shared by every stage."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

FLOW_COLUMNS = (
    "account_id",
    "day",
    "cents",
    "counterparty",
    "reference",
    "description",
    "category",
)


def flows(
    *,
    account_id: Any,
    day: Any,
    cents: Any,
    counterparty: Any,
    reference: Any,
    description: Any,
    category: str,
) -> pd.DataFrame:
    """Signed flows (receipts > 0) in integer cents on business-day indexes."""
    day = np.atleast_1d(np.asarray(day, dtype=np.int64))
    return pd.DataFrame(
        {
            "account_id": account_id,
            "day": day,
            "cents": np.broadcast_to(np.asarray(cents, dtype=np.int64), day.shape),
            "counterparty": counterparty,
            "reference": reference,
            "description": description,
            "category": category,
        },
        index=np.arange(len(day)),
    )


def concat_flows(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: [] for c in FLOW_COLUMNS})
    return pd.concat(parts, ignore_index=True)
