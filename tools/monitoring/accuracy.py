"""How good the stored forecasts turned out: weekly net-flow accuracy and band coverage.

Every forecast run the workspace stored is compared with what happened after it:

- **accuracy** = 1 - WAPE of the weekly net flow per cash position over the first weeks of
  each run (sum of absolute weekly errors / sum of absolute actual weekly flows, in the
  reporting currency); net flows swing around zero, so a per-week percentage error would
  explode, while WAPE weighs each week by its size. Treasury principal moves (drawings,
  repayments, placements, maturities) are the treasurer's decisions, which the outlook
  leaves out, so they are left out of the actual flows too;
- **coverage** = share of the actual own-funds balances (all accounts of a position
  reported that day) that fell inside the run's 80 % band; a calibrated forecast covers
  about 80 %. The outlook is the balance *before* new treasury actions, so the balance it
  is scored against is the closing balance less the principal moves (revolver drawings net
  of repayments, placements, maturities) booked after the run's date, measured with the
  calibration's own functions (``own_funds``, ``own_funds_path``): a drawing made after
  the forecast to cover a shortfall does not count as the forecast having been right.

A run is scored once the data reaches past its forecast weeks; the scores of a period
are those of weeks (and days) ending in it, so a period is compared with the one before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.forecasting.calibration import own_funds, own_funds_path
from tools.forecasting.cash import TREASURY_PRINCIPAL, CashForecast, treasury_principal
from tools.forecasting.categorize import categorize
from tools.forecasting.positions import account_keys

__all__ = [
    "AccuracyScores",
    "PeriodAccuracy",
    "actual_flows",
    "score_runs",
]

_INTERNAL = "internal"


class PeriodAccuracy(BaseModel):
    """Accuracy and coverage of forecasts over weeks (days) ending in ``start..end``."""

    model_config = ConfigDict(frozen=True)

    start: date
    end: date
    accuracy: float | None = Field(description="1 - WAPE of weekly net flow (None: no week)")
    wape: float | None
    weeks: int = Field(description="Position-weeks scored")
    coverage: float | None = Field(
        description="Share of actual own-funds balances (closing balance less treasury "
        "principal moves after the run) inside the 80 % band"
    )
    days: int = Field(description="Position-days scored for coverage")


class AccuracyScores(BaseModel):
    """Scores per stored run, aggregated by period."""

    model_config = ConfigDict(frozen=True)

    current: PeriodAccuracy
    previous: PeriodAccuracy
    runs: tuple[str, ...] = Field(description="Runs that had at least one week or day scored")
    weeks_ahead: int


def actual_flows(
    tables: Mapping[str, pd.DataFrame], *, after: date, principal: str | None = None
) -> pd.DataFrame:
    """Bank lines booked after ``after`` as ``key, booking_date, amount``, internal
    transfers left out (the forecast leaves them out too); with ``principal`` (a regex of
    bank-line texts) also the financing and investment principal moves the outlook leaves
    to the treasurer (drawings, repayments, placements, maturities)."""
    bank = tables["bank_transactions"]
    lines = bank.loc[pd.to_datetime(bank["booking_date"]) > pd.Timestamp(after)]
    if lines.empty:
        return pd.DataFrame(columns=["key", "booking_date", "amount"])
    lines = categorize(lines, tables)
    lines["key"] = lines["account_id"].map(account_keys(tables["bank_accounts"]))
    lines = lines.loc[lines["key"].notna() & (lines["category"] != _INTERNAL)]
    if principal is not None:
        lines = lines.loc[~treasury_principal(lines, principal)]
    return lines[["key", "booking_date", "amount"]].assign(
        booking_date=pd.to_datetime(lines["booking_date"])
    )


def _position_balances(tables: Mapping[str, pd.DataFrame], *, after: date) -> pd.DataFrame:
    """The days (``key, date``) on which every account of a position reported a closing
    balance: the days coverage is scored on."""
    bal = tables["bank_balances"]
    bal = bal.loc[(bal["balance_type"] == "closing") & (bal["date"] > pd.Timestamp(after))]
    if bal.empty:
        return pd.DataFrame(columns=["key", "date"])
    keys = account_keys(tables["bank_accounts"])
    per_key = pd.Series(keys).groupby(pd.Series(keys)).size()
    bal = bal.assign(key=bal["account_id"].map(keys)).dropna(subset=["key"])
    out = bal.groupby(["key", "date"])["account_id"].nunique().rename("n").reset_index()
    full = out["n"].to_numpy() == out["key"].map(per_key).to_numpy()
    return out.loc[full, ["key", "date"]]


def _score_run(
    forecast: CashForecast,
    flows: pd.DataFrame,
    balances: pd.DataFrame,
    own: Mapping[str, pd.DataFrame],
    *,
    data_end: pd.Timestamp,
    weeks_ahead: int,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    o = forecast.outlook
    weeks, days = [], []
    start = pd.Timestamp(o.as_of)
    for p in o.positions:
        net = o.flow_paths(p.key).mean(axis=0) + o.scheduled_flows(p.key)
        mine = flows.loc[flows["key"] == p.key]
        for k in range(1, weeks_ahead + 1):
            lo, hi = start + pd.Timedelta(days=7 * (k - 1)), start + pd.Timedelta(days=7 * k)
            if hi > data_end or hi > o.dates[-1]:
                break
            cols = (o.dates > lo) & (o.dates <= hi)
            actual = mine.loc[(mine["booking_date"] > lo) & (mine["booking_date"] <= hi), "amount"]
            weeks.append(
                {
                    "key": p.key,
                    "end": hi,
                    "forecast": float(net[cols].sum()) * p.fx_to_reporting,
                    "actual": float(actual.sum()) * p.fx_to_reporting,
                }
            )
        seen = balances.loc[(balances["key"] == p.key) & (balances["date"] <= o.dates[-1])]
        if seen.empty or p.key not in own:
            continue
        when = pd.DatetimeIndex(seen["date"])
        idx = o.dates.get_indexer(when)
        actual_bal = own_funds_path(own[p.key], o.as_of, when)
        ok = (idx >= 0) & ~np.isnan(actual_bal)
        paths = o.balance_paths(p.key)
        lo80 = np.quantile(paths[:, idx[ok]], 0.10, axis=0)
        hi80 = np.quantile(paths[:, idx[ok]], 0.90, axis=0)
        inside = (actual_bal[ok] >= lo80) & (actual_bal[ok] <= hi80)
        days += [
            {"key": p.key, "date": d, "inside": bool(v)}
            for d, v in zip(when[ok], inside, strict=True)
        ]
    return weeks, days


def _period(weeks: pd.DataFrame, days: pd.DataFrame, start: date, end: date) -> PeriodAccuracy:
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    w = weeks.loc[(weeks["end"] >= a) & (weeks["end"] <= b)] if not weeks.empty else weeks
    d = days.loc[(days["date"] >= a) & (days["date"] <= b)] if not days.empty else days
    total = float(w["actual"].abs().sum()) if not w.empty else 0.0
    wape = float((w["actual"] - w["forecast"]).abs().sum()) / total if total > 0 else None
    return PeriodAccuracy(
        start=start,
        end=end,
        accuracy=None if wape is None else round(max(0.0, 1.0 - wape), 4),
        wape=None if wape is None else round(wape, 4),
        weeks=len(w),
        coverage=round(float(d["inside"].mean()), 4) if len(d) else None,
        days=len(d),
    )


def score_runs(
    runs: Sequence[tuple[str, CashForecast]],
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    period_days: int = 30,
    weeks_ahead: int = 4,
    principal: str = TREASURY_PRINCIPAL,
) -> AccuracyScores:
    """Score stored forecast runs against the ledger now, for the period ending ``as_of``
    and the one before it.

    Args:
        runs: ``(run_id, forecast)`` pairs; runs made at ``as_of`` or later score nothing.
        tables: the ledger with the actuals (bank lines and balances).
        period_days: length of a period.
        weeks_ahead: how many weeks of each run count (the near weeks decisions use).
        principal: regex of the bank-line texts that are treasury principal moves, left out
            of the flows and balances scored (by default the outlook's own rule).
    """
    end = pd.Timestamp(as_of)
    earliest = min((f.outlook.as_of for _, f in runs), default=as_of)
    flows = actual_flows(tables, after=earliest, principal=principal)
    balances = _position_balances(tables, after=earliest)
    own = own_funds(tables, principal) if not balances.empty else {}
    week_rows: list[dict[str, object]] = []
    day_rows: list[dict[str, object]] = []
    used = []
    for run_id, forecast in runs:
        if forecast.outlook.as_of >= as_of:
            continue
        w, d = _score_run(forecast, flows, balances, own, data_end=end, weeks_ahead=weeks_ahead)
        if w or d:
            used.append(run_id)
        week_rows += w
        day_rows += d
    weeks = pd.DataFrame(week_rows, columns=["key", "end", "forecast", "actual"])
    days = pd.DataFrame(day_rows, columns=["key", "date", "inside"])
    current_start = as_of - timedelta(days=period_days - 1)
    previous_end = current_start - timedelta(days=1)
    return AccuracyScores(
        current=_period(weeks, days, current_start, as_of),
        previous=_period(weeks, days, previous_end - timedelta(days=period_days - 1), previous_end),
        runs=tuple(used),
        weeks_ahead=weeks_ahead,
    )
