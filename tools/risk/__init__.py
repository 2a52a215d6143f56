"""Liquidity risk: breach probabilities from the cash outlook, early warnings (confirmed
over successive runs by ``watch``), and anomalies in bank flows."""

from tools.risk.alerts import Alert, EarlyWarning, business_days, early_warnings
from tools.risk.anomalies import Anomaly, AnomalyReport, bank_anomalies
from tools.risk.deterioration import counterparty_warnings, silent_customers
from tools.risk.episodes import ScopeWatch, WatchState, watch
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import BillAtRisk, BindingConstraint, Driver, LiquidityRisk, ScopeRisk
from tools.risk.prepayment import prepaying_suppliers, prepayment_warnings

__all__ = [
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
    "WatchState",
    "bank_anomalies",
    "business_days",
    "counterparty_warnings",
    "early_warnings",
    "liquidity_risk",
    "prepaying_suppliers",
    "prepayment_warnings",
    "silent_customers",
    "watch",
]
