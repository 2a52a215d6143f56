"""Expected customer receipts per day, entity and currency, built invoice by invoice."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.forecasting.payments_data import day_number
from tools.forecasting.payments_model import PaymentModel, PaymentModelInfo
from tools.forecasting.payments_predict import describe, predict_core

__all__ = ["ExpectedReceipts", "expected_receipts"]

_LEVELS = (80, 95)
_MIN_SIMULATIONS = 1000  # paths behind the intervals, even when none are returned
_TOP = 10
_BAND_COLUMNS = [f"{side}-{level}" for level in _LEVELS for side in ("lo", "hi")]
_TOTAL_COLUMNS = [
    "key",
    "entity_id",
    "currency",
    "open_amount",
    "n_invoices",
    "expected",
    *_BAND_COLUMNS,
    "expected_never_paid",
]


class ExpectedReceipts(BaseModel):
    """Receipts expected from open invoices over the next ``horizon_days`` days.

    ``daily``: key (``ENTITY/CURRENCY``), entity_id, currency, ds, expected and
    ``lo-80/hi-80/lo-95/hi-95`` (daily amounts). ``totals``: per key, the open amount, the
    expected total within the horizon with its intervals, and the amount expected never
    to be paid. ``paths[key]``: ``(n_paths, horizon_days)`` sampled daily receipts (empty
    when ``n_paths`` is 0); day ``i`` is ``as_of + i + 1``. ``invoices``: the per-invoice
    predictions; ``top_payments``: the customers whose payments weigh most in the horizon.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    as_of: date
    horizon_days: int
    daily: pd.DataFrame
    totals: pd.DataFrame
    paths: dict[str, np.ndarray]
    invoices: pd.DataFrame
    top_payments: pd.DataFrame
    n_open: int
    n_paths: int
    n_simulations: int = Field(description="Sample paths the intervals are read from")
    seed: int
    model: PaymentModelInfo
    provenance: dict[str, Any] = Field(default_factory=dict)


def _key(entity: pd.Series, currency: pd.Series) -> pd.Series:
    return entity.astype(str) + "/" + currency.astype(str)


def _bands(values: np.ndarray, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for level in _LEVELS:
        tail = (100 - level) / 200
        out[f"{prefix}lo-{level}"] = np.quantile(values, tail, axis=0)
        out[f"{prefix}hi-{level}"] = np.quantile(values, 1 - tail, axis=0)
    return out


def _top_payments(per_invoice: pd.DataFrame) -> pd.DataFrame:
    per_invoice = per_invoice.assign(
        expected_in_horizon=per_invoice["open_amount"] * per_invoice["p_in_horizon"]
    )
    grouped = per_invoice.sort_values("open_amount", ascending=False).groupby(
        ["customer_id", "key"], sort=False
    )
    top = grouped.agg(
        expected_in_horizon=("expected_in_horizon", "sum"),
        open_amount=("open_amount", "sum"),
        n_invoices=("invoice_id", "size"),
        first_expected_date=("expected_date", "min"),
        drivers=("drivers", "first"),
    ).reset_index()
    top = top.sort_values(["expected_in_horizon", "customer_id"], ascending=[False, True])
    return top.head(_TOP).reset_index(drop=True)


def expected_receipts(
    model: PaymentModel,
    open_invoices: pd.DataFrame,
    *,
    as_of: date,
    horizon_days: int,
    n_paths: int = 0,
    seed: int = 0,
    history: pd.DataFrame | None = None,
) -> ExpectedReceipts:
    """Daily receipts expected from the invoices open at ``as_of``, per entity and currency.

    Each invoice is paid once, for its open amount, on a day drawn from its conditional
    payment distribution (never before ``as_of + 1``; overdue invoices may not be paid at
    all). Expectations are exact; intervals come from simulated paths.

    Args:
        model: from ``fit_payment_model``.
        open_invoices: ``ar_invoices`` rows open at ``as_of`` with entity_id and currency.
        as_of: the day the data is complete through.
        horizon_days: days after ``as_of`` to cover.
        n_paths: sample paths to return per key (0: none).
        seed: seeds the paths.
        history: see ``predict_payments``.

    Raises:
        DataError: invalid invoices (see ``predict_payments``).
        ValueError: ``horizon_days`` below 1 or ``n_paths`` negative.
    """
    if horizon_days < 1 or n_paths < 0:
        raise ValueError(f"need horizon_days >= 1 and n_paths >= 0, got {horizon_days}, {n_paths}")
    core = predict_core(model, open_invoices, as_of=as_of, history=history)
    per_invoice = describe(
        model,
        core,
        as_of=as_of,
        quantiles=(0.1, 0.5, 0.9),
        horizon_days=horizon_days,
        explain_drivers=True,
    )
    inv, dist = core.invoices, core.dist
    amount = per_invoice["open_amount"].to_numpy(float)
    keys = _key(inv["entity_id"], inv["currency"]).to_numpy()
    per_invoice["key"] = keys
    # day index 0 is as_of + 1: a payment at days late L falls on index due + L - as_of - 1
    t = float(day_number(pd.Series([pd.Timestamp(as_of)]))[0])
    first = t + 1 - day_number(inv["due_date"])
    pmf = dist.pmf(first.astype(np.int64), horizon_days)
    n_sim = max(n_paths, _MIN_SIMULATIONS)
    draws = dist.sample(n_sim, np.random.default_rng(seed))
    idx = draws - first[None, :]
    inside = ~np.isnan(idx) & (idx >= 0) & (idx < horizon_days)
    dates = pd.date_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), periods=horizon_days)
    daily, totals, paths = [], [], {}
    for key in sorted(set(keys)):
        cols = np.flatnonzero(keys == key)
        sub = inside[:, cols]
        path_id, col = np.nonzero(sub)
        flat = path_id * horizon_days + idx[:, cols][sub].astype(np.int64)
        sims = np.bincount(flat, weights=amount[cols][col], minlength=n_sim * horizon_days).reshape(
            n_sim, horizon_days
        )
        entity, currency = key.split("/", 1)
        expected = pmf[cols].T @ amount[cols]
        daily.append(
            pd.DataFrame(
                {
                    "key": key,
                    "entity_id": entity,
                    "currency": currency,
                    "ds": dates,
                    "expected": expected,
                    **_bands(sims),
                }
            )
        )
        totals.append(
            {
                "key": key,
                "entity_id": entity,
                "currency": currency,
                "open_amount": float(amount[cols].sum()),
                "n_invoices": len(cols),
                "expected": float(expected.sum()),
                **{k: float(v) for k, v in _bands(sims.sum(axis=1)).items()},
                "expected_never_paid": float(amount[cols] @ dist.p_never[cols]),
            }
        )
        if n_paths:
            paths[key] = sims[:n_paths].copy()
    columns = ["key", "entity_id", "currency", "ds", "expected", *_BAND_COLUMNS]
    return ExpectedReceipts(
        as_of=as_of,
        horizon_days=horizon_days,
        daily=pd.concat(daily, ignore_index=True) if daily else pd.DataFrame(columns=columns),
        totals=pd.DataFrame(totals, columns=_TOTAL_COLUMNS),
        paths=paths,
        invoices=per_invoice,
        top_payments=_top_payments(per_invoice) if len(per_invoice) else per_invoice,
        n_open=len(per_invoice),
        n_paths=n_paths,
        n_simulations=n_sim,
        seed=seed,
        model=model.info,
        provenance={
            "dates": [str(dates[0].date()), str(dates[-1].date())],
            "tail_invoices": int(dist.tail.sum()),
            "unpaid_after_days": model.unpaid.after_days,
        },
    )
