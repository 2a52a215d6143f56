"""Forecast versus actual: the variance of a window split into causes a treasurer recognises.

For a forecast made at ``t0`` and a window of days after it, the difference between what
came in and went out and what was forecast is split into:

- **timing**: items the forecast expected in the window that came earlier or later (or
  arrived in the window though expected outside it);
- **amount**: items that came when expected, for another amount (short payments, fees);
- **missing**: expected customer payments that did not come while the customer paid
  nothing at all (a customer gone silent: default, dispute, lost account);
- **new**: flows from documents that did not exist at ``t0`` (new invoices and bills)
  beyond what the forecast expected from new business, and other flows versus their
  statistical or calendar forecast;
- **fx**: what the exchange rates did, apart from the flows (price against volume: every
  other part is measured at the forecast's rates): the translation of a foreign position's
  actual flows at the rate on the window's last day instead of the forecast's, the part of
  conversions inside the group (an FX sweep, an intercompany fee paid in one currency and
  received in another) beyond what the forecast's rates would have given, and with
  ``revalue=True`` the translation of the balance held at ``t0`` (what a treasurer sees when
  comparing positions rather than flows). One FX driver per currency, judged against the
  rate's own volatility (``tools.monitoring.fx_effect``).

A customer counts as *missing* only when nothing came from them in the window nor after it
(as far as ``tables`` reach): a customer who pays later was late (timing), not gone.

Amounts are in the reporting currency and add up exactly to the bank's variance (plus the
revaluation with ``revalue``); each row names the category, position and, where one exists,
the counterparty, so the drivers can be named in plain words, and the report totals them by
component, category and entity. Drivers are ranked by **surprise**, not by size: the amount
beyond the shift the company's habits expected anyway, over the spread the forecast allowed
that part (``tools.monitoring.surprise``, ``tools.monitoring.ranking``). A customer's
receipts the forecast was sure of that did not come outrank a larger swing in flows the
forecast knew to be noisy; a customer paying as late as their recent record said they would
is no surprise, however late that is. Where the forecast's own spread is narrower than what
the company has seen, its record is the yardstick: the company's supplier payments are
judged against its habit per supplier and how often it strays from it
(``tools.monitoring.variance_bills``), new invoices and bills against how much such windows
moved in the year before (``tools.monitoring.variance_history``). Customer receipts are
split invoice by invoice in ``tools.monitoring.variance_items``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.forecasting.cash import CashForecast
from tools.forecasting.categorize import categorize
from tools.forecasting.positions import account_keys
from tools.monitoring.fx_effect import fx_split
from tools.monitoring.ranking import COLUMNS, VarianceDriver, part, rank_drivers, summary
from tools.monitoring.surprise import history_variance, materiality_floor, path_variance
from tools.monitoring.variance_bills import payable_parts
from tools.monitoring.variance_items import receivable_parts

__all__ = ["VarianceDriver", "VarianceReport", "explain_variance"]

_ITEMISED = ("customer_receipt", "supplier_payment")


class VarianceReport(BaseModel):
    """Forecast versus actual for a window, split by cause, largest drivers first."""

    model_config = ConfigDict(frozen=True)

    forecast_as_of: date
    window: tuple[date, date]
    reporting_currency: str
    forecast: float
    actual: float
    variance: float
    by_component: dict[str, float]
    by_category: dict[str, float]
    drivers: list[VarianceDriver]
    by_entity: dict[str, float] = Field(
        default_factory=dict, description="Variance per entity (FX with the entity holding it)"
    )
    summary: str
    revaluation: float = 0.0  # reporting-currency translation of the balance held at t0
    lag_business_days: int | None = None  # how long before the window the forecast was made
    materiality: float = 0.0  # smallest spread a driver is measured against (reporting ccy)

    @property
    def position_variance(self) -> float:
        """Flow variance plus the translation of the balance held at the forecast date."""
        return round(self.variance + self.revaluation, 2)


def explain_variance(
    forecast: CashForecast,
    tables: Mapping[str, pd.DataFrame],
    *,
    start: date,
    end: date,
    top: int = 10,
    revalue: bool = False,
) -> VarianceReport:
    """Split actual-minus-forecast cash flow of ``start..end`` into timing, amount, missing,
    new and FX drivers.

    Args:
        forecast: a forecast made before ``start`` (its horizon must cover the window).
        tables: the ledger now (actual bank lines, receipts and bills up to ``end``; later
            receipts, when present, tell a late customer from a silent one).
        top: how many drivers to list (the most surprising first).
        revalue: add the translation of each position's balance at the forecast date to the
            FX driver of its currency, totalled in ``revaluation``.

    Raises:
        ValueError: the window is not inside the forecast's horizon.
    """
    o = forecast.outlook
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if a <= pd.Timestamp(o.as_of) or b > o.dates[-1] or a > b:
        raise ValueError(
            f"window {start}..{end} must lie within the forecast horizon "
            f"{o.dates[0].date()}..{o.dates[-1].date()}"
        )
    fx_then = {p.key: p.fx_to_reporting for p in o.positions}
    lines = _window_lines(forecast, tables, a, b)
    actual_by_cat = lines.groupby(["key", "category"], as_index=False).agg(amount=("amount", "sum"))
    floor = materiality_floor(forecast, a, b, fx_then)
    fx = fx_split(
        o.positions,
        lines,
        tables["fx_rates"],
        reporting=o.reporting_currency,
        as_of=pd.Timestamp(o.as_of),
        end=b,
        floor=floor,
        revalue=revalue,
    )
    rows: list[dict[str, Any]] = []
    rows += receivable_parts(forecast, tables, a, b)
    rows += payable_parts(forecast, tables, a, b)
    rows += _other_flows(forecast, actual_by_cat, a, b, fx.carve)
    # what conversions inside the group received beyond the forecast's rates (local units)
    rows += [part("fx", cat, key, None, local) for (key, cat), local in fx.carve.items()]
    rows += _unexplained(forecast, rows, actual_by_cat, a, b)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    rate = frame["key"].map(fx_then).astype(float)
    frame["amount"] = frame["amount"].astype(float) * rate
    frame["ref"] = frame["ref"].astype(float) * rate
    frame["alt"] = frame["alt"].astype(float) * rate
    frame["var"] = frame["var"].astype(float) * rate**2
    if fx.rows:
        frame = pd.concat([frame, pd.DataFrame(fx.rows, columns=list(COLUMNS))], ignore_index=True)
    fx_now = {p.key: fx.now[p.currency] for p in o.positions}
    revaluation = (
        sum(p.opening * (fx_now[p.key] - fx_then[p.key]) for p in o.positions) if revalue else 0.0
    )
    forecast_total = _forecast_total(forecast, a, b, fx_then)
    actual_total = float(
        sum(
            actual_by_cat.loc[actual_by_cat["key"] == k, "amount"].sum() * fx_now[k] for k in fx_now
        )
    )
    drivers = rank_drivers(frame, fx.drivers, top=top, floor=floor)
    by_component = {
        c: round(float(v), 2) for c, v in frame.groupby("component")["amount"].sum().items()
    }
    by_category = {
        c: round(float(v), 2) for c, v in frame.groupby("category")["amount"].sum().items()
    }
    entity = frame["key"].str.split("/").str[0]
    by_entity = {e: round(float(v), 2) for e, v in frame.groupby(entity)["amount"].sum().items()}
    variance = actual_total - forecast_total
    return VarianceReport(
        forecast_as_of=o.as_of,
        window=(start, end),
        reporting_currency=o.reporting_currency,
        forecast=round(forecast_total, 2),
        actual=round(actual_total, 2),
        variance=round(variance, 2),
        by_component=by_component,
        by_category=by_category,
        by_entity=by_entity,
        drivers=drivers,
        summary=summary(variance, drivers, o.reporting_currency, start, end),
        revaluation=round(revaluation, 2),
        materiality=round(floor, 2),
    )


def _other_flows(
    forecast: CashForecast,
    actual: pd.DataFrame,
    a: pd.Timestamp,
    b: pd.Timestamp,
    conversion: Mapping[tuple[str, str], float],
) -> list[dict[str, Any]]:
    """Flows the forecast does not itemise against their forecast, at the forecast's rates:
    what conversions received beyond those rates (``conversion``) is FX, not amount."""
    comp = forecast.components
    window = comp.loc[(comp["ds"] >= a) & (comp["ds"] <= b) & ~comp["category"].isin(_ITEMISED)]
    fc = window.groupby(["key", "category"])["mean"].sum()
    act = (
        actual.loc[~actual["category"].isin(_ITEMISED)].groupby(["key", "category"])["amount"].sum()
    )
    rows = []
    for key, category in sorted(set(fc.index) | set(act.index)):
        diff = float(act.get((key, category), 0.0)) - float(fc.get((key, category), 0.0))
        diff -= conversion.get((key, category), 0.0)
        var = max(
            path_variance(forecast, key, category, a, b),
            history_variance(forecast, key, category, a, b),
        )
        rows.append(part("amount", category, key, None, diff, var=var))
    return rows


def _unexplained(
    forecast: CashForecast,
    rows: list[dict[str, Any]],
    actual: pd.DataFrame,
    a: pd.Timestamp,
    b: pd.Timestamp,
) -> list[dict[str, Any]]:
    """Bank cash the document-level split does not account for (discounts taken, fees,
    lines paying no known document), so the parts add up to the bank's variance."""
    comp = forecast.components
    window = comp.loc[(comp["ds"] >= a) & (comp["ds"] <= b)]
    fc = window.groupby(["key", "category"])["mean"].sum()
    o = forecast.outlook
    cols = (o.dates >= a) & (o.dates <= b)
    for key in o.keys:
        bills = float(o.scheduled_flows(key)[cols].sum())
        if bills:
            fc.loc[(key, "supplier_payment")] = fc.get((key, "supplier_payment"), 0.0) + bills
    explained: dict[tuple[str, str], float] = {}
    for r in rows:
        explained[(r["key"], r["category"])] = (
            explained.get((r["key"], r["category"]), 0.0) + r["amount"]
        )
    bank = actual.set_index(["key", "category"])["amount"]
    out = []
    for key, category in sorted(set(fc.index) | set(bank.index) | set(explained)):
        gap = float(bank.get((key, category), 0.0)) - float(fc.get((key, category), 0.0))
        gap -= explained.get((key, category), 0.0)
        if abs(gap) > 0.005:
            out.append(part("amount", category, key, None, gap))
    return out


def _window_lines(
    forecast: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> pd.DataFrame:
    """The window's bank lines of the forecast's positions, categorized, with their ``key``
    (internal transfers left out, as the forecast leaves them out)."""
    bank = tables["bank_transactions"]
    lines = bank.loc[
        (pd.to_datetime(bank["booking_date"]) >= a) & (pd.to_datetime(bank["booking_date"]) <= b)
    ]
    lines = categorize(lines, tables)
    lines["key"] = lines["account_id"].map(account_keys(tables["bank_accounts"]))
    return lines.loc[
        lines["key"].isin(forecast.outlook.keys) & (lines["category"] != "internal")
    ].assign(amount=lambda f: f["amount"].astype(float))


def _forecast_total(
    forecast: CashForecast, a: pd.Timestamp, b: pd.Timestamp, fx: Mapping[str, float]
) -> float:
    o = forecast.outlook
    cols = (o.dates >= a) & (o.dates <= b)
    total = 0.0
    for key in o.keys:
        flows = o.flow_paths(key).mean(axis=0) + o.scheduled_flows(key)
        total += float(np.sum(flows[cols])) * fx[key]
    return total
