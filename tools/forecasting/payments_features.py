"""What is known about a customer's paying habits at a given moment, as model features.

Every history figure for an invoice is computed from the customer's invoices settled on
or before that invoice's prediction day ``tau`` (nothing settled later is visible), so
training rows (``tau`` = the day before issue) and live predictions (``tau`` = as_of)
see the world the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tools.forecasting.payments_data import day_number

__all__ = ["FEATURES", "HISTORY_FEATURES", "build_features", "days_late"]

HISTORY_FEATURES = (
    "hist_n",
    "late_mean",
    "late_median",
    "late_std",
    "late_share",
    "late_last",
    "late_recent",
    "late_trend",
    "late_same_month",
    "late_slope",
    "late_projected",
    "late_mean_undisputed",
    "late_mean_disputed",
    "dispute_rate",
    "settle_mean",
    "days_since_payment",
    "amount_rel",
)
FEATURES = (
    *HISTORY_FEATURES,
    "segment_late_mean",
    "segment_late_share",
    "open_count",
    "disputed",
    "terms",
    "log_amount",
    "issue_month",
    "due_month",
    "issue_weekday",
    "due_weekday",
)
_RECENT = 3  # invoices in the "recent" window of the trend
_MIN_TREND = 6  # settled invoices before a drift is estimated
_MIN_SPAN = 90  # days their issue dates must spread over (as a uniform spread)
_MAX_SLOPE = 120.0  # days late per year
_ORIGIN = 16_000.0  # a day number near the data (2013-10-22), for precise sums
_SHIFT = 1 << 20  # day numbers stay far below this, so code * _SHIFT + day sorts by both


def days_late(frame: pd.DataFrame) -> np.ndarray:
    """Days between due date and settlement (negative when paid early)."""
    return day_number(frame["settled_date"]) - day_number(frame["due_date"])


def _prefix(values: np.ndarray) -> np.ndarray:
    """Cumulative sums with a leading zero, so ``p[end] - p[start]`` sums a slice."""
    return np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])


class _Ranges:
    """For each query, the slice of a sorted event table with the same group and day <= tau."""

    def __init__(self, group: np.ndarray, day: np.ndarray, q_group: np.ndarray, q_tau: np.ndarray):
        key = group.astype(np.int64) * _SHIFT + day.astype(np.int64)
        self.order = np.argsort(key, kind="stable")
        sorted_key = key[self.order]
        base = q_group.astype(np.int64) * _SHIFT
        self.start = np.searchsorted(sorted_key, base, side="left")
        self.end = np.searchsorted(sorted_key, base + q_tau.astype(np.int64), side="right")
        self.n = self.end - self.start

    def total(self, values: np.ndarray) -> np.ndarray:
        p = _prefix(values[self.order])
        return p[self.end] - p[self.start]

    def mean(self, values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        w = np.ones(len(values)) if weights is None else weights
        count = self.total(w)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(count > 0, self.total(values * w) / count, np.nan)

    def last(self, values: np.ndarray, back: int = 1) -> np.ndarray:
        """Mean of the last ``back`` values of each slice (fewer when the slice is short)."""
        p = _prefix(values[self.order])
        lo = np.maximum(self.end - back, self.start)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 0, (p[self.end] - p[lo]) / (self.end - lo), np.nan)

    def median(self, values: np.ndarray) -> np.ndarray:
        v = values[self.order]
        out = np.full(len(self.start), np.nan)
        cache: dict[tuple[int, int], float] = {}
        for i, (s, e) in enumerate(zip(self.start.tolist(), self.end.tolist(), strict=True)):
            if e > s:
                if (s, e) not in cache:
                    cache[(s, e)] = float(np.median(v[s:e]))
                out[i] = cache[(s, e)]
        return out


def _trend_line(
    r: _Ranges, issue: np.ndarray, late: np.ndarray, q_issue: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares drift of days late per year of issue dates, and where that line is at
    the invoice's own issue date (the customer's lateness projected forward)."""
    x = (issue - _ORIGIN) / 365.0
    n, sx, sy = r.n, r.total(x), r.total(late)
    sxx, sxy = r.total(x * x), r.total(x * late)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = sxx / n - (sx / n) ** 2
        slope = (sxy / n - sx / n * sy / n) / var
        ok = (n >= _MIN_TREND) & (var > (_MIN_SPAN / 365.0) ** 2 / 12)
        slope = np.where(ok, np.clip(slope, -_MAX_SLOPE, _MAX_SLOPE), np.nan)
        at = (q_issue - _ORIGIN) / 365.0
        projected = sy / n + slope * (at - sx / n)
    return slope, np.clip(projected, -60.0, 400.0)


def _history(h: pd.DataFrame, q: pd.DataFrame, codes: tuple[np.ndarray, np.ndarray]) -> dict:
    """Customer-history features of each query from the settled invoices ``h``."""
    tau = q["tau"].to_numpy()
    r = _Ranges(codes[0], day_number(h["settled_date"]), codes[1], tau)
    late = days_late(h)
    disputed = h["disputed"].to_numpy(float)
    log_amt = np.log1p(h["amount"].to_numpy(float))
    mean = r.mean(late)
    with np.errstate(invalid="ignore"):
        var = r.mean(late**2) - mean**2
        std = np.where(r.n > 1, np.sqrt(np.maximum(var, 0) * r.n / np.maximum(r.n - 1, 1)), np.nan)
    recent = r.last(late, _RECENT)
    older_n = r.n - _RECENT
    with np.errstate(invalid="ignore", divide="ignore"):
        older = (mean * r.n - recent * np.minimum(r.n, _RECENT)) / older_n
    due_month = pd.DatetimeIndex(h["due_date"]).month.to_numpy() - 1
    q_month = pd.DatetimeIndex(q["due_date"]).month.to_numpy() - 1
    month_hot = np.eye(12)[due_month]
    month_n = r.total(month_hot)[np.arange(len(q)), q_month]
    month_sum = r.total(month_hot * late[:, None])[np.arange(len(q)), q_month]
    with np.errstate(invalid="ignore", divide="ignore"):
        same_month = np.where(month_n > 0, month_sum / month_n, np.nan)
    last_paid = r.last(day_number(h["settled_date"]))
    slope, projected = _trend_line(
        r, day_number(h["issue_date"]), late, day_number(q["issue_date"])
    )
    return {
        "hist_n": r.n.astype(float),
        "late_mean": mean,
        "late_median": r.median(late),
        "late_std": std,
        "late_share": r.mean((late > 0).astype(float)),
        "late_last": r.last(late),
        "late_recent": recent,
        "late_trend": np.where(older_n > 0, recent - older, np.nan),
        "late_same_month": same_month,
        "late_slope": slope,
        "late_projected": projected,
        "late_mean_undisputed": r.mean(late, 1.0 - disputed),
        "late_mean_disputed": r.mean(late, disputed),
        "dispute_rate": r.mean(disputed),
        "settle_mean": r.mean(day_number(h["settled_date"]) - day_number(h["issue_date"])),
        "days_since_payment": tau - last_paid,
        "amount_rel": np.log1p(q["amount"].to_numpy(float)) - r.mean(log_amt),
    }


def build_features(ledger: pd.DataFrame, queries: pd.DataFrame) -> pd.DataFrame:
    """Model features of each query invoice at its prediction day.

    Args:
        ledger: cleaned invoices with a ``segment`` column; settlements after a query's
            ``tau`` are ignored for that query, so the whole ledger may be passed.
        queries: cleaned invoices with ``segment`` and ``tau`` (day number of the
            prediction day); the queries should also be rows of ``ledger``.

    Returns:
        One row per query (same index) with the columns of ``FEATURES``.
    """
    settled = ledger.loc[ledger["settled_date"].notna()]
    customers, _ = pd.factorize(
        pd.concat([settled["customer_id"], ledger["customer_id"], queries["customer_id"]])
    )
    n_s, n_l = len(settled), len(ledger)
    cust_h, cust_l, cust_q = customers[:n_s], customers[n_s : n_s + n_l], customers[n_s + n_l :]
    out = _history(settled, queries, (cust_h, cust_q))
    segments, _ = pd.factorize(pd.concat([settled["segment"], queries["segment"]]))
    tau = queries["tau"].to_numpy()
    seg = _Ranges(segments[:n_s], day_number(settled["settled_date"]), segments[n_s:], tau)
    late = days_late(settled)
    out["segment_late_mean"] = seg.mean(late)
    out["segment_late_share"] = seg.mean((late > 0).astype(float))
    unknown = (queries["segment"] == "all").to_numpy()  # no segment: everyone's behaviour
    if unknown.any():
        every = _Ranges(np.zeros(n_s), day_number(settled["settled_date"]), np.zeros(len(tau)), tau)
        out["segment_late_mean"][unknown] = every.mean(late)[unknown]
        out["segment_late_share"][unknown] = every.mean((late > 0).astype(float))[unknown]
    issued = _Ranges(cust_l, day_number(ledger["issue_date"]), cust_q, tau).n
    q_issue = day_number(queries["issue_date"])
    q_settled = day_number(queries["settled_date"])
    self_open = (q_issue <= tau) & ~(q_settled <= tau)
    out["open_count"] = np.maximum(issued - out["hist_n"] - self_open, 0).astype(float)
    out["disputed"] = queries["disputed"].to_numpy(float)
    out["terms"] = day_number(queries["due_date"]) - q_issue
    out["log_amount"] = np.log1p(queries["amount"].to_numpy(float))
    issue, due = pd.DatetimeIndex(queries["issue_date"]), pd.DatetimeIndex(queries["due_date"])
    out["issue_month"] = issue.month.to_numpy(float)
    out["due_month"] = due.month.to_numpy(float)
    out["issue_weekday"] = issue.weekday.to_numpy(float)
    out["due_weekday"] = due.weekday.to_numpy(float)
    return pd.DataFrame(out, index=queries.index)[list(FEATURES)]
