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
- **fx**: the change in the reporting-currency value of a foreign position's actual flows
  because the rate moved since ``t0``; with ``revalue=True`` also the translation of the
  balance the position held at ``t0`` (what a treasurer sees when comparing positions
  rather than flows).

A customer counts as *missing* only when nothing came from them in the window nor after it
(as far as ``tables`` reach): a customer who pays later was late (timing), not gone.

Amounts are in the reporting currency and add up exactly to the bank's variance; each row
names the category, position and, where one exists, the counterparty, so the drivers can be
named in plain words. Drivers are ranked by **surprise**, not by size: the amount beyond the
shift the company's habits expected anyway, over the spread the forecast allowed that part
(``tools.monitoring.surprise``). A customer's receipts the forecast was sure of that did not
come outrank a larger swing in flows the forecast knew to be noisy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from tools.forecasting.cash import CashForecast
from tools.forecasting.categorize import categorize
from tools.forecasting.positions import account_keys
from tools.kpi.fx import fx_to_reporting
from tools.monitoring.surprise import (
    bill_reference,
    fx_volatility,
    history_variance,
    invoice_spread,
    materiality_floor,
    path_variance,
)

__all__ = ["VarianceDriver", "VarianceReport", "explain_variance"]

Component = Literal["timing", "amount", "missing", "new", "fx"]
_ITEMISED = ("customer_receipt", "supplier_payment")
_COLUMNS = ("component", "category", "key", "counterparty", "amount", "items", "why", "ref", "var")


class VarianceDriver(BaseModel):
    """One cause of the variance."""

    model_config = ConfigDict(frozen=True)

    component: Component
    category: str
    key: str
    counterparty: str | None
    amount: float  # reporting currency; > 0: more cash than forecast
    items: int
    explanation: str
    spread: float = 0.0  # standard deviation the forecast allowed this part (reporting ccy)
    surprise: float = 0.0  # (amount - expected shift) / spread: drivers are ranked by it


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
        revalue: add the translation of each position's balance at the forecast date to its
            FX driver, totalled in ``revaluation``.

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
    currencies = {p.currency for p in o.positions}
    rates = fx_to_reporting(tables["fx_rates"], currencies, o.reporting_currency, b)
    fx_now = {p.key: rates[p.currency] for p in o.positions}
    rows: list[dict[str, Any]] = []
    rows += _receivables(forecast, tables, a, b)
    rows += _payables(forecast, tables, a, b)
    actual_by_cat = _bank_actuals(forecast, tables, a, b)
    rows += _other_flows(forecast, actual_by_cat, a, b)
    rows += _unexplained(forecast, rows, actual_by_cat, a, b)
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    rate = frame["key"].map(fx_then).astype(float)
    frame["amount"] = frame["amount"].astype(float) * rate
    frame["ref"] = frame["ref"].astype(float) * rate
    frame["var"] = frame["var"].astype(float) * rate**2
    flows = actual_by_cat.groupby("key")["amount"].sum()
    days = int(np.busday_count(o.as_of, (b + pd.Timedelta(days=1)).date()))
    revaluation = 0.0
    for p in o.positions:
        held = p.opening if revalue else 0.0
        move = (float(flows.get(p.key, 0.0)) + held) * (fx_now[p.key] - fx_then[p.key])
        if abs(move) <= 0.005:
            continue
        revaluation += held * (fx_now[p.key] - fx_then[p.key])
        vol = fx_volatility(
            tables["fx_rates"], p.currency, o.reporting_currency, pd.Timestamp(o.as_of), days
        )
        exposure = (float(flows.get(p.key, 0.0)) + held) * fx_then[p.key]
        why = f"rate {fx_then[p.key]:.4f} -> {fx_now[p.key]:.4f}"
        if held:  # one FX driver per position: its flows and the balance it held
            why += f" on the flows and the balance of {p.opening:,.0f} {p.currency} held"
        frame.loc[len(frame)] = {
            **_row("fx", "all", p.key, None, move, var=(exposure * vol) ** 2),
            "items": 0,
            "why": why,
        }
    floor = materiality_floor(forecast, a, b, fx_then)
    forecast_total = _forecast_total(forecast, a, b, fx_then)
    actual_total = float(
        sum(
            actual_by_cat.loc[actual_by_cat["key"] == k, "amount"].sum() * fx_now[k] for k in fx_now
        )
    )
    drivers = _drivers(frame, top, floor)
    by_component = {
        c: round(float(v), 2) for c, v in frame.groupby("component")["amount"].sum().items()
    }
    by_category = {
        c: round(float(v), 2) for c, v in frame.groupby("category")["amount"].sum().items()
    }
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
        drivers=drivers,
        summary=_summary(variance, drivers, o.reporting_currency, start, end),
        revaluation=round(revaluation, 2),
        materiality=round(floor, 2),
    )


def _receivables(
    forecast: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> list[dict[str, Any]]:
    inv = forecast.receivables
    if inv.empty:
        return []
    daily = forecast.receivables_daily
    inside = daily.loc[(daily["ds"] >= a) & (daily["ds"] <= b)]
    expected = inside.groupby("invoice_id")["expected"].sum()
    spread = invoice_spread(forecast, a, b)
    received = _received(tables, a, b)
    before = _received(
        tables,
        pd.Timestamp(forecast.outlook.as_of) + pd.Timedelta(days=1),
        a - pd.Timedelta(days=1),
    )
    later = _received(tables, b + pd.Timedelta(days=1), pd.Timestamp.max)
    paying = set(
        tables["ar_invoices"].loc[
            tables["ar_invoices"]["invoice_id"].isin(received.index.union(later.index)),
            "customer_id",
        ]
    )
    rows = []
    for r in inv.to_dict("records"):
        f = float(expected.get(r["invoice_id"], 0.0))
        got = float(received.get(r["invoice_id"], 0.0))
        party = str(r["customer_id"])
        var = float(spread.get(r["invoice_id"], 0.0))
        if got > 0:
            rows.append(
                _row("timing", "customer_receipt", r["key"], party, r["open_amount"] - f, var=var)
            )
            rows.append(_row("amount", "customer_receipt", r["key"], party, got - r["open_amount"]))
        elif f > 0:
            component = (
                "timing" if (party in paying or r["invoice_id"] in before.index) else "missing"
            )
            rows.append(_row(component, "customer_receipt", r["key"], party, -f, var=var))
    known = set(inv["invoice_id"])
    new = received.loc[~received.index.isin(known)]
    new_fc = _component_total(forecast, "customer_receipt", "new_documents", a, b)
    new_by_key = new.groupby(new.index.map(_invoice_keys(tables))).sum()
    open_var = spread.groupby(inv.set_index("invoice_id")["key"].reindex(spread.index)).sum()
    for key in sorted(set(new_fc) | set(forecast.outlook.keys)):
        actual_new = float(new_by_key.get(key, 0.0))
        # the paths hold open and new invoices, drawn independently of each other
        var = path_variance(forecast, key, "customer_receipt", a, b)
        var = max(var - float(open_var.get(key, 0.0)), 0.0)
        rows.append(
            _row("new", "customer_receipt", key, None, actual_new - new_fc.get(key, 0.0), var=var)
        )
    return rows


def _payables(
    forecast: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> list[dict[str, Any]]:
    bills = tables.get("ap_bills")
    if bills is None or bills.empty:
        return []
    paid_date = pd.to_datetime(bills["paid_date"])
    paid = bills.loc[(paid_date >= a) & (paid_date <= b)].set_index("bill_id")
    sched = forecast.outlook.scheduled
    habit = bill_reference(forecast, bills, a, b).set_index("item_id")["p"]
    rows = []
    first = forecast.outlook.dates[0]
    for r in sched.to_dict("records"):
        due = max(pd.Timestamp(r["due_date"]), first)
        amount = float(r["amount"])
        f = amount if a <= due <= b else 0.0
        party = r["counterparty_id"]
        # the forecast pays on the due date; the company's habits say when it usually pays
        p = float(habit.get(r["item_id"], 0.0))
        usual = {"ref": p * amount - f, "var": amount**2 * p * (1.0 - p)}
        if r["item_id"] in paid.index:
            got = -float(paid.loc[r["item_id"], "amount"])
            rows.append(_row("timing", "supplier_payment", r["key"], party, amount - f, **usual))
            rows.append(_row("amount", "supplier_payment", r["key"], party, got - amount))
        else:
            rows.append(_row("timing", "supplier_payment", r["key"], party, -f, **usual))
    known = set(sched["item_id"])
    new = paid.loc[~paid.index.isin(known)]
    new_fc = _component_total(forecast, "supplier_payment", "new_documents", a, b)
    keys = new["entity_id"].astype(str) + "/" + new["currency"].astype(str)
    for key in forecast.outlook.keys:
        actual_new = -float(new.loc[keys == key, "amount"].sum())
        var = path_variance(forecast, key, "supplier_payment", a, b)
        rows.append(
            _row("new", "supplier_payment", key, None, actual_new - new_fc.get(key, 0.0), var=var)
        )
    return rows


def _other_flows(
    forecast: CashForecast, actual: pd.DataFrame, a: pd.Timestamp, b: pd.Timestamp
) -> list[dict[str, Any]]:
    comp = forecast.components
    window = comp.loc[(comp["ds"] >= a) & (comp["ds"] <= b) & ~comp["category"].isin(_ITEMISED)]
    fc = window.groupby(["key", "category"])["mean"].sum()
    act = (
        actual.loc[~actual["category"].isin(_ITEMISED)].groupby(["key", "category"])["amount"].sum()
    )
    rows = []
    for key, category in sorted(set(fc.index) | set(act.index)):
        diff = float(act.get((key, category), 0.0)) - float(fc.get((key, category), 0.0))
        var = max(
            path_variance(forecast, key, category, a, b),
            history_variance(forecast, key, category, a, b),
        )
        rows.append(_row("amount", category, key, None, diff, var=var))
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
            out.append(_row("amount", category, key, None, gap))
    return out


def _bank_actuals(
    forecast: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> pd.DataFrame:
    bank = tables["bank_transactions"]
    lines = bank.loc[
        (pd.to_datetime(bank["booking_date"]) >= a) & (pd.to_datetime(bank["booking_date"]) <= b)
    ]
    lines = categorize(lines, tables)
    lines["key"] = lines["account_id"].map(account_keys(tables["bank_accounts"]))
    lines = lines.loc[lines["key"].isin(forecast.outlook.keys) & (lines["category"] != "internal")]
    return lines.groupby(["key", "category"], as_index=False).agg(amount=("amount", "sum"))


def _received(tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp) -> pd.Series:
    receipts = tables.get("ar_receipts")
    if receipts is not None and not receipts.empty:
        when = pd.to_datetime(receipts["payment_date"])
        return receipts.loc[(when >= a) & (when <= b)].groupby("invoice_id")["amount"].sum()
    inv = tables["ar_invoices"]
    when = pd.to_datetime(inv["settled_date"])
    return inv.loc[(when >= a) & (when <= b)].set_index("invoice_id")["amount"]


def _invoice_keys(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    inv = tables["ar_invoices"]
    return dict(zip(inv["invoice_id"], inv["entity_id"] + "/" + inv["currency"], strict=True))


def _component_total(
    forecast: CashForecast, category: str, component: str, a: pd.Timestamp, b: pd.Timestamp
) -> dict[str, float]:
    comp = forecast.components
    part = comp.loc[
        (comp["category"] == category)
        & (comp["component"] == component)
        & (comp["ds"] >= a)
        & (comp["ds"] <= b)
    ]
    return {str(k): float(v) for k, v in part.groupby("key")["mean"].sum().items()}


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


def _row(
    component: str,
    category: str,
    key: str,
    party: str | None,
    amount: float,
    *,
    ref: float = 0.0,
    var: float = 0.0,
) -> dict[str, Any]:
    """One part of the variance; ``ref`` is the shift expected anyway (the company's habits
    against the forecast's point), ``var`` the variance the forecast allowed it."""
    return {
        "component": component,
        "category": category,
        "key": key,
        "counterparty": party,
        "amount": float(amount),
        "items": 1,
        "why": "",
        "ref": float(ref),
        "var": float(var),
    }


def _drivers(frame: pd.DataFrame, top: int, floor: float) -> list[VarianceDriver]:
    """Drivers by surprise: how far each lies outside the range its forecast allowed."""
    if frame.empty:
        return []
    grouped = (
        frame.fillna({"counterparty": ""})
        .groupby(["component", "category", "key", "counterparty"], as_index=False)
        .agg(
            amount=("amount", "sum"),
            items=("items", "sum"),
            why=("why", "first"),
            ref=("ref", "sum"),
            var=("var", "sum"),
        )
    )
    grouped = grouped.loc[grouped["amount"].abs() > 0.005]
    grouped["spread"] = np.sqrt(grouped["var"].clip(lower=0.0) + floor**2)
    grouped["surprise"] = (grouped["amount"] - grouped["ref"]) / grouped["spread"]
    grouped = grouped.assign(_z=grouped["surprise"].abs(), _a=grouped["amount"].abs())
    grouped = grouped.sort_values(["_z", "_a"], ascending=False).head(top)
    return [
        VarianceDriver(
            component=r["component"],
            category=r["category"],
            key=r["key"],
            counterparty=r["counterparty"] or None,
            amount=round(float(r["amount"]), 2),
            items=int(r["items"]),
            explanation=_explain({str(k): v for k, v in r.items()}),
            spread=round(float(r["spread"]), 2),
            surprise=round(float(r["surprise"]), 2),
        )
        for r in grouped.to_dict("records")
    ]


def _explain(r: Mapping[str, Any]) -> str:
    who = f" from {r['counterparty']}" if r["counterparty"] else ""
    more = "more" if r["amount"] > 0 else "less"
    cat = str(r["category"]).replace("_", " ")
    text = {
        "timing": f"{cat}{who} came at other dates than forecast ({r['items']} items)",
        "amount": f"{cat}{who} came for other amounts than forecast",  # or not by the calendar
        "missing": f"expected {cat}{who} did not arrive and nothing else came from them",
        "new": f"{cat} from documents or flows the forecast did not know item by item",
        "fx": f"the exchange rate moved ({r['why']})",
    }[str(r["component"])]
    return f"{text}: {abs(r['amount']):,.0f} {more} cash in {r['key']}"


def _summary(variance: float, drivers: list[VarianceDriver], ccy: str, a: date, b: date) -> str:
    direction = "more" if variance >= 0 else "less"
    head = f"From {a} to {b}, {abs(variance):,.0f} {ccy} {direction} net cash than forecast."
    if not drivers:
        return head
    top = drivers[0]
    return (
        f"{head} Main driver: {top.explanation}, {abs(top.surprise):.1f} times the spread "
        "the forecast allowed it."
    )
