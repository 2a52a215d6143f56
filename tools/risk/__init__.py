"""Liquidity risk: breach probabilities from the cash outlook, early warnings, and
anomalies in bank flows."""

from tools.risk.alerts import Alert, EarlyWarning, business_days, early_warnings
from tools.risk.anomalies import Anomaly, AnomalyReport, bank_anomalies
from tools.risk.deterioration import counterparty_warnings, silent_customers
from tools.risk.liquidity import liquidity_risk
from tools.risk.models import BillAtRisk, BindingConstraint, Driver, LiquidityRisk, ScopeRisk

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
    "bank_anomalies",
    "business_days",
    "counterparty_warnings",
    "early_warnings",
    "liquidity_risk",
    "silent_customers",
]
