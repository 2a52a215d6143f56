"""Monitoring: forecast-versus-actual variance, KPI tracking and decision outcomes."""

from tools.monitoring.lookback import LagVariance, LookbackReport, lookback_variance
from tools.monitoring.outcome_store import load_outcomes, record_outcomes
from tools.monitoring.outcomes import (
    DecisionOutcome,
    ExecutedDecision,
    ItemOutcome,
    OutcomeReport,
    outcomes,
)
from tools.monitoring.value import ValueBreakdown, actual_path_outlook, cumulative
from tools.monitoring.variance import VarianceDriver, VarianceReport, explain_variance

__all__ = [
    "DecisionOutcome",
    "ExecutedDecision",
    "ItemOutcome",
    "LagVariance",
    "LookbackReport",
    "OutcomeReport",
    "ValueBreakdown",
    "VarianceDriver",
    "VarianceReport",
    "actual_path_outlook",
    "cumulative",
    "explain_variance",
    "load_outcomes",
    "lookback_variance",
    "outcomes",
    "record_outcomes",
]
