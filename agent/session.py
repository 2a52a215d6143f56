"""A tool session: one workspace's data, policy and cached forecasts for a run of questions.

``wcm ask --batch`` and the chat keep one session, so the ledger is read and the cash
forecast is built once, not per question. Results never leak between workspaces.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from tools.domain.policy import Policy
from tools.errors import DataError, Problem
from tools.workspace import Workspace

__all__ = ["ToolSession"]


@dataclass
class ToolSession:
    """Lazy, cached access to a workspace for tool adapters."""

    ws: Workspace
    n_paths: int = 300
    seed: int = 0
    _tables: dict[str, pd.DataFrame] | None = None
    _policy: Policy | None = None
    _as_of: date | None = None
    _forecasts: dict[tuple[date, int], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def tables(self) -> dict[str, pd.DataFrame]:
        if self._tables is None:
            self._tables = self.ws.read_all()
        return self._tables

    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = self.ws.policy()
        return self._policy

    def as_of(self) -> date:
        """The latest bank booking date: the forecast origin and the KPI date."""
        if self._as_of is None:
            bank = self.tables()["bank_transactions"]
            if bank.empty:
                raise DataError(
                    [
                        Problem(
                            file="bank_transactions",
                            message="no bank data in the workspace",
                            expected="import bank statements with 'wcm import'",
                        )
                    ]
                )
            self._as_of = pd.Timestamp(bank["booking_date"].max()).date()
        return self._as_of

    def forecast(self, horizon_days: int = 91) -> Any:
        """The cash forecast over at least ``horizon_days`` (91 reused for anything shorter);
        a run stored in the workspace for the same data and parameters is reused."""
        from tools.workspace.forecast_runs import run_forecast

        horizon = max(91, int(horizon_days))
        key = (self.as_of(), horizon)
        with self._lock:
            if key not in self._forecasts:
                self._forecasts[key] = run_forecast(
                    self.ws,
                    as_of=self.as_of(),
                    horizon_days=horizon,
                    n_paths=self.n_paths,
                    seed=self.seed,
                    quality="fast",
                ).forecast
            return self._forecasts[key]

    def names(self, table: str, id_col: str) -> dict[str, str]:
        """Master-data names by id (customers, suppliers)."""
        frame = self.tables()[table]
        return dict(zip(frame[id_col].astype(str), frame["name"].astype(str), strict=False))

    def invalidate(self) -> None:
        """Forget cached data after an import."""
        self._tables = None
        self._policy = None
        self._as_of = None
        self._forecasts.clear()
