"""One early-warning run as the daily job, ``wcm alerts`` and the early-warning evaluation
make it: the forecast's liquidity risk, its alerts, the counterparty warnings (customers
that stopped paying, suppliers that switched to prepayment) and the watch that confirms
them over successive runs. Every rule lives in the functions this one composes, so all
three see the same alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.outlook import CashOutlook
from tools.risk.alerts import EarlyWarning, early_warnings
from tools.risk.counterparties import CounterpartyAlerts, counterparty_alerts
from tools.risk.episodes import WatchState, watch
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import LiquidityRisk

__all__ = ["WarningRun", "run_early_warnings"]


class WarningRun(NamedTuple):
    risk: LiquidityRisk  # the forecast's liquidity risk
    raw: EarlyWarning  # this run's alerts (forecast and counterparties), before the watch
    shown: EarlyWarning  # the alerts to show, with their watch status
    state: WatchState  # to pass to the next run (store it as JSON)
    counterparties: CounterpartyAlerts  # silent customers, prepaying suppliers, their alerts


def run_early_warnings(
    outlook: CashOutlook,
    policy: Policy,
    tables: Mapping[str, pd.DataFrame],
    receivables: pd.DataFrame,
    *,
    previous: WatchState | None,
    horizon_days: int | None = None,
) -> WarningRun:
    """Early warnings for one run, confirmed against the previous runs.

    Args:
        outlook: the cash forecast's sample paths (``CashForecast.outlook``).
        tables: the ledger the forecast was made from (for the counterparty checks).
        receivables: the forecast's per-invoice receipts (``CashForecast.receivables``).
        previous: the ``state`` of the last run (None on the first run, or to show this
            run's alerts without history).
        horizon_days: days to assess (default: the policy's early-warning horizon).

    Raises:
        DataError: the outlook has no positions or no sample paths.
        ValueError: ``previous`` is from a later day than the outlook.
    """
    risk = liquidity_risk(outlook, policy, horizon_days=horizon_days)
    found = counterparty_alerts(
        outlook, policy, tables, receivables, as_of=outlook.as_of, risk=risk
    )
    raw = early_warnings(risk).with_alerts(found.alerts)
    shown, state = watch(raw, previous)
    return WarningRun(risk, raw, shown, state, found)
