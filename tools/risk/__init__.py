"""Liquidity risk: breach probabilities from the cash outlook, early warnings (confirmed
over successive runs by ``watch``; ``run_early_warnings`` makes one run as the daily job
does), and anomalies in bank flows."""

from tools.risk.alerts import (
    RANK,
    Alert,
    EarlyWarning,
    business_days,
    early_warnings,
    risk_levels,
    warning_levels,
)
from tools.risk.anomalies import Anomaly, AnomalyReport, bank_anomalies
from tools.risk.daily import WarningRun, run_early_warnings
from tools.risk.deterioration import counterparty_warnings, silent_customers
from tools.risk.episodes import ScopeWatch, WatchState, watch
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import BillAtRisk, BindingConstraint, Driver, LiquidityRisk, ScopeRisk
from tools.risk.prepayment import prepaying_suppliers, prepayment_warnings

__all__ = [
    "RANK",
    "Alert",
    "Anomaly",
    "AnomalyReport",
    "BillAtRisk",
    "BindingConstraint",
    "Driver",
    "EarlyWarning",
    "LiquidityRisk",
    "ScopeRisk",
    "ScopeWatch",
    "WarningRun",
    "WatchState",
    "bank_anomalies",
    "business_days",
    "counterparty_warnings",
    "early_warnings",
    "liquidity_risk",
    "prepaying_suppliers",
    "prepayment_warnings",
    "risk_levels",
    "run_early_warnings",
    "silent_customers",
    "warning_levels",
    "watch",
]
