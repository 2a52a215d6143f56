"""Warnings that come from counterparties changing behaviour rather than from the forecast:
customers that stopped paying and suppliers that switched to prepayment, each tested on the
outlook for a breach of the minimum. The daily job, ``wcm alerts`` and the early-warning
evaluation all raise them the same way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import NamedTuple

import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook
from tools.risk.alerts import Alert
from tools.risk.deterioration import counterparty_warnings, forecast_receipts, silent_customers
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import LiquidityRisk
from tools.risk.prepayment import prepaying_suppliers, prepayment_warnings

__all__ = ["CounterpartyAlerts", "counterparty_alerts"]


class CounterpartyAlerts(NamedTuple):
    alerts: tuple[Alert, ...]  # silent customers first, then prepayment switches
    silent: pd.DataFrame  # customers that stopped paying (``silent_customers``)
    prepaying: pd.DataFrame  # suppliers that switched to prepayment (``prepaying_suppliers``)


def counterparty_alerts(
    outlook: CashOutlook,
    policy: Policy,
    tables: Mapping[str, pd.DataFrame],
    receivables: pd.DataFrame,
    *,
    as_of: date,
    risk: LiquidityRisk | None = None,
) -> CounterpartyAlerts:
    """Alerts for the positions that would breach if the customers that went silent did not
    pay, or while the suppliers that now want prepayment are paid twice over the switch,
    where that behaviour makes a difference to the forecast's own risk.

    Args:
        receivables: the forecast's per-invoice receipts (``CashForecast.receivables``).
        risk: ``liquidity_risk(outlook, policy)`` when already at hand.
    """
    silent = silent_customers(tables, as_of=as_of)
    prepaying = prepaying_suppliers(tables, as_of=as_of)
    if risk is None and not (silent.empty and prepaying.empty):
        risk = liquidity_risk(outlook, policy)
    stopped = counterparty_warnings(
        outlook, policy, silent, expected_receipts=forecast_receipts(receivables), baseline=risk
    )
    switched = prepayment_warnings(outlook, policy, prepaying, baseline=risk)
    return CounterpartyAlerts((*stopped, *switched), silent, prepaying)
