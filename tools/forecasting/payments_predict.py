"""When each open invoice will be paid: dates, quantiles, lateness and the reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from tools.errors import DataError, Problem
from tools.forecasting.payments_data import clean_invoices, day_number
from tools.forecasting.payments_dist import Conditional, conditional
from tools.forecasting.payments_drivers import explain
from tools.forecasting.payments_features import build_features
from tools.forecasting.payments_model import PaymentModel
from tools.forecasting.payments_weekday import place_on_weekdays, weekday_habits

__all__ = ["Prediction", "describe", "predict_core", "predict_payments", "quantile_column"]


def quantile_column(q: float) -> str:
    """``date_q10`` for the 10 % quantile of the payment date."""
    return f"date_q{100 * q:g}"


@dataclass(frozen=True)
class Prediction:
    invoices: pd.DataFrame  # cleaned open invoices, in input order
    features: pd.DataFrame
    dist: Conditional
    first_late: np.ndarray  # days late of the day after as_of, per invoice


def _context(model: PaymentModel, history: pd.DataFrame | None, t: float) -> pd.DataFrame:
    """The ledger customer histories are read from, as known at day number ``t``."""
    if history is None:
        ledger = model.ledger.copy()
    else:
        ledger = clean_invoices(history)
        ledger["segment"] = model.segment_of(ledger["customer_id"])
    ledger = ledger.loc[day_number(ledger["issue_date"]) <= t].copy()
    ledger.loc[day_number(ledger["settled_date"]) > t, "settled_date"] = pd.NaT
    return ledger


def predict_core(
    model: PaymentModel,
    open_invoices: pd.DataFrame,
    *,
    as_of: date,
    history: pd.DataFrame | None = None,
) -> Prediction:
    """Features and conditional payment distributions of the invoices open at ``as_of``."""
    q = clean_invoices(open_invoices)
    t = float(day_number(pd.Series([pd.Timestamp(as_of)]))[0])
    paid = day_number(q["settled_date"]) <= t
    if paid.any():
        first = q.loc[paid, "invoice_id"].iloc[0]
        raise DataError(
            [
                Problem(
                    "ar_invoices",
                    f"{int(paid.sum())} invoices (first {first}) are settled on or before as_of, "
                    "so they are not open; pass only open invoices (see open_invoices_at)",
                    column="settled_date",
                    value=str(first),
                    expected=f"empty or after {as_of}",
                )
            ]
        )
    ledger = _context(model, history, t)
    q["settled_date"] = pd.Series(pd.NaT, index=q.index, dtype="datetime64[ns]")
    q["segment"] = model.segment_of(q["customer_id"])
    ledger = pd.concat(
        [ledger.loc[~ledger["invoice_id"].isin(q["invoice_id"])], q], ignore_index=True
    )
    q["tau"] = t
    x = build_features(ledger, q)
    due, issue = day_number(q["due_date"]), day_number(q["issue_date"])
    first_late = np.maximum(t + 1, issue) - due
    dist = conditional(
        model.location_of(x),
        model.scale_of(x),
        model.atoms,
        model.excess,
        min_late=first_late,
        floor_late=issue - due,
        p_never=model.unpaid.rate(t - due, q["disputed"].to_numpy(bool)),
    )
    run_day, closed = weekday_habits(ledger, q["customer_id"])
    dist = replace(dist, late=place_on_weekdays(dist.late, due, run_day, closed, first_late))
    return Prediction(q, x, dist, first_late)


def _p_late(at_issue: np.ndarray | None, p: Prediction) -> np.ndarray:
    """P(paid after the due date, or never), given the invoice is unpaid at as_of.

    The classifier judges at issue; being unpaid at as_of is evidence only while the
    invoice is not yet due (a late payment implies it), so by Bayes the chance is the
    classifier's over the model's chance of still being unpaid by now, and 1 once overdue.
    """
    d = p.dist
    if at_issue is None:
        return d.p_after(np.zeros(len(p.first_late)))
    with np.errstate(divide="ignore", invalid="ignore"):
        paid_late = np.clip(at_issue / d.unpaid_share, 0.0, 1.0)
    paid_late = np.where(p.first_late > 0, 1.0, np.nan_to_num(paid_late, nan=1.0))
    return d.p_never + (1 - d.p_never) * paid_late


def predict_payments(
    model: PaymentModel,
    open_invoices: pd.DataFrame,
    *,
    as_of: date,
    quantiles: Sequence[float] = (0.1, 0.5, 0.9),
    horizon_days: int = 30,
    history: pd.DataFrame | None = None,
    explain_drivers: bool = True,
) -> pd.DataFrame:
    """Predict when each invoice open at the close of ``as_of`` will be paid.

    Args:
        model: from ``fit_payment_model``.
        open_invoices: ``ar_invoices`` rows still open at ``as_of`` (``open_invoices_at``
            selects them).
        as_of: the day the data is complete through; payments fall after it.
        quantiles: levels of the payment-date quantiles to report.
        horizon_days: ``p_in_horizon`` is the chance of payment by ``as_of + horizon_days``.
        history: the invoices ledger known at ``as_of``, when newer than the model's own;
            settlements after ``as_of`` in it are ignored.
        explain_drivers: add the ``drivers`` sentences (costs a few extra model runs).

    Returns:
        One row per invoice: invoice_id, customer_id, entity_id, currency, open_amount,
        due_date, days_overdue, expected_date and expected_days_late (if paid),
        ``date_qNN`` per quantile, p_late (paid after the due date, never paying included),
        p_in_horizon, p_never (still unpaid after the model's ``unpaid_after_days``),
        history_n, cold_start and drivers.

    Raises:
        DataError: a column is missing or invalid, or an invoice is already settled.
        ValueError: a quantile outside (0, 1) or a horizon below one day.
    """
    if any(not 0 < q < 1 for q in quantiles):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {list(quantiles)}")
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, got {horizon_days}")
    p = predict_core(model, open_invoices, as_of=as_of, history=history)
    return describe(
        model,
        p,
        as_of=as_of,
        quantiles=quantiles,
        horizon_days=horizon_days,
        explain_drivers=explain_drivers,
    )


def describe(
    model: PaymentModel,
    p: Prediction,
    *,
    as_of: date,
    quantiles: Sequence[float],
    horizon_days: int,
    explain_drivers: bool,
) -> pd.DataFrame:
    """The per-invoice table of ``predict_payments`` from computed distributions."""
    q, d = p.invoices, p.dist
    t = pd.Timestamp(as_of)
    due = pd.to_datetime(q["due_date"])

    def to_date(days_late: np.ndarray) -> pd.Series:
        return due + pd.to_timedelta(np.round(days_late), unit="D")

    mean = d.mean()
    out = pd.DataFrame(
        {
            "invoice_id": q["invoice_id"],
            "customer_id": q["customer_id"],
            "entity_id": q["entity_id"],
            "currency": q["currency"],
            "open_amount": q["open_amount"].where(q["open_amount"] > 0, q["amount"]),
            "due_date": due,
            "days_overdue": np.maximum((t - due).dt.days, 0),
            "expected_date": to_date(mean),
            "expected_days_late": np.round(mean, 1),
        }
    )
    for level in quantiles:
        out[quantile_column(level)] = to_date(d.quantile(level))
    horizon_late = (t - due).dt.days.to_numpy() + horizon_days
    out["p_late"] = _p_late(model.late_of(p.features), p)
    out["p_in_horizon"] = 1 - d.p_after(horizon_late)
    out["p_never"] = d.p_never
    out["history_n"] = p.features["hist_n"].astype(int).to_numpy()
    out["cold_start"] = out["history_n"] == 0
    if explain_drivers and len(q):
        out["drivers"] = explain(
            p.features, q["customer_id"], out["days_overdue"].to_numpy(), model.location_of
        )
    else:
        out["drivers"] = ""
    return out.reset_index(drop=True)
