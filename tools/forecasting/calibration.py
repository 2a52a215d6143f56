"""Calibrate the cash outlook's balance bands on its own backtests.

The sample paths carry the randomness the forecast models (when customers pay, how much is
invoiced), not the error of the models themselves: a customer base that slowly pays later,
a tax payment the calendar missed. So the bands are narrower than what balances then do.

The remedy is split conformal prediction on the balance: the same forecast is made from
earlier dates whose outcome is known (``origins`` dates, two weeks apart, the latest one a
horizon before today), and each realised balance is scored by how many path standard
deviations it fell from the forecast mean. Per week of the horizon, today's paths are moved
away from their mean so that their scores follow the realised scores' distribution
(quantile mapping: every band level then holds what happened in the backtests, never
narrower than before); the widening enters the outlook as its own flow category,
``forecast_error`` (mean zero), so every consumer of the paths (risk, scenarios,
optimizers) sees it and can name it.

Realised balances are the positions' closing balances less the principal financing and
investment flows booked after the origin (drawings, repayments, placements, maturities):
the outlook is the balance before new treasury actions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tools.data.asof import tables_as_of
from tools.forecasting.outlook import CashOutlook, flow_summary
from tools.forecasting.positions import account_keys

__all__ = [
    "Calibration",
    "apply_calibration",
    "backtest_calibration",
    "own_funds",
    "own_funds_path",
]

CATEGORY = "forecast_error"
_LEVELS = (0.80, 0.95)
_MIN_ORIGINS = 3
_MIN_SCORES = 20  # realised scores a position needs per window to be calibrated
_GRID = np.linspace(0.0, 1.0, 101)  # quantile levels of the score distributions


@dataclass(frozen=True)
class Calibration:
    """Per cash position and week of the horizon: the quantiles of the paths' own
    deviations and of the realised errors (both in path standard deviations), and the
    evidence behind them."""

    path_q: Mapping[str, np.ndarray]  # key -> (weeks, n_q): paths' own |deviation| / sd
    real_q: Mapping[str, np.ndarray]  # key -> (weeks, n_q): realised |error| / sd
    origins: tuple[date, ...]
    coverage_before: dict[str, float]  # share of realised balances inside the raw bands
    n_scores: int
    reason: str = ""
    as_of: date | None = None
    horizon_days: int = 0

    @property
    def calibrated(self) -> bool:
        return len(self.origins) >= _MIN_ORIGINS and bool(self.real_q)

    def widening(self, key: str, q: float) -> np.ndarray:
        """Per week, how much wider the position's central ``q`` band becomes."""
        i = round(q * (_GRID.size - 1))
        path, real = self.path_q[key], self.real_q[key]
        return np.maximum(real[:, i] / np.maximum(path[:, i], 1e-9), 1.0)

    def summary(self) -> dict[str, object]:
        return {
            "calibrated": self.calibrated,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "origins": [d.isoformat() for d in self.origins],
            "coverage_before": self.coverage_before,
            "n_scores": self.n_scores,
            "weekly_widening_80": {
                k: [round(float(f), 2) for f in self.widening(k, 0.8)] for k in sorted(self.real_q)
            },
            "weekly_widening_95": {
                k: [round(float(f), 2) for f in self.widening(k, 0.95)] for k in sorted(self.real_q)
            },
            "reason": self.reason,
        }

    def to_json(self) -> dict[str, object]:
        """Everything needed to apply the calibration again (``from_json``)."""
        return {
            "path_q": {k: np.round(v, 5).tolist() for k, v in self.path_q.items()},
            "real_q": {k: np.round(v, 5).tolist() for k, v in self.real_q.items()},
            "origins": [d.isoformat() for d in self.origins],
            "coverage_before": self.coverage_before,
            "n_scores": self.n_scores,
            "reason": self.reason,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "horizon_days": self.horizon_days,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(
            path_q={k: np.asarray(v, float) for k, v in data["path_q"].items()},
            real_q={k: np.asarray(v, float) for k, v in data["real_q"].items()},
            origins=tuple(date.fromisoformat(d) for d in data["origins"]),
            coverage_before=dict(data["coverage_before"]),
            n_scores=int(data["n_scores"]),
            reason=str(data.get("reason", "")),
            as_of=date.fromisoformat(data["as_of"]) if data.get("as_of") else None,
            horizon_days=int(data.get("horizon_days", 0)),
        )


Build = Callable[[Mapping[str, pd.DataFrame], date], CashOutlook]


def backtest_calibration(
    tables: Mapping[str, pd.DataFrame],
    *,
    as_of: date,
    horizon_days: int,
    build: Build,
    principal: str,
    origins: int = 6,
    spacing_days: int = 14,
) -> Calibration:
    """Score forecasts made from earlier dates against what the balances then did.

    Args:
        tables: the ledger known at ``as_of``.
        build: makes the outlook from a past view of the ledger and its origin.
        principal: regex of bank-line texts that are treasury principal flows.
    """
    h = horizon_days
    bank = tables["bank_transactions"]
    first = pd.to_datetime(bank["booking_date"]).min().date()
    dates = [as_of - timedelta(days=h + spacing_days * i) for i in range(origins)]
    dates = [d for d in dates if (d - first).days >= 56]
    if len(dates) < _MIN_ORIGINS:
        return _uncalibrated(h, as_of, dates, "too little history to backtest the bands")
    realised = own_funds(tables, principal)
    ratios: dict[str, list[np.ndarray]] = {}
    path_ratios: dict[str, list[np.ndarray]] = {}
    inside = {f"{int(q * 100)}": 0 for q in _LEVELS}
    total = 0
    for origin in dates:
        outlook = build(tables_as_of(tables, origin), origin)
        swept = set(outlook.provenance.get("swept_positions", ()))
        for pos in outlook.positions:
            if pos.key not in realised or pos.key in swept:
                continue
            actual = own_funds_path(realised[pos.key], origin, outlook.dates)
            paths = outlook.balance_paths(pos.key)
            mean, sd = paths.mean(axis=0), _scale(paths)
            ok = ~np.isnan(actual) & (sd > 0)
            r = np.full(h, np.nan)
            r[ok] = np.abs(actual[ok] - mean[ok]) / sd[ok]
            ratios.setdefault(pos.key, []).append(r)
            dev = np.abs(paths - mean) / np.where(sd > 0, sd, 1.0)
            dev[:, sd <= 0] = np.nan
            path_ratios.setdefault(pos.key, []).append(dev)
            for q in _LEVELS:
                lo, hi = np.quantile(paths, [(1 - q) / 2, (1 + q) / 2], axis=0)
                inside[f"{int(q * 100)}"] += int(((actual >= lo) & (actual <= hi) & ok).sum())
            total += int(ok.sum())
    if total == 0:
        return _uncalibrated(h, as_of, dates, "no realised balances to score")
    path_q: dict[str, np.ndarray] = {}
    real_q: dict[str, np.ndarray] = {}
    for key in ratios:
        maps = _quantile_maps(np.vstack(ratios[key]), np.vstack(path_ratios[key]), h)
        if maps is not None:
            path_q[key], real_q[key] = maps
    coverage = {k: round(v / total, 3) for k, v in inside.items()}
    reason = "" if real_q else f"fewer than {_MIN_SCORES} realised balances per position"
    return Calibration(path_q, real_q, tuple(dates), coverage, total, reason, as_of, h)


def _uncalibrated(h: int, as_of: date, dates: list[date], reason: str) -> Calibration:
    return Calibration({}, {}, tuple(dates), {}, 0, reason=reason, as_of=as_of, horizon_days=h)


def _quantile_maps(
    ratios: np.ndarray, path_ratios: np.ndarray, h: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Per week of the horizon, the quantiles of the paths' own scores and of the realised
    scores on the same grid: mapping one onto the other (quantile mapping) makes every band
    level hold what happened, whatever the shape of the errors. Each week pools the scores
    of the weeks either side (a few backtests give few scores per week); a week with too
    few scores borrows the week before. None when the position has too few scores."""
    weeks = -(-h // 7)
    path_q = np.tile(_GRID, (weeks, 1))
    real_q = path_q.copy()
    found = False
    for w in range(weeks):
        cols = slice(max(7 * (w - 1), 0), min(7 * (w + 2), h))
        got = ratios[:, cols]
        got = got[~np.isnan(got)]
        if got.size < _MIN_SCORES:
            if w:
                path_q[w], real_q[w] = path_q[w - 1], real_q[w - 1]
            continue
        found = True
        own = path_ratios[:, cols]
        path_q[w] = np.quantile(own[~np.isnan(own)], _GRID)
        real_q[w] = np.maximum(np.quantile(got, _GRID), path_q[w])  # never narrower
    return (path_q, real_q) if found else None


def apply_calibration(outlook: CashOutlook, calibration: Calibration) -> CashOutlook:
    """The outlook with each position's balance deviations mapped onto the realised error
    distribution, as a zero-mean ``forecast_error`` flow category (in ``flows`` too). A
    horizon longer than the calibration's keeps its last week's mapping; a position it did
    not score keeps its own bands, and so does a swept position (its balance is the sweep's
    target, whatever flows through it)."""
    if not calibration.calibrated:
        return outlook.with_paths(outlook.paths, provenance={"calibration": calibration.summary()})
    paths = dict(outlook.paths)
    swept = set(outlook.provenance.get("swept_positions", ()))
    for key in outlook.keys:
        if key not in calibration.real_q or key in swept:
            continue
        path_q, real_q = calibration.path_q[key], calibration.real_q[key]
        week = np.minimum(np.arange(outlook.horizon_days) // 7, len(real_q) - 1)
        balance = np.cumsum(outlook.flow_paths(key), axis=1)
        dev = balance - balance.mean(axis=0)
        sd = _scale(balance)
        wider = np.zeros_like(dev)
        for k in np.flatnonzero(sd > 0):
            z = np.abs(dev[:, k]) / sd[k]
            mapped = np.interp(z, path_q[week[k]], real_q[week[k]])
            wider[:, k] = np.sign(dev[:, k]) * np.maximum(mapped, z) * sd[k]
        wider -= wider.mean(axis=0)  # the mean forecast stays as it was
        paths[(key, CATEGORY)] = np.diff(wider - dev, axis=1, prepend=0.0)
    added = {k: v for k, v in paths.items() if k[1] == CATEGORY}
    flows = outlook.flows
    if added and not flows.empty:  # only the new category's rows are summarised
        kept = flows.loc[flows["category"] != CATEGORY]
        flows = pd.concat([kept, flow_summary(added, outlook.dates)], ignore_index=True)
        flows = flows.sort_values(["key", "category"], kind="stable", ignore_index=True)
    return outlook.with_paths(paths, flows=flows, provenance={"calibration": calibration.summary()})


def _scale(paths: np.ndarray) -> np.ndarray:
    """Path standard deviation per day, floored at a tenth of its median over the horizon
    so the first days (almost no spread yet) do not turn small errors into huge scores."""
    sd = paths.std(axis=0)
    floor = 0.1 * float(np.median(sd)) if sd.any() else 0.0
    return np.maximum(sd, floor)


def own_funds(tables: Mapping[str, pd.DataFrame], principal: str) -> dict[str, pd.DataFrame]:
    """Per position and day: the closing balance and the cumulative principal moves
    (bank lines whose text matches ``principal``), for ``own_funds_path``."""
    keys = account_keys(tables["bank_accounts"])
    bal = tables["bank_balances"]
    bal = bal.loc[bal["balance_type"] == "closing"]
    bal = bal.assign(key=bal["account_id"].map(keys), day=pd.to_datetime(bal["date"]))
    closing = bal.groupby(["day", "key"])["amount"].sum().unstack("key").sort_index()
    bt = tables["bank_transactions"]
    bt = bt.assign(key=bt["account_id"].map(keys), day=pd.to_datetime(bt["booking_date"]))
    moves = bt.loc[bt["description"].fillna("").str.contains(principal, regex=True)]
    daily = moves.groupby(["day", "key"])["amount"].sum().unstack("key")
    daily = daily.reindex(index=closing.index, columns=closing.columns).fillna(0.0).cumsum()
    return {str(k): pd.DataFrame({"closing": closing[k], "moved": daily[k]}) for k in closing}


def own_funds_path(frame: pd.DataFrame, origin: date, dates: pd.DatetimeIndex) -> np.ndarray:
    """Closing balance less principal moves booked after ``origin``, on ``dates``."""
    before = frame.loc[: pd.Timestamp(origin)]
    base = float(before["moved"].iloc[-1]) if len(before) else 0.0
    ahead = frame.reindex(frame.index.union(dates)).ffill().reindex(dates)
    ahead.loc[ahead.index > frame.index.max()] = np.nan
    own = ahead["closing"] - (ahead["moved"] - base)
    return own.to_numpy(float)
