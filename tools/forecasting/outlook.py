"""The cash outlook: what the forecast hands to the risk engine, the scenarios and the optimizers.

One outlook covers every cash position (an entity's cash in one currency) over the same
calendar days after ``as_of``. Flows are kept by category as Monte Carlo sample paths, so a
scenario can shock one category ("collections -15 % for 6 weeks") and the risk engine can
say which category drives a shortfall. Open supplier bills are *not* in the paths: they are
listed in ``scheduled`` with their due dates, because the payment optimizer decides when
to pay them. ``balance_paths(key)`` puts them back on their due dates (or on the dates a
plan chooses).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FLOW_CATEGORIES",
    "SCHEDULED_COLUMNS",
    "CashOutlook",
    "Position",
    "flow_summary",
    "position_key",
    "scheduled_on_days",
]

FLOW_CATEGORIES = (
    "customer_receipt",
    "supplier_payment",
    "payroll",
    "tax",
    "financing",
    "investment",
    "intercompany",
    "fees",
    "other",
    "forecast_error",  # zero-mean widening calibrated on backtests (calibration.py)
)
SCHEDULED_COLUMNS = (
    "key",
    "item_id",
    "counterparty_id",
    "category",
    "due_date",
    "amount",
    "discount_date",
    "discount_pct",
    "critical",
)


def position_key(entity_id: str, currency: str) -> str:
    """The id of a cash position: ``"US01/USD"``."""
    return f"{entity_id}/{currency}"


@dataclass(frozen=True)
class Position:
    """One entity's cash in one currency at the close of ``as_of``."""

    key: str
    entity_id: str
    currency: str
    opening: float  # closing balance on as_of, summed over the position's accounts
    accounts: tuple[str, ...]
    minimum: float = 0.0  # policy floor in the position's currency (entity floor)
    credit_limit: float = 0.0  # undrawn committed facilities in the position's currency
    credit_rate: float = 0.0  # annual interest on drawings, percent
    fx_to_reporting: float = 1.0  # reporting-currency units per unit of this currency


@dataclass(frozen=True)
class CashOutlook:
    """Daily cash flows per position and category: expectations, intervals and sample paths.

    ``paths[(key, category)]`` has shape ``(n_paths, n_days)``: signed daily flows (receipts
    > 0) on each calendar day ``dates[i]``; path ``j`` of every category of a position comes
    from the same simulated future, so they may be summed. ``scheduled`` lists open supplier
    bills (negative amounts) that are not in the paths.
    """

    as_of: date
    reporting_currency: str
    dates: pd.DatetimeIndex
    positions: tuple[Position, ...]
    paths: Mapping[tuple[str, str], np.ndarray]
    scheduled: pd.DataFrame
    flows: pd.DataFrame = field(default_factory=pd.DataFrame)  # key, category, ds, mean, lo/hi
    drivers: tuple[dict[str, Any], ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_days = len(self.dates)
        sizes = {arr.shape for arr in self.paths.values()}
        if len(sizes) > 1:
            raise ValueError(f"sample paths differ in shape: {sorted(sizes)}")
        for (key, category), arr in self.paths.items():
            if arr.ndim != 2 or arr.shape[1] != n_days:
                raise ValueError(
                    f"paths[{key!r}, {category!r}] has shape {arr.shape}; expected "
                    f"(n_paths, {n_days})"
                )
        missing = set(SCHEDULED_COLUMNS) - set(self.scheduled.columns)
        if missing:
            raise ValueError(f"scheduled lacks columns {sorted(missing)}")

    @property
    def horizon_days(self) -> int:
        return len(self.dates)

    @property
    def n_paths(self) -> int:
        return next(iter(self.paths.values())).shape[0] if self.paths else 0

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.positions)

    def position(self, key: str) -> Position:
        for p in self.positions:
            if p.key == key:
                return p
        raise KeyError(f"no cash position {key!r}; known: {', '.join(self.keys)}")

    def categories(self, key: str) -> tuple[str, ...]:
        return tuple(c for k, c in self.paths if k == key)

    def flow_paths(self, key: str, *, categories: tuple[str, ...] | None = None) -> np.ndarray:
        """Net daily flows of a position summed over ``categories`` (all when None)."""
        chosen = categories if categories is not None else self.categories(key)
        total = np.zeros((self.n_paths, self.horizon_days))
        for category in chosen:
            arr = self.paths.get((key, category))
            if arr is not None:
                total = total + arr
        return total

    def scheduled_flows(
        self, key: str, *, pay_dates: Mapping[str, date] | None = None
    ) -> np.ndarray:
        """Daily totals of the position's scheduled bills, on their due dates or ``pay_dates``.

        Items due on or before ``as_of`` (overdue) are placed on the first day; items after
        the horizon are left out.
        """
        return scheduled_on_days(self.scheduled, key, self.dates, pay_dates=pay_dates)

    def balance_paths(
        self,
        key: str,
        *,
        include_scheduled: bool = True,
        pay_dates: Mapping[str, date] | None = None,
        extra: np.ndarray | None = None,
    ) -> np.ndarray:
        """End-of-day balance of a position on every path: opening + cumulative flows.

        ``extra`` adds a daily flow vector (or a paths-shaped array) such as a plan's
        credit-line draws or investment maturities.
        """
        flows = self.flow_paths(key)
        if include_scheduled:
            flows = flows + self.scheduled_flows(key, pay_dates=pay_dates)
        if extra is not None:
            flows = flows + extra
        return self.position(key).opening + np.cumsum(flows, axis=1)

    def balance_quantile(self, key: str, q: float, **kwargs: Any) -> pd.Series:
        """The ``q`` quantile of the end-of-day balance per day (q=0.05: a bad day at 95 %)."""
        values = np.quantile(self.balance_paths(key, **kwargs), q, axis=0)
        return pd.Series(values, index=self.dates, name=f"q{q:g}")

    def with_paths(
        self, paths: Mapping[tuple[str, str], np.ndarray], **changes: Any
    ) -> CashOutlook:
        """A copy with other sample paths (scenarios), provenance noting the change."""
        provenance = {**self.provenance, **changes.pop("provenance", {})}
        return CashOutlook(
            as_of=self.as_of,
            reporting_currency=self.reporting_currency,
            dates=self.dates,
            positions=changes.pop("positions", self.positions),
            paths=dict(paths),
            scheduled=changes.pop("scheduled", self.scheduled),
            flows=changes.pop("flows", self.flows),
            drivers=self.drivers,
            provenance=provenance,
        )


def scheduled_on_days(
    scheduled: pd.DataFrame,
    key: str,
    dates: pd.DatetimeIndex,
    *,
    pay_dates: Mapping[str, date] | None = None,
) -> np.ndarray:
    """Daily totals of one position's ``scheduled`` items over ``dates`` (overdue items on the
    first day, items after the last day left out)."""
    out = np.zeros(len(dates))
    items = scheduled.loc[scheduled["key"] == key]
    if items.empty:
        return out
    when = pd.to_datetime(items["due_date"])
    if pay_dates:
        chosen = items["item_id"].map(pay_dates)
        when = pd.to_datetime(chosen).where(chosen.notna(), when)
    offset = ((when - dates[0]).dt.days).clip(lower=0).to_numpy()
    inside = offset < len(dates)
    np.add.at(out, offset[inside].astype(int), items["amount"].to_numpy(float)[inside])
    return out


def empty_scheduled() -> pd.DataFrame:
    """A ``scheduled`` frame with no rows and the right columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEDULED_COLUMNS})


def flow_summary(
    paths: Mapping[tuple[str, str], np.ndarray], dates: pd.DatetimeIndex
) -> pd.DataFrame:
    """Mean and 80/95 % bands per position, category and day (``CashOutlook.flows``)."""
    frames = []
    for (key, category), arr in sorted(paths.items()):
        q = np.quantile(arr, [0.025, 0.1, 0.9, 0.975], axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "key": key,
                    "category": category,
                    "ds": dates,
                    "mean": arr.mean(axis=0),
                    "lo-95": q[0],
                    "lo-80": q[1],
                    "hi-80": q[2],
                    "hi-95": q[3],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
