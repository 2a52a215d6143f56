"""Model recalibration: which model forecasts each cash position's weekly net flow, why,
and a switch when its accuracy drifts.

The series are the weekly net operating flows of each cash position (bank lines less
internal transfers, weeks ending on the as-of weekday). For each, the log holds the model
the panel engine (``tools.forecasting.forecast_panel``) chose on a rolling-origin
backtest and its held-out scaled MAE. A check:

1. **drift**: refits the stored model on the history up to ``h`` weeks ago, forecasts the
   last ``h`` weeks and scores them (MAE / the series' mean weekly change, the backtest's
   own scale) together with the share of weeks inside its 80 % band; the model drifted
   when that recent error exceeds ``drift_ratio`` times the stored score;
2. **re-backtest**: when a series drifted, is new, or the last re-backtest is older than
   ``every_days``, the engine backtests the zoo again (within ``time_budget`` seconds) and
   the series switches to the model it now prefers.

Every decision (initial choice, switch, kept) is logged with its reason and figures.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from tools.forecasting import forecast_panel
from tools.forecasting.cash import TREASURY_PRINCIPAL
from tools.monitoring.accuracy import actual_flows
from tools.monitoring.alerts_store import MonitorAlert

__all__ = [
    "MODEL_CHOICES",
    "ModelChoice",
    "Recalibration",
    "current_choices",
    "model_history",
    "recalibrate",
    "weekly_flows",
]

Action = Literal["initial", "switched", "kept"]
_ENSEMBLE = re.compile(r"^ensemble\((.+)\)$")
_META = sa.MetaData()
MODEL_CHOICES = sa.Table(
    "monitor_model_choices",
    _META,
    sa.Column("choice_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("series_id", sa.Text, nullable=False, index=True),
    sa.Column("model", sa.Text, nullable=False),
    sa.Column("score", sa.Float),
    sa.Column("recent_error", sa.Float),
    sa.Column("coverage", sa.Float),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("provenance", sa.JSON, nullable=False),
)


class ModelChoice(BaseModel):
    """One logged decision about a series' model."""

    model_config = ConfigDict(frozen=True)

    series_id: str
    model: str
    score: float | None = Field(description="Held-out scaled MAE of the model's backtest")
    recent_error: float | None = Field(description="Scaled MAE on the latest h weeks")
    coverage: float | None = Field(description="Share of the latest weeks inside the 80 % band")
    action: Action
    reason: str
    as_of: date
    created_at: datetime


class Recalibration(BaseModel):
    """What a recalibration checked and decided."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    rebacktested: bool
    decisions: tuple[ModelChoice, ...]
    skipped: dict[str, str] = Field(description="Series not checked, and why")
    alerts: tuple[MonitorAlert, ...]
    provenance: dict[str, Any]

    @property
    def switched(self) -> tuple[ModelChoice, ...]:
        return tuple(d for d in self.decisions if d.action == "switched")


def weekly_flows(tables: Mapping[str, pd.DataFrame], *, as_of: date) -> pd.DataFrame:
    """Weekly net flow per cash position (``unique_id, ds, y``), weeks ending on
    ``as_of``'s weekday, up to ``as_of``; drawings, repayments, placements and maturities
    left out, as the forecast leaves them to the treasurer."""
    first = pd.Timestamp(tables["bank_transactions"]["booking_date"].min())
    lines = actual_flows(
        tables, after=(first - pd.Timedelta(days=1)).date(), principal=TREASURY_PRINCIPAL
    )
    lines = lines.loc[lines["booking_date"] <= pd.Timestamp(as_of)]
    if lines.empty:
        return pd.DataFrame(columns=["unique_id", "ds", "y"])
    freq = "W-" + pd.Timestamp(as_of).day_name()[:3].upper()
    weekly = lines.groupby(["key", pd.Grouper(key="booking_date", freq=freq)])["amount"].sum()
    out = weekly.rename("y").reset_index()
    out.columns = pd.Index(["unique_id", "ds", "y"])
    return out


def _table(engine: Engine) -> sa.Table:
    _META.create_all(engine, checkfirst=True)
    return MODEL_CHOICES


def _choice(row: Any) -> ModelChoice:
    return ModelChoice.model_validate(dict(row._mapping))


def model_history(engine: Engine, series_id: str | None = None) -> list[ModelChoice]:
    """Every logged decision, oldest first (of one series when given)."""
    table = _table(engine)
    query = sa.select(table).order_by(table.c.choice_id)
    if series_id is not None:
        query = query.where(table.c.series_id == series_id)
    with engine.connect() as conn:
        return [_choice(r) for r in conn.execute(query).all()]


def current_choices(engine: Engine) -> dict[str, ModelChoice]:
    """The model in force per series: its latest logged decision."""
    return {c.series_id: c for c in model_history(engine)}


def _quiet(call: Callable[[], Any]) -> Any:
    # The engine averages all-NaN windows of short or intermittent series; that empty mean
    # is expected there and carries no information.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
        return call()


def _models(choice: str) -> tuple[list[str], tuple[str, ...]] | None:
    found = _ENSEMBLE.match(choice)
    if found:
        return found.group(1).split(","), ("mean_all",)
    if choice.startswith("fallback:") or choice == "zero":
        return None
    return [choice], ("best",)


def _recent(
    panel: pd.DataFrame, series: str, model: str, *, h: int, freq: str
) -> tuple[float, float] | None:
    """Scaled MAE and 80 % coverage of ``model`` refit without the last ``h`` weeks."""
    spec = _models(model)
    y = panel.loc[panel["unique_id"] == series].sort_values("ds")
    if spec is None or len(y) < h + 12:
        return None
    train, test = y.iloc[:-h], y.iloc[-h:]
    scale = float(np.mean(np.abs(np.diff(train["y"].to_numpy(float)))))
    if scale <= 0:
        return None
    models, strategies = spec
    fc = _quiet(
        lambda: forecast_panel(
            train,
            h=h,
            freq=freq,
            season_length=1,
            models=models,
            strategies=strategies,
            n_windows=1,
            neural=False,
            n_jobs=1,
            time_budget=None,
        )
    ).forecast
    actual = test["y"].to_numpy(float)
    err = float(np.mean(np.abs(fc["mean"].to_numpy(float) - actual))) / scale
    inside = (actual >= fc["lo-80"].to_numpy(float)) & (actual <= fc["hi-80"].to_numpy(float))
    return round(err, 4), round(float(inside.mean()), 4)


def _log(engine: Engine, decisions: list[ModelChoice], provenance: dict[str, Any]) -> None:
    table = _table(engine)
    with engine.begin() as conn:
        for d in decisions:
            conn.execute(table.insert().values(**d.model_dump(), provenance=provenance))


def recalibrate(
    engine: Engine,
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    now: datetime,
    h: int = 4,
    drift_ratio: float = 1.5,
    every_days: int = 28,
    time_budget: float = 5.0,
    force: bool = False,
) -> Recalibration:
    """Check each position's weekly-flow model for drift, re-backtest when due, log why.

    Args:
        engine: the workspace database (the log lives there).
        tables: the ledger (bank lines up to ``as_of`` are used).
        as_of: the last day of data.
        now: the time of the check (logged).
        h: weeks forecast in the backtest and in the drift check.
        drift_ratio: recent error / stored score above which a model drifted.
        every_days: re-backtest at least this often even without drift.
        time_budget: seconds the engine's default zoo aims at.
        force: re-backtest now.
    """
    panel = weekly_flows(tables, as_of=as_of)
    freq = "W-" + pd.Timestamp(as_of).day_name()[:3].upper()
    current = current_choices(engine)
    skipped: dict[str, str] = {}
    drift: dict[str, tuple[float, float]] = {}
    for series, choice in current.items():
        if series not in set(panel["unique_id"]):
            skipped[series] = "no weekly flows any more"
            continue
        recent = _recent(panel, series, choice.model, h=h, freq=freq)
        if recent is None:
            skipped[series] = f"model {choice.model} cannot be refit on {h} weeks less history"
        else:
            drift[series] = recent
    drifted = {
        s for s, (err, _) in drift.items() if err > drift_ratio * (current[s].score or np.inf)
    }
    last = max((c.as_of for c in current.values()), default=None)
    new_series = set(panel["unique_id"]) - set(current)
    due = force or last is None or (as_of - last) >= timedelta(days=every_days)
    decisions: list[ModelChoice] = []
    if not (due or drifted or new_series):
        return Recalibration(
            as_of=as_of,
            rebacktested=False,
            decisions=(),
            skipped=skipped,
            alerts=(),
            provenance={"drift": {s: list(v) for s, v in drift.items()}, "h": h},
        )
    pf = _quiet(
        lambda: forecast_panel(
            panel,
            h=h,
            freq=freq,
            season_length=1,
            n_windows=3,
            neural=False,
            n_jobs=1,
            time_budget=time_budget,
        )
    )
    sel = pf.backtest.loc[pf.backtest["model"] == "selected"].set_index("unique_id")
    for series, model in sorted(pf.chosen.items()):
        score = float(sel.loc[series, "scaled_mae"]) if series in sel.index else None
        score = None if score is None or np.isnan(score) else round(score, 4)
        err, cov = drift.get(series, (None, None))
        old = current.get(series)
        action: Action
        if old is None:
            action, reason = "initial", f"first backtest chose {model}"
        else:
            why = (
                f"drift: recent scaled MAE {err:.2f} > {drift_ratio:g} x stored {old.score:.2f}"
                if series in drifted and err is not None and old.score is not None
                else f"scheduled re-backtest (every {every_days} days)"
                if due
                else "re-backtest for new series"
            )
            action = "kept" if model == old.model else "switched"
            reason = (
                f"{why}; backtest kept {model}"
                if action == "kept"
                else f"{why}; backtest prefers {model} over {old.model}"
            )
        if score is not None:
            reason += f" (held-out scaled MAE {score:.2f})"
        decisions.append(
            ModelChoice(
                series_id=series,
                model=model,
                score=score,
                recent_error=err,
                coverage=cov,
                action=action,
                reason=reason,
                as_of=as_of,
                created_at=now,
            )
        )
    provenance = {
        "engine": {k: pf.provenance[k] for k in ("models", "strategy", "parameters")},
        "h": h,
        "drift_ratio": drift_ratio,
        "every_days": every_days,
        "series": "weekly net flow per cash position, internal transfers left out",
    }
    _log(engine, decisions, provenance)
    alerts = tuple(
        MonitorAlert(
            dedupe_key=f"recalibration:{d.series_id}:{d.model}",
            source="recalibration",
            severity="info",
            scope=d.series_id,
            title=f"{d.series_id}: forecast model switched to {d.model}",
            cause=d.reason,
            metric="scaled_mae",
            value=d.recent_error,
            target=d.score,
            as_of=as_of,
        )
        for d in decisions
        if d.action == "switched"
    )
    return Recalibration(
        as_of=as_of,
        rebacktested=True,
        decisions=tuple(decisions),
        skipped=skipped,
        alerts=alerts,
        provenance=provenance,
    )
