"""The customer receipts of a variance, invoice by invoice: timing, amount, missing and new.

Each open invoice of the forecast gets a timing part (it came, or will come, on another day
than the forecast expected) or, when its customer paid nothing at all in the window nor
after it, a missing part; what came for another amount is an amount part; receipts of
invoices the forecast did not know are new, per position, against what the forecast
expected from new business. Each part carries its yardstick of surprise
(``tools.monitoring.surprise``): the Bernoulli spread of the invoice's receipt in the window
and the shift the customer's recent paying record expected; for amounts, how short the
customer usually pays (``tools.monitoring.variance_amounts``); for new invoices, how much
such windows moved in the company's year (``tools.monitoring.variance_history``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from tools.forecasting.cash import CashForecast
from tools.monitoring.ranking import part
from tools.monitoring.surprise import invoice_reference, invoice_spread, path_variance
from tools.monitoring.variance_amounts import paid_share_record
from tools.monitoring.variance_history import new_document_variance

__all__ = ["component_total", "receivable_parts", "received"]


def receivable_parts(
    forecast: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> list[dict[str, Any]]:
    """The window's customer receipts against the forecast, in the positions' currencies."""
    inv = forecast.receivables
    if inv.empty:
        return []
    daily = forecast.receivables_daily
    inside = daily.loc[(daily["ds"] >= a) & (daily["ds"] <= b)]
    expected = inside.groupby("invoice_id")["expected"].sum()
    spread = invoice_spread(forecast, a, b)
    got_in = received(tables, a, b)
    before = received(
        tables,
        pd.Timestamp(forecast.outlook.as_of) + pd.Timedelta(days=1),
        a - pd.Timedelta(days=1),
    )
    later = received(tables, b + pd.Timedelta(days=1), pd.Timestamp.max)
    paying = set(
        tables["ar_invoices"].loc[
            tables["ar_invoices"]["invoice_id"].isin(got_in.index.union(later.index)),
            "customer_id",
        ]
    )
    habit = invoice_reference(forecast, tables["ar_invoices"], a, b)
    shares = paid_share_record(tables, as_of=forecast.outlook.as_of, days=(b - a).days + 1)
    rows = []
    for r in inv.to_dict("records"):
        f = float(expected.get(r["invoice_id"], 0.0))
        got = float(got_in.get(r["invoice_id"], 0.0))
        party = str(r["customer_id"])
        var = float(spread.get(r["invoice_id"], 0.0))
        # the shift the customer's recent record expected: a second view of what was likely
        alt = float(habit.get(r["invoice_id"], f)) - f
        if got > 0:
            rows.append(
                part(
                    "timing",
                    "customer_receipt",
                    r["key"],
                    party,
                    r["open_amount"] - f,
                    alt=alt,
                    var=var,
                )
            )
            # a customer who usually pays part now and the rest later is expected to
            short, var_short = shares.of(party)
            open_amount = float(r["open_amount"])
            rows.append(
                part(
                    "amount",
                    "customer_receipt",
                    r["key"],
                    party,
                    got - open_amount,
                    ref=short * open_amount,
                    var=var_short * open_amount**2,
                )
            )
        elif f > 0 or alt:
            component = (
                "timing" if (party in paying or r["invoice_id"] in before.index) else "missing"
            )
            # an invoice only the recent record expected in the window still counts in its
            # customer's expected shift, though no cash of it was forecast
            rows.append(
                part(
                    component,
                    "customer_receipt",
                    r["key"],
                    party,
                    -f,
                    alt=alt,
                    var=var,
                    items=int(f > 0),
                )
            )
    known = set(inv["invoice_id"])
    new = got_in.loc[~got_in.index.isin(known)]
    new_fc = component_total(forecast, "customer_receipt", "new_documents", a, b)
    new_by_key = new.groupby(new.index.map(_invoice_keys(tables))).sum()
    open_var = spread.groupby(inv.set_index("invoice_id")["key"].reindex(spread.index)).sum()
    record = new_document_variance(
        tables, "customer_receipt", as_of=forecast.outlook.as_of, a=a, b=b
    )
    for key in sorted(set(new_fc) | set(forecast.outlook.keys)):
        actual_new = float(new_by_key.get(key, 0.0))
        # the paths hold open and new invoices, drawn independently of each other; the
        # company's record of such windows is the other view of how much new invoices move
        var = path_variance(forecast, key, "customer_receipt", a, b)
        var = max(var - float(open_var.get(key, 0.0)), record.get(key, 0.0))
        rows.append(
            part("new", "customer_receipt", key, None, actual_new - new_fc.get(key, 0.0), var=var)
        )
    return rows


def received(tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp) -> pd.Series:
    """Cash received per invoice in ``a..b`` (receipts, else the invoices' settlement)."""
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


def component_total(
    forecast: CashForecast, category: str, component: str, a: pd.Timestamp, b: pd.Timestamp
) -> dict[str, float]:
    """Per position, the forecast's mean of one component of a category over ``a..b``."""
    comp = forecast.components
    if comp.empty:
        return {}
    chosen = comp.loc[
        (comp["category"] == category)
        & (comp["component"] == component)
        & (comp["ds"] >= a)
        & (comp["ds"] <= b)
    ]
    return {str(k): float(v) for k, v in chosen.groupby("key")["mean"].sum().items()}
