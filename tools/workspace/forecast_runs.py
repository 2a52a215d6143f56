"""Stored forecast runs: questions reuse a forecast instead of retraining it.

A run is stored with its provenance (data range, models, parameters) in the ledger
database, and its arrays (sample paths, scheduled bills, per-invoice predictions) in
``WORKSPACE/forecasts/<run id>/``. A run is reused when the parameters are the same and no
import has changed the data since it was made.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from tools.errors import WorkspaceError
from tools.forecasting.cash import CashForecast, Quality, build_outlook
from tools.forecasting.outlook import CashOutlook, Position
from tools.workspace.calibrations import (
    apply_stored,
    last_booking,
    latest_calibration,
    make_calibration,
)
from tools.workspace.db import FORECAST_RUNS, data_version
from tools.workspace.workspace import Workspace

__all__ = ["Bands", "ForecastRun", "load_run", "previous_run", "run_forecast"]

Bands = Literal["stored", "fresh", "raw"]
_FOLDER = "forecasts"
_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(ws: Workspace, params_key: str) -> threading.Lock:
    """One lock per workspace and parameters: concurrent questions wait for one computation."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((str(ws.root.resolve()), params_key), threading.Lock())


@dataclass(frozen=True)
class ForecastRun:
    """A forecast and where it came from."""

    run_id: str
    created_at: datetime
    cached: bool
    forecast: CashForecast


def run_forecast(
    ws: Workspace,
    *,
    as_of: date | None = None,
    horizon_days: int = 91,
    n_paths: int = 500,
    seed: int = 0,
    quality: Quality = "standard",
    bands: Bands = "stored",
    refresh: bool = False,
) -> ForecastRun:
    """The stored forecast for these parameters and data, made (and stored) when missing.

    ``bands``: ``stored`` (default) widens the balance bands by the workspace's newest
    stored calibration when it is recent enough (``tools.workspace.calibrations``);
    ``fresh`` makes and stores a calibration first (about six fast outlooks more); ``raw``
    keeps the sample paths' own bands."""
    stored = None
    if bands == "fresh":
        stored = make_calibration(
            ws, reason="requested with the forecast", as_of=as_of, horizon_days=horizon_days
        )
    elif bands == "stored":
        stored = latest_calibration(ws, as_of=as_of or last_booking(ws))
    params = {
        "as_of": as_of.isoformat() if as_of else None,
        "horizon_days": horizon_days,
        "n_paths": n_paths,
        "seed": seed,
        "quality": quality,
        "bands": "raw" if bands == "raw" else stored.calibration_id if stored else None,
    }
    params_key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:32]
    with _lock(ws, params_key):  # concurrent questions wait for one computation
        with ws.engine.connect() as conn:
            version = data_version(conn)
            rows = (
                []
                if refresh
                else conn.execute(
                    sa.select(FORECAST_RUNS)
                    .where(FORECAST_RUNS.c.data_version == version)
                    .order_by(FORECAST_RUNS.c.created_at.desc())
                ).all()
            )
        for row in rows:
            if _serves(row.params, row.as_of, params) and (ws.root / row.folder).is_dir():
                return ForecastRun(row.run_id, row.created_at, True, load_run(ws, row.run_id))
        forecast = build_outlook(
            ws.read_all(),
            ws.policy(),
            as_of=as_of,
            horizon_days=horizon_days,
            n_paths=n_paths,
            seed=seed,
            quality=quality,
        )
        if bands != "raw":
            forecast = apply_stored(forecast, stored)
        created = datetime.now(UTC)
        run_id = created.strftime("%Y%m%dT%H%M%S") + "-" + params_key[:8]
        folder = Path(_FOLDER) / run_id
        _save(forecast, ws.root / folder)
        with ws.engine.begin() as conn:
            if conn.execute(
                sa.select(FORECAST_RUNS.c.run_id).where(FORECAST_RUNS.c.run_id == run_id)
            ).first():
                return ForecastRun(run_id, created, False, forecast)  # another process stored it
            conn.execute(
                FORECAST_RUNS.insert().values(
                    run_id=run_id,
                    created_at=created,
                    as_of=forecast.outlook.as_of,
                    params_key=params_key,
                    data_version=version,
                    params=params,
                    provenance=_jsonable(dict(forecast.provenance)),
                    folder=folder.as_posix(),
                )
            )
        return ForecastRun(run_id, created, False, forecast)


def _serves(stored: dict[str, Any], origin: date, wanted: dict[str, Any]) -> bool:
    """A stored run answers a request for the same parameters; a ``standard`` run from the
    same origin with at least as many paths also answers a request for a ``fast`` one (it is
    the better run)."""
    if stored == wanted:
        return True
    same = all(stored.get(k) == wanted[k] for k in ("horizon_days", "seed", "bands")) and wanted[
        "as_of"
    ] in (None, origin.isoformat())
    return (
        same
        and wanted["quality"] == "fast"
        and stored.get("quality") == "standard"
        and int(stored.get("n_paths", 0)) >= int(wanted["n_paths"])
    )


def previous_run(ws: Workspace, run: ForecastRun) -> str | None:
    """The newest other stored run over the same horizon, made before ``run``."""
    horizon = run.forecast.outlook.horizon_days
    with ws.engine.connect() as conn:
        rows = conn.execute(
            sa.select(FORECAST_RUNS.c.run_id, FORECAST_RUNS.c.params)
            .where(FORECAST_RUNS.c.run_id != run.run_id)
            .where(FORECAST_RUNS.c.created_at <= run.created_at)
            .order_by(FORECAST_RUNS.c.created_at.desc())
        ).all()
    for row in rows:
        if row.params.get("horizon_days") == horizon:
            return str(row.run_id)
    return None


def load_run(ws: Workspace, run_id: str) -> CashForecast:
    """A stored forecast, as it was made."""
    with ws.engine.connect() as conn:
        row = conn.execute(sa.select(FORECAST_RUNS).where(FORECAST_RUNS.c.run_id == run_id)).first()
    if row is None:
        raise WorkspaceError(f"no forecast run {run_id!r}; 'wcm forecast --json' lists runs")
    folder = ws.root / row.folder
    if not folder.is_dir():
        raise WorkspaceError(f"forecast run {run_id} has no files at {folder}; run it again")
    meta = json.loads((folder / "meta.json").read_text())
    arrays = np.load(folder / "paths.npz")
    paths: dict[tuple[str, str], np.ndarray] = {}
    for name in arrays.files:
        if "|" in name:
            key, category = name.split("|", 1)
            paths[(key, category)] = arrays[name]
    dates = pd.DatetimeIndex(pd.to_datetime(arrays["dates"].astype("datetime64[D]")))
    scheduled = pd.read_parquet(folder / "scheduled.parquet")
    for col in ("due_date", "discount_date"):
        scheduled[col] = pd.to_datetime(scheduled[col]).dt.date
    outlook = CashOutlook(
        as_of=date.fromisoformat(meta["as_of"]),
        reporting_currency=meta["reporting_currency"],
        dates=dates,
        positions=tuple(
            Position(**{**p, "accounts": tuple(p["accounts"])}) for p in meta["positions"]
        ),
        paths=paths,
        scheduled=scheduled,
        flows=pd.read_parquet(folder / "flows.parquet"),
        drivers=tuple(meta["drivers"]),
        provenance=meta["provenance"],
    )
    return CashForecast(
        outlook=outlook,
        receivables=pd.read_parquet(folder / "receivables.parquet"),
        receivables_daily=pd.read_parquet(folder / "receivables_daily.parquet"),
        recurring=pd.read_parquet(folder / "recurring.parquet"),
        categorized=pd.DataFrame(),
        components=pd.read_parquet(folder / "components.parquet"),
        provenance=meta["provenance"],
    )


def _save(forecast: CashForecast, folder: Path) -> None:
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=folder.name + ".", suffix=".tmp", dir=folder.parent))
    try:
        _write(forecast, tmp)
        tmp.rename(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (folder / "meta.json").is_file():  # not a run another process stored first
            raise


def _write(forecast: CashForecast, tmp: Path) -> None:
    o = forecast.outlook
    arrays: dict[str, Any] = {f"{k}|{c}": arr for (k, c), arr in o.paths.items()}
    arrays["dates"] = o.dates.values.astype("datetime64[D]")
    np.savez_compressed(tmp / "paths.npz", **arrays)
    o.scheduled.to_parquet(tmp / "scheduled.parquet", index=False)
    o.flows.to_parquet(tmp / "flows.parquet", index=False)
    forecast.receivables.to_parquet(tmp / "receivables.parquet", index=False)
    forecast.receivables_daily.to_parquet(tmp / "receivables_daily.parquet", index=False)
    forecast.recurring.to_parquet(tmp / "recurring.parquet", index=False)
    forecast.components.to_parquet(tmp / "components.parquet", index=False)
    meta = {
        "as_of": o.as_of.isoformat(),
        "reporting_currency": o.reporting_currency,
        "positions": [p.__dict__ | {"accounts": list(p.accounts)} for p in o.positions],
        "drivers": list(o.drivers),
        "provenance": dict(o.provenance),
    }
    (tmp / "meta.json").write_text(json.dumps(_jsonable(meta), indent=1))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
