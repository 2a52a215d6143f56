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

Amounts are in the reporting currency; each row names the category, position and, where
one exists, the counterparty, so the largest drivers can be named in plain words.
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

__all__ = ["VarianceDriver", "VarianceReport", "explain_variance"]

Component = Literal["timing", "amount", "missing", "new", "fx"]
_ITEMISED = ("customer_receipt", "supplier_payment")


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
        top: how many drivers to list.
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
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(
            columns=["component", "category", "key", "counterparty", "amount", "items", "why"]
        )
    frame["amount"] = frame["amount"].astype(float) * frame["key"].map(fx_then).astype(float)
    for key, total in actual_by_cat.groupby("key")["amount"].sum().items():
        move = float(total) * (fx_now[str(key)] - fx_then[str(key)])
        if abs(move) > 0.005:
            frame.loc[len(frame)] = {
                "component": "fx",
                "category": "all",
                "key": str(key),
                "counterparty": None,
                "amount": move,
                "items": 0,
                "why": f"rate {fx_then[str(key)]:.4f} -> {fx_now[str(key)]:.4f}",
            }
    revaluation = 0.0
    if revalue:
        for p in o.positions:
            move = p.opening * (fx_now[p.key] - fx_then[p.key])
            if abs(move) > 0.005:
                revaluation += move
                frame.loc[len(frame)] = {  # one FX driver per position: flows and balance
                    "component": "fx",
                    "category": "all",
                    "key": p.key,
                    "counterparty": None,
                    "amount": move,
                    "items": 0,
                    "why": f"rate {fx_then[p.key]:.4f} -> {fx_now[p.key]:.4f} on the balance "
                    f"of {p.opening:,.0f} {p.currency} held on {o.as_of}",
                }
    forecast_total = _forecast_total(forecast, a, b, fx_then)
    actual_total = float(
        sum(
            actual_by_cat.loc[actual_by_cat["key"] == k, "amount"].sum() * fx_now[k] for k in fx_now
        )
    )
    drivers = _drivers(frame, top)
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
        if got > 0:
            rows.append(_row("timing", "customer_receipt", r["key"], party, r["open_amount"] - f))
            rows.append(_row("amount", "customer_receipt", r["key"], party, got - r["open_amount"]))
        elif f > 0:
            component = (
                "timing" if (party in paying or r["invoice_id"] in before.index) else "missing"
            )
            rows.append(_row(component, "customer_receipt", r["key"], party, -f))
    known = set(inv["invoice_id"])
    new = received.loc[~received.index.isin(known)]
    new_fc = _component_total(forecast, "customer_receipt", "new_documents", a, b)
    new_by_key = new.groupby(new.index.map(_invoice_keys(tables))).sum()
    for key in sorted(set(new_fc) | set(forecast.outlook.keys)):
        actual_new = float(new_by_key.get(key, 0.0))
        rows.append(_row("new", "customer_receipt", key, None, actual_new - new_fc.get(key, 0.0)))
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
    rows = []
    first = forecast.outlook.dates[0]
    for r in sched.to_dict("records"):
        due = max(pd.Timestamp(r["due_date"]), first)
        f = float(r["amount"]) if a <= due <= b else 0.0
        if r["item_id"] in paid.index:
            got = -float(paid.loc[r["item_id"], "amount"])
            rows.append(
                _row(
                    "timing",
                    "supplier_payment",
                    r["key"],
                    r["counterparty_id"],
                    float(r["amount"]) - f,
                )
            )
            rows.append(
                _row(
                    "amount",
                    "supplier_payment",
                    r["key"],
                    r["counterparty_id"],
                    got - float(r["amount"]),
                )
            )
        elif f != 0:
            rows.append(_row("timing", "supplier_payment", r["key"], r["counterparty_id"], -f))
    known = set(sched["item_id"])
    new = paid.loc[~paid.index.isin(known)]
    new_fc = _component_total(forecast, "supplier_payment", "new_documents", a, b)
    keys = new["entity_id"].astype(str) + "/" + new["currency"].astype(str)
    for key in forecast.outlook.keys:
        actual_new = -float(new.loc[keys == key, "amount"].sum())
        rows.append(_row("new", "supplier_payment", key, None, actual_new - new_fc.get(key, 0.0)))
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
        rows.append(_row("amount", category, key, None, diff))
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
    component: str, category: str, key: str, party: str | None, amount: float
) -> dict[str, Any]:
    return {
        "component": component,
        "category": category,
        "key": key,
        "counterparty": party,
        "amount": float(amount),
        "items": 1,
        "why": "",
    }


def _drivers(frame: pd.DataFrame, top: int) -> list[VarianceDriver]:
    if frame.empty:
        return []
    grouped = (
        frame.fillna({"counterparty": ""})
        .groupby(["component", "category", "key", "counterparty"], as_index=False)
        .agg(amount=("amount", "sum"), items=("items", "sum"), why=("why", "first"))
    )
    grouped = grouped.loc[grouped["amount"].abs() > 0.005]
    grouped = grouped.reindex(grouped["amount"].abs().sort_values(ascending=False).index).head(top)
    return [
        VarianceDriver(
            component=r["component"],
            category=r["category"],
            key=r["key"],
            counterparty=r["counterparty"] or None,
            amount=round(float(r["amount"]), 2),
            items=int(r["items"]),
            explanation=_explain({str(k): v for k, v in r.items()}),
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
    return head + " Largest driver: " + drivers[0].explanation + "."
