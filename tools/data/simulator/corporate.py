"""Group flows: DE01's quarterly management fee to US01, invoiced in EUR."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import ENTITY, MGMT_FEE_SHARE, operating_account
from .dates import Horizon
from .flows import concat_flows, flows
from .market import Market


def corporate_flows(h: Horizon, revenue: dict[str, float], market: Market) -> pd.DataFrame:
    """The intercompany fee: EUR out of DE01, the converted USD into US01, same day."""
    months = h.months()
    fee_months = months[months.astype("int64") % 12 % 3 == 2]
    fee_day = h.roll_backward(h.month_end(fee_months))
    fee_months = fee_months[fee_day < h.n_days]
    fee_day = fee_day[fee_day < h.n_days]
    fee_eur = round(revenue["DE01"] * MGMT_FEE_SHARE / 4, -3)
    fee_usd = np.round(fee_eur * market.eurusd[fee_day] * 100).astype(np.int64)
    refs = [f"IC-MGMT-{m}" for m in fee_months]
    out = concat_flows(
        [
            flows(
                account_id=operating_account("DE01"),
                day=fee_day,
                cents=-int(fee_eur * 100),
                counterparty=ENTITY["US01"].name,
                reference=refs,
                description="Intercompany management fee",
                category="intercompany",
            ),
            flows(
                account_id=operating_account("US01"),
                day=fee_day,
                cents=fee_usd,
                counterparty=ENTITY["DE01"].name,
                reference=refs,
                description="Intercompany management fee (EUR converted)",
                category="intercompany",
            ),
        ]
    )
    return out[(out["day"] >= 0) & (out["day"] < h.n_days)]
