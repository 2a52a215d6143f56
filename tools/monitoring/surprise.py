"""How uncertain a forecast was about each part of a window's cash: the yardstick of surprise.

A variance driver matters as a *cause* when it lies far outside what the forecast itself
expected could happen, not merely when it is large: a customer's receipts that the forecast
was sure of and that did not come are a cause; the same amount of invoicing noise that the
forecast's paths spread over is not. Each part gets a standard deviation (and, where the
forecast's point differs from how the company usually behaves, a reference shift):

- **open invoices**: the forecast draws each invoice's payment date on its own; the
  probability ``p`` that it lands in the window gives a Bernoulli spread ``A sqrt(p(1-p))``.
  The forecast draws from the customer's delays over a year; the customer's delays of the
  last quarter are a second view (``invoice_reference``): a customer paying later and later,
  or in a slow season, is expected later by it, and what either view foresaw is no surprise;
- **open bills**: the forecast puts them on their due dates (overdue ones on its first
  day); each supplier's paying habit and how far the company's payments stray from habit
  tell the probability that each one is paid in the window, and so both the expected shift
  and its spread (``tools.monitoring.variance_bills``);
- **statistical and new-document flows**: the spread of the window's total over the
  forecast's sample paths;
- **exchange rates**: the volatility of the rate over the days from the forecast to the
  window's end (``fx_volatility``; used by ``tools.monitoring.fx_effect``).

Flows the forecast treats as certain (calendar flows, fees, residuals) get only the
materiality floor: a share of the spread of the whole window's net cash, so that no small
but certain flow outranks a material surprise.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from tools.forecasting.cash import CashForecast

__all__ = [
    "FLOOR_SHARE",
    "RECENT_DAYS",
    "fx_volatility",
    "history_variance",
    "invoice_reference",
    "invoice_spread",
    "materiality_floor",
    "path_variance",
]

FLOOR_SHARE = 0.05  # share of the window's net-cash spread below which nothing is surprising
_MIN_HISTORY = 5
RECENT_DAYS = 91  # a customer's recent paying record: the quarter before the forecast
_YEAR = pd.Timedelta(days=365)


def invoice_spread(forecast: CashForecast, a: pd.Timestamp, b: pd.Timestamp) -> pd.Series:
    """Per open invoice, the variance (local currency squared) of its receipt in ``a..b``."""
    inv = forecast.receivables
    if inv.empty:
        return pd.Series(dtype=float)
    daily = forecast.receivables_daily
    inside = daily.loc[(daily["ds"] >= a) & (daily["ds"] <= b)]
    expected = inside.groupby("invoice_id")["expected"].sum()
    amount = inv.set_index("invoice_id")["open_amount"].astype(float)
    p = (expected.reindex(amount.index, fill_value=0.0) / amount.where(amount > 0)).fillna(0.0)
    p = p.clip(0.0, 1.0)
    return amount**2 * p * (1.0 - p)


def path_variance(
    forecast: CashForecast, key: str, category: str, a: pd.Timestamp, b: pd.Timestamp
) -> float:
    """Variance over the sample paths of a (position, category)'s window total."""
    arr = forecast.outlook.paths.get((key, category))
    if arr is None or arr.shape[0] < 2:
        return 0.0
    cols = (forecast.outlook.dates >= a) & (forecast.outlook.dates <= b)
    return float(np.var(arr[:, cols].sum(axis=1), ddof=1))


def materiality_floor(
    forecast: CashForecast, a: pd.Timestamp, b: pd.Timestamp, fx: Mapping[str, float]
) -> float:
    """``FLOOR_SHARE`` of the spread of the window's net cash over all positions (reporting
    currency): the smallest standard deviation a driver is measured against."""
    o = forecast.outlook
    if o.n_paths < 2:
        return 1.0
    cols = (o.dates >= a) & (o.dates <= b)
    total = sum(o.flow_paths(k)[:, cols].sum(axis=1) * fx[k] for k in o.keys)
    return max(FLOOR_SHARE * float(np.std(np.asarray(total), ddof=1)), 1.0)


def fx_volatility(
    fx_rates: pd.DataFrame, currency: str, reporting: str, as_of: pd.Timestamp, days: int
) -> float:
    """Standard deviation of the log change of ``currency`` against ``reporting`` over
    ``days`` fixings, from the daily fixings of the year before ``as_of`` (0 when the rates
    hold no direct quote of the pair)."""
    if currency == reporting or days <= 0:
        return 0.0
    when = pd.to_datetime(fx_rates["date"])
    pair = (fx_rates["base"] == currency) & (fx_rates["quote"] == reporting) | (
        fx_rates["base"] == reporting
    ) & (fx_rates["quote"] == currency)
    past = fx_rates.loc[pair & (when <= as_of) & (when > as_of - _YEAR)]
    if len(past) < 10:
        return 0.0
    past = past.sort_values("date")
    for _, series in past.groupby(["base", "quote"]):
        steps = np.diff(np.log(series["rate"].to_numpy(float)))
        return float(np.std(steps, ddof=1) * np.sqrt(days))
    return 0.0


def history_variance(
    forecast: CashForecast, key: str, category: str, a: pd.Timestamp, b: pd.Timestamp
) -> float:
    """Variance of a (position, category)'s total over windows as long as ``a..b`` in the
    year before the forecast: how much flows the forecast treats as known (calendar flows)
    usually moved from one such window to the next."""
    lines = forecast.categorized
    if not {"key", "category", "booking_date", "amount"} <= set(lines.columns):
        return 0.0  # a stored run without its history lines
    t0 = pd.Timestamp(forecast.outlook.as_of)
    length = (b - a).days + 1
    mine = lines.loc[
        (lines["key"] == key)
        & (lines["category"] == category)
        & (lines["booking_date"] > t0 - _YEAR)
        & (lines["booking_date"] <= t0)
    ]
    blocks = ((t0 - mine["booking_date"]).dt.days // length).to_numpy()
    n = 365 // length
    if n < 3:
        return 0.0
    totals = np.zeros(n)
    inside = blocks < n
    np.add.at(totals, blocks[inside], mine["amount"].to_numpy(float)[inside])
    return float(np.var(totals, ddof=1))


def invoice_reference(
    forecast: CashForecast,
    invoices: pd.DataFrame,
    a: pd.Timestamp,
    b: pd.Timestamp,
    *,
    recent_days: int = RECENT_DAYS,
) -> pd.Series:
    """Per open invoice: the cash its customer's *recent* paying record puts in ``a..b``.

    The forecast draws each invoice's delay from its customer's delays over a whole year,
    so a customer who has been paying later and later (or is in a slow season) is expected
    too early. Their delays of the last ``recent_days`` before the forecast (at least five
    invoices, those later than the invoice's delay at the forecast date) say when such an
    invoice is now paid: a shortfall the customer's own recent record foresaw is less of a
    surprise than one it did not. Invoices of customers with too short a recent record are
    left out (NaN: the forecast's own expectation stands).
    """
    inv = forecast.receivables
    if inv.empty or invoices.empty:
        return pd.Series(dtype=float)
    t0 = pd.Timestamp(forecast.outlook.as_of)
    first = forecast.outlook.dates[0]
    settled_on = pd.to_datetime(invoices["settled_date"])
    recent = invoices.loc[
        settled_on.notna()
        & (settled_on <= t0)
        & (settled_on > t0 - pd.Timedelta(days=recent_days))
        & (invoices.get("doc_type", pd.Series("invoice", index=invoices.index)) != "credit_note")
        & ~invoices.get("disputed", pd.Series(False, index=invoices.index)).fillna(False)
    ]
    late = (pd.to_datetime(recent["settled_date"]) - pd.to_datetime(recent["due_date"])).dt.days
    own = {str(c): g.to_numpy() for c, g in late.groupby(recent["customer_id"])}
    day = np.timedelta64(1, "D")
    t0_day, first_day = t0.to_datetime64(), first.to_datetime64()
    lo, hi = a.to_datetime64(), b.to_datetime64()
    due = pd.to_datetime(inv["due_date"]).to_numpy("datetime64[D]")
    share = inv["cash_share"] if "cash_share" in inv else pd.Series(1.0, index=inv.index)
    collect = inv["p_collect"] if "p_collect" in inv else pd.Series(1.0, index=inv.index)
    cash = (inv["open_amount"] * share * collect).to_numpy(float)
    out = {}
    for n, (invoice, customer) in enumerate(
        zip(inv["invoice_id"], inv["customer_id"], strict=True)
    ):
        delays = own.get(str(customer), np.zeros(0))
        if len(delays) < _MIN_HISTORY:
            continue
        overdue = (t0_day - due[n]) // day
        beyond = delays[delays > overdue]  # it was still unpaid at the forecast date
        if len(beyond) < 3:
            continue
        paid = np.maximum(due[n] + beyond.astype("timedelta64[D]"), first_day)
        out[invoice] = float(np.mean((paid >= lo) & (paid <= hi))) * cash[n]
    return pd.Series(out, dtype=float)
