"""Actuals against the forecasts made 1, 5 and 20 business days before: which causes persist.

For a window of actual days, each lag ``L`` gets the forecast made ``L`` business days
before the window starts (rebuilt from the ledger as it was known then, or handed in from
stored runs) and its variance split (``explain_variance``, with the translation of the
balances held). A cause shows in every lag's split; a forecast's own noise shows in one.
So the combined drivers rank each cause by its **median surprise across the lags** (the
amount beyond what the forecast's own spread allowed; zero where a lag does not list it),
carry its median amount, and the summary names the first ones in plain words.

Financing flows (credit-line drawings and repayments, interest, dividends) are the
treasurer's own decisions, often taken *because* of the variance; they are listed apart as
``decisions`` and not ranked as causes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from tools.data.asof import tables_as_of
from tools.domain.policy import Policy
from tools.forecasting.cash import CashForecast, build_outlook
from tools.monitoring.variance import VarianceDriver, VarianceReport, explain_variance

__all__ = ["DEFAULT_LAGS", "LagVariance", "LookbackReport", "lag_origin", "lookback_variance"]

DEFAULT_LAGS = (1, 5, 20)
ForecastSource = Callable[[date, int], CashForecast]
_DECISIONS = frozenset({"financing"})


class LagVariance(BaseModel):
    """The window against the forecast made ``lag`` business days before it."""

    model_config = ConfigDict(frozen=True)

    lag: int
    forecast_as_of: date
    report: VarianceReport


class LookbackReport(BaseModel):
    """A window's variance at several forecast lags, with the drivers that persist."""

    model_config = ConfigDict(frozen=True)

    window: tuple[date, date]
    reporting_currency: str
    lags: tuple[LagVariance, ...]
    drivers: tuple[VarianceDriver, ...]  # causes; amount and surprise = median across lags
    decisions: tuple[VarianceDriver, ...]  # financing flows, median across lags
    summary: str
    provenance: dict[str, object]

    def lag(self, lag: int) -> LagVariance:
        """The split against the forecast made ``lag`` business days before the window."""
        for item in self.lags:
            if item.lag == lag:
                return item
        raise KeyError(f"no lag {lag}; this report has {[i.lag for i in self.lags]}")


def lag_origin(start: date, lag: int) -> date:
    """The business day ``lag`` business days (Mon-Fri) before ``start``."""
    day = np.busday_offset(np.datetime64(start, "D"), -lag, roll="forward")
    return pd.Timestamp(day).date()


def lookback_variance(
    tables: Mapping[str, pd.DataFrame],
    policy: Policy,
    *,
    start: date,
    end: date,
    lags: Sequence[int] = DEFAULT_LAGS,
    n_paths: int = 50,
    seed: int = 0,
    top: int = 10,
    forecast_for: ForecastSource | None = None,
) -> LookbackReport:
    """Compare the actuals of ``start..end`` with the forecasts made ``lags`` business days
    before ``start`` and rank the drivers that persist across them.

    Args:
        tables: the ledger now; what it holds after ``end`` tells late payers from lost ones.
        policy: floors and reporting currency for the rebuilt forecasts.
        lags: business days between each forecast and the window's first day.
        n_paths: sample paths of each rebuilt forecast (only the means are used).
        seed: seed of the rebuilt forecasts.
        top: drivers listed per lag and combined.
        forecast_for: ``(as_of, horizon_days) -> CashForecast`` to reuse stored runs; by
            default each is rebuilt with ``build_outlook`` on ``tables_as_of(tables, as_of)``.

    Raises:
        ValueError: no lags, a lag below 1, or ``end`` before ``start``.
        DataError: too little history before a lag's forecast date.
    """
    if not lags or min(lags) < 1:
        raise ValueError(f"lags must be business days >= 1, got {list(lags)}")
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")

    def rebuild(as_of: date, horizon_days: int) -> CashForecast:
        return build_outlook(
            tables_as_of(tables, as_of),
            policy,
            as_of=as_of,
            horizon_days=horizon_days,
            n_paths=n_paths,
            seed=seed,
            quality="fast",
        )

    make = forecast_for or rebuild
    per_lag = []
    for lag in sorted(set(lags)):
        origin = lag_origin(start, lag)
        horizon = (end - origin).days + 7
        report = explain_variance(
            make(origin, horizon), tables, start=start, end=end, top=10_000, revalue=True
        )
        trimmed = report.model_copy(
            update={"drivers": report.drivers[:top], "lag_business_days": lag}
        )
        per_lag.append((LagVariance(lag=lag, forecast_as_of=origin, report=trimmed), report))
    ccy = per_lag[0][1].reporting_currency
    combined = _persistent([full.drivers for _, full in per_lag], ccy=ccy)
    drivers = [d for d in combined if d.category not in _DECISIONS][:top]
    decisions = [d for d in combined if d.category in _DECISIONS][:top]
    return LookbackReport(
        window=(start, end),
        reporting_currency=per_lag[0][1].reporting_currency,
        lags=tuple(item for item, _ in per_lag),
        drivers=tuple(drivers),
        decisions=tuple(decisions),
        summary=_summary(start, end, [item for item, _ in per_lag], drivers),
        provenance={
            "lags": [item.lag for item, _ in per_lag],
            "forecast_as_of": [item.forecast_as_of.isoformat() for item, _ in per_lag],
            "n_paths": n_paths,
            "seed": seed,
            "rebuilt": forecast_for is None,
            "ranking": "median surprise (amount beyond the forecast's own spread) across lags",
        },
    )


def _persistent(lists: Sequence[Sequence[VarianceDriver]], *, ccy: str) -> list[VarianceDriver]:
    """Drivers ranked by their median surprise over the lags (absent = 0), with their median
    amount and spread."""
    amounts: dict[tuple[str, ...], list[float]] = {}
    surprises: dict[tuple[str, ...], list[float]] = {}
    spreads: dict[tuple[str, ...], list[float]] = {}
    first: dict[tuple[str, ...], VarianceDriver] = {}
    for i, drivers in enumerate(lists):
        for d in drivers:
            k = (d.component, d.category, d.key, d.counterparty or "")
            amounts.setdefault(k, [0.0] * len(lists))[i] = d.amount
            surprises.setdefault(k, [0.0] * len(lists))[i] = d.surprise
            spreads.setdefault(k, [0.0] * len(lists))[i] = d.spread
            first.setdefault(k, d)

    def rank(k: tuple[str, ...]) -> tuple[float, float]:
        return -abs(float(np.median(surprises[k]))), -abs(float(np.median(amounts[k])))

    out = []
    for name in sorted(amounts, key=rank):
        median = round(float(np.median(amounts[name])), 2)
        if abs(median) <= 0.005:
            continue
        d = first[name]
        lead, _, _ = d.explanation.rpartition(":")
        more = "more" if median > 0 else "less"
        text = f"{lead or d.explanation}: {abs(median):,.0f} {ccy} {more} cash in {d.key}"
        update = {
            "amount": median,
            "surprise": round(float(np.median(surprises[name])), 2),
            "spread": round(float(np.median([s for s in spreads[name] if s] or [0.0])), 2),
            "explanation": text,
        }
        out.append(d.model_copy(update=update))
    return out


def _summary(
    start: date, end: date, lags: Sequence[LagVariance], drivers: Sequence[VarianceDriver]
) -> str:
    ccy = lags[0].report.reporting_currency
    parts = []
    for item in lags:
        v = item.report.position_variance
        parts.append(
            f"{abs(v):,.0f} {ccy} {'more' if v >= 0 else 'less'} than forecast "
            f"{item.lag} business day{'s' if item.lag > 1 else ''} before"
        )
    head = f"From {start} to {end}, cash ended " + "; ".join(parts) + "."
    if not drivers:
        return head
    named = "; ".join(d.explanation for d in drivers[:3])
    return f"{head} Largest drivers at every lag: {named}."
