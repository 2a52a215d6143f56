"""The fitted payment-date model: its parts, its provenance and how it scores features."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from tools.forecasting.payments_features import FEATURES
from tools.forecasting.payments_never import UnpaidTable

__all__ = ["ANCHORS", "PaymentModel", "PaymentModelInfo", "anchor", "one_thread"]

# Where the boosting may start from, per invoice: nothing, or the customer's own median or
# mean days late (its segment's mean for a new customer). Learning the departure from the
# customer's level lets predictions follow a customer beyond the lateness seen in
# training (trees cannot extrapolate); which one is used is chosen on validation data.
ANCHORS = ("none", "late_median", "late_mean")


class PaymentModelInfo(BaseModel):
    """Provenance of a fitted payment model: data, parameters and out-of-sample scores."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    train_issue_from: date
    train_issue_to: date
    train_settled_to: date
    n_train: int = Field(description="Settled invoices the final model was fitted on")
    n_customers: int
    censor_days: int = Field(
        description="Invoices issued in the last censor_days before as_of are left out of "
        "training: only their quick payers would be settled yet"
    )
    params: dict[str, Any]
    validation_from: date | None = None
    n_validation: int = 0
    backtest: dict[str, float] = Field(
        default_factory=dict,
        description="Scores on the validation period (the latest 20 % of training invoices, "
        "predicted by a model fitted on invoices settled before it): mae_days, "
        "mae_days_customer_mean, auc_late",
    )
    unpaid_after_days: int
    seed: int


def one_thread() -> threadpool_limits:
    """Boosting on one OpenMP thread: on a small shared machine, more threads than free
    cores make histogram building several times slower, and one thread is deterministic."""
    return threadpool_limits(limits=1, user_api="openmp")


def anchor(x: pd.DataFrame, kind: str) -> np.ndarray:
    """The starting point of the boosted days late for each row (see ``ANCHORS``)."""
    if kind == "none":
        return np.zeros(len(x))
    level = x[kind].fillna(x["segment_late_mean"]).fillna(0.0)
    return np.asarray(level, dtype=float)


@dataclass(frozen=True, eq=False)
class PaymentModel:
    """A fitted payment-date model and the ledger its customer histories come from."""

    members: tuple[tuple[HistGradientBoostingRegressor, str], ...]  # (booster, anchor)
    scale: HistGradientBoostingRegressor | None
    scale_floor: float
    scale_constant: float
    atoms: np.ndarray  # sorted standardized errors, N_ATOMS quantiles
    excess: np.ndarray  # sorted standardized errors beyond their 90th percentile, minus it
    late: HistGradientBoostingClassifier | None  # P(paid after the due date), seen at issue
    unpaid: UnpaidTable
    ledger: pd.DataFrame  # cleaned invoices known at as_of, with ``segment``
    segments: dict[str, str]  # customer -> segment, from the master data and the ledger
    info: PaymentModelInfo

    def segment_of(self, customer_ids: pd.Series) -> pd.Series:
        """Each customer's segment (``"all"`` when unknown: everyone's behaviour applies)."""
        return customer_ids.astype(str).map(self.segments).fillna("all").astype(str)

    def location_of(self, x: pd.DataFrame) -> np.ndarray:
        """Median days late of each row of features (the members' average)."""
        features = x[list(FEATURES)]
        total = np.zeros(len(x))
        if x.empty:  # scikit-learn refuses empty input
            return total
        with one_thread():
            for booster, kind in self.members:
                total += np.asarray(booster.predict(features), dtype=float) + anchor(x, kind)
        return total / len(self.members)

    def late_of(self, x: pd.DataFrame) -> np.ndarray | None:
        """P(paid after the due date) of each row, as judged at issue (None: no classifier)."""
        if self.late is None:
            return None
        if x.empty:
            return np.zeros(0)
        with one_thread():
            return np.asarray(self.late.predict_proba(x[list(FEATURES)])[:, 1], dtype=float)

    def scale_of(self, x: pd.DataFrame) -> np.ndarray:
        """Typical absolute error (days) of each row of features."""
        if self.scale is None or x.empty:
            return np.full(len(x), self.scale_constant)
        with one_thread():
            raw = np.asarray(self.scale.predict(x[list(FEATURES)]), dtype=float)
        return np.maximum(raw, self.scale_floor)
