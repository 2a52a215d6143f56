"""Monitoring: forecast-versus-actual variance, KPI tracking and decision outcomes."""

from tools.monitoring.variance import VarianceDriver, VarianceReport, explain_variance

__all__ = ["VarianceDriver", "VarianceReport", "explain_variance"]
