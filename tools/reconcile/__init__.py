"""Reconciliation: bank lines matched to open receivables and payables."""

from tools.reconcile.cash_application import Match, Reconciliation, Unmatched, reconcile

__all__ = ["Match", "Reconciliation", "Unmatched", "reconcile"]
