"""The cash outlook with calibrated balance bands.

``band_calibration`` backtests the outlook from six earlier dates (``calibration.py``) with
the settings that made it; ``calibrated`` applies a calibration, made now or stored from an
earlier run, to a forecast. The backtests cost about six fast outlooks, so a workspace
stores a calibration and reuses it (``tools.workspace.calibrations``) until the daily job
makes the next one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date

import pandas as pd

from tools.domain.policy import Policy
from tools.forecasting.calibration import Calibration, apply_calibration, backtest_calibration
from tools.forecasting.cash import TREASURY_PRINCIPAL, CashForecast, build_outlook
from tools.forecasting.receivables_model import OpenInvoiceMethod

__all__ = ["band_calibration", "calibrated", "calibrated_outlook"]


def band_calibration(
    tables: Mapping[str, pd.DataFrame],
    policy: Policy,
    *,
    as_of: date | None = None,
    horizon_days: int = 91,
    n_paths: int = 200,
    seed: int = 0,
    open_invoices: OpenInvoiceMethod = "payment_model",
) -> Calibration:
    """Backtest fast outlooks from six earlier dates (two weeks apart, the latest a horizon
    before ``as_of``, default the last bank booking date) against the balances that
    followed."""
    if as_of is None:
        as_of = pd.to_datetime(tables["bank_transactions"]["booking_date"]).max().date()
    return backtest_calibration(
        tables,
        as_of=as_of,
        horizon_days=horizon_days,
        build=lambda view, origin: (
            build_outlook(
                view,
                policy,
                as_of=origin,
                horizon_days=horizon_days,
                n_paths=n_paths,
                seed=seed,
                quality="fast",
                open_invoices=open_invoices,
            ).outlook
        ),
        principal=TREASURY_PRINCIPAL,
    )


def calibrated(forecast: CashForecast, calibration: Calibration) -> CashForecast:
    """The forecast with its balance bands widened by ``calibration`` (its provenance
    says which calibration, or why none applied)."""
    outlook = apply_calibration(forecast.outlook, calibration)
    return dataclasses.replace(forecast, outlook=outlook, provenance=outlook.provenance)


def calibrated_outlook(
    tables: Mapping[str, pd.DataFrame],
    policy: Policy,
    *,
    as_of: date | None = None,
    horizon_days: int = 91,
    n_paths: int = 500,
    seed: int = 0,
    open_invoices: OpenInvoiceMethod = "payment_model",
    **kwargs: object,
) -> CashForecast:
    """``build_outlook`` with bands calibrated by fresh backtests (about six fast outlooks
    more)."""
    forecast = build_outlook(
        tables,
        policy,
        as_of=as_of,
        horizon_days=horizon_days,
        n_paths=n_paths,
        seed=seed,
        open_invoices=open_invoices,
        **kwargs,  # type: ignore[arg-type]
    )
    cal = band_calibration(
        tables,
        policy,
        as_of=forecast.outlook.as_of,
        horizon_days=horizon_days,
        n_paths=min(n_paths, 200),
        seed=seed,
        open_invoices=open_invoices,
    )
    return calibrated(forecast, cal)
