"""Stored balance-band calibrations: made on a schedule, reused by every forecast.

Calibrating the outlook's bands backtests it from six earlier dates (about six fast
outlooks, ``tools.forecasting.cash_bands``). A workspace makes a calibration when the daily
job finds the last one due (``MAX_AGE_DAYS`` / ``EVERY_DAYS``) or when a user asks
(``wcm forecast --calibrate``), stores it in the ledger database with the reason it was
made, and applies the newest one to every forecast made within ``MAX_AGE_DAYS`` of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa

from tools.forecasting.calibration import Calibration
from tools.forecasting.cash import CashForecast
from tools.forecasting.cash_bands import band_calibration, calibrated
from tools.workspace.db import BAND_CALIBRATIONS, data_version
from tools.workspace.workspace import Workspace

__all__ = [
    "EVERY_DAYS",
    "MAX_AGE_DAYS",
    "StoredCalibration",
    "apply_stored",
    "calibration_due",
    "calibration_history",
    "due_reason",
    "last_booking",
    "latest_calibration",
    "make_calibration",
]

EVERY_DAYS = 14  # the daily job calibrates again when the newest one is this old
MAX_AGE_DAYS = 35  # forecasts further than this from their calibration keep raw bands


@dataclass(frozen=True)
class StoredCalibration:
    """A calibration and why and when it was made."""

    calibration_id: str
    created_at: datetime
    reason: str
    calibration: Calibration

    @property
    def as_of(self) -> date:
        assert self.calibration.as_of is not None
        return self.calibration.as_of

    def summary(self) -> dict[str, Any]:
        return {
            "calibration_id": self.calibration_id,
            "made_at": self.created_at.isoformat(),
            "made_because": self.reason,
            **self.calibration.summary(),
        }


def last_booking(ws: Workspace) -> date | None:
    """The last bank booking date (a forecast's default origin), by SQL."""
    with ws.engine.connect() as conn:
        sql = sa.text('SELECT MAX("booking_date") FROM "bank_transactions"')
        value = conn.execute(sql).scalar()
    return None if value is None else pd.Timestamp(value).date()


def make_calibration(
    ws: Workspace,
    *,
    reason: str,
    as_of: date | None = None,
    horizon_days: int = 91,
    now: datetime | None = None,
) -> StoredCalibration:
    """Backtest the workspace's outlook at ``as_of`` (default the last bank booking date),
    store the calibration with ``reason`` and return it."""
    cal = band_calibration(ws.read_all(), ws.policy(), as_of=as_of, horizon_days=horizon_days)
    created = now or datetime.now(UTC)
    digest = hashlib.sha256(f"{created.isoformat()}|{cal.as_of}|{horizon_days}".encode())
    stored = StoredCalibration(
        calibration_id=f"C-{cal.as_of:%Y%m%d}-{digest.hexdigest()[:8]}",
        created_at=created,
        reason=reason,
        calibration=cal,
    )
    with ws.engine.begin() as conn:
        conn.execute(
            BAND_CALIBRATIONS.insert().values(
                calibration_id=stored.calibration_id,
                created_at=created,
                as_of=cal.as_of,
                horizon_days=horizon_days,
                reason=reason,
                data_version=data_version(conn),
                summary=cal.summary(),
                body=cal.to_json(),
            )
        )
    return stored


def latest_calibration(ws: Workspace, *, as_of: date | None = None) -> StoredCalibration | None:
    """The newest calibration made from data up to ``as_of`` (default: any), calibrated
    or not."""
    query = sa.select(BAND_CALIBRATIONS).order_by(
        BAND_CALIBRATIONS.c.as_of.desc(), BAND_CALIBRATIONS.c.created_at.desc()
    )
    if as_of is not None:
        query = query.where(BAND_CALIBRATIONS.c.as_of <= as_of)
    with ws.engine.connect() as conn:
        row = conn.execute(query.limit(1)).first()
    return None if row is None else _stored(row)


def calibration_history(ws: Workspace, *, since: date | None = None) -> list[StoredCalibration]:
    """Every stored calibration (from ``since`` on), oldest first."""
    query = sa.select(BAND_CALIBRATIONS).order_by(BAND_CALIBRATIONS.c.created_at)
    if since is not None:
        query = query.where(BAND_CALIBRATIONS.c.as_of >= since)
    with ws.engine.connect() as conn:
        return [_stored(r) for r in conn.execute(query).all()]


def calibration_due(ws: Workspace, as_of: date, *, every_days: int = EVERY_DAYS) -> str | None:
    """Why the bands should be calibrated again at ``as_of`` (None when not due)."""
    return due_reason(latest_calibration(ws, as_of=as_of), as_of, every_days=every_days)


def due_reason(
    last: StoredCalibration | None, as_of: date, *, every_days: int = EVERY_DAYS
) -> str | None:
    """Why a workspace whose newest calibration is ``last`` should calibrate again."""
    if last is None:
        return "no calibration stored yet"
    age = (as_of - last.as_of).days
    if age >= every_days:
        return f"scheduled: the last calibration is {age} days old (every {every_days} days)"
    return None


def apply_stored(
    forecast: CashForecast, stored: StoredCalibration | None, *, max_age_days: int = MAX_AGE_DAYS
) -> CashForecast:
    """The forecast with the stored calibration's bands when it is recent enough; otherwise
    its raw bands, with the reason in ``provenance["calibration"]``."""
    as_of = forecast.outlook.as_of
    why = None
    if stored is None:
        why = "no calibration stored: run 'wcm run-daily' or 'wcm forecast --calibrate'"
    elif stored.as_of > as_of or (as_of - stored.as_of).days > max_age_days:
        why = (
            f"the newest calibration ({stored.calibration_id}, as of {stored.as_of}) is more "
            f"than {max_age_days} days from the forecast date: run 'wcm run-daily' or "
            "'wcm forecast --calibrate'"
        )
    if why is not None:
        return forecast.noted(calibration={"calibrated": False, "reason": why})
    assert stored is not None
    return calibrated(forecast, stored.calibration).noted(calibration=stored.summary())


def _stored(row: Any) -> StoredCalibration:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return StoredCalibration(
        calibration_id=row.calibration_id,
        created_at=created,
        reason=row.reason,
        calibration=Calibration.from_json(row.body),
    )
