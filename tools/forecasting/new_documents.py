"""Documents not issued yet: how much will be invoiced (or billed) per day, as sample paths.

The cash from invoices and bills still to come is their issuance convolved with the delays
recent documents took (``receivables.delay_pmf``). Issuance is lumpy (a few large
purchase-order bills a week), so the level of the last quarter alone is a noisy guess of the
next quarter's, and it carries the last quarter's season into the next one (a busy autumn
forecasts a busy January). The paths here are whole historical weeks drawn from up to a
year of issuance, recent weeks drawn more often (a half-life in weeks): the level rests on
many more weeks, the year is seasonally neutral, and a lasting change of level still shows
within a few months. Weekday patterns (bills dated on receipt days, month-end invoicing
runs) survive because whole weeks are drawn, weekday-aligned with the future.

Weeks before ``complete_from`` (e.g. the first bank statement) are left out: a ledger
imported on a date holds the older documents only if they were still open then, which
would read as a quiet period.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tools.errors import ConfigError

__all__ = ["ISSUED_TYPES", "issuance_paths", "weekly_pool"]

ISSUED_TYPES = ("invoice", "bill")


def weekly_pool(
    docs: pd.DataFrame,
    *,
    as_of: date,
    weeks: int = 52,
    complete_from: date | None = None,
) -> dict[str, np.ndarray]:
    """Per position key: the amount issued on each day of the last whole weeks to ``as_of``,
    shape ``(n_weeks, 7)``, oldest week first (at most ``weeks``; at least one, zero-filled
    when the history is shorter than a week).

    Args:
        docs: invoices or bills with ``key``, ``doc_type``, ``issue_date`` and ``amount``;
            credit notes are not issuance.
        complete_from: first day the ledger holds every document issued.
    """
    if weeks < 1:
        raise ConfigError(f"weeks must be at least 1, got {weeks}: use 52 for a year")
    t = pd.Timestamp(as_of).normalize()
    first = t - pd.Timedelta(days=7 * weeks - 1)
    if complete_from is not None:
        first = max(first, pd.Timestamp(complete_from).normalize())
    n_weeks = max(1, ((t - first).days + 1) // 7)
    days = pd.date_range(t - pd.Timedelta(days=7 * n_weeks - 1), t, freq="D")
    issued = docs.loc[
        docs["doc_type"].isin(ISSUED_TYPES)
        & (pd.to_datetime(docs["issue_date"]) >= days[0])
        & (pd.to_datetime(docs["issue_date"]) <= t)
    ]
    pools: dict[str, np.ndarray] = {}
    for key in sorted(docs["key"].dropna().astype(str).unique()):
        mine = issued.loc[issued["key"].astype(str) == key]
        daily = mine.groupby(pd.to_datetime(mine["issue_date"]))["amount"].sum()
        values = daily.reindex(days, fill_value=0.0).to_numpy(float)
        pools[key] = values.reshape(n_weeks, 7)
    return pools


def issuance_paths(
    docs: pd.DataFrame | None,
    *,
    as_of: date,
    h: int,
    n_paths: int,
    seed: int,
    weeks: int = 52,
    half_life_weeks: float | None = 13.0,
    complete_from: date | None = None,
) -> dict[str, np.ndarray]:
    """Sample paths of the daily amount issued after ``as_of``, per position key.

    Each future week of each path is one of the last ``weeks`` whole weeks (weekday-aligned
    with the future), drawn with probability halving every ``half_life_weeks`` of age
    (``None``: all weeks alike). Amounts are never negative.

    Returns:
        ``paths[key]`` of shape ``(n_paths, h)``; empty without documents.
    """
    if docs is None or docs.empty:
        return {}
    if half_life_weeks is not None and half_life_weeks <= 0:
        raise ConfigError(
            f"half_life_weeks must be positive, got {half_life_weeks}: use None to weigh "
            "all weeks alike"
        )
    pools = weekly_pool(docs, as_of=as_of, weeks=weeks, complete_from=complete_from)
    rng = np.random.default_rng(seed)
    need = -(-h // 7)
    out: dict[str, np.ndarray] = {}
    for key, pool in pools.items():
        n_weeks = len(pool)
        age = np.arange(n_weeks)[::-1]  # 0 for the week ending on as_of
        weight = np.ones(n_weeks) if half_life_weeks is None else 0.5 ** (age / half_life_weeks)
        picks = rng.choice(n_weeks, size=(n_paths, need), p=weight / weight.sum())
        out[key] = np.maximum(pool[picks].reshape(n_paths, need * 7)[:, :h], 0.0)
    return out
