"""The company's own supplier payments in a variance: when it usually pays, how far it strays.

The forecast puts each open bill on its due date (overdue ones on its first day), but the
treasurer knows the company's habits: some suppliers are paid a few days early in the
payment run before the due date, others when a discount deadline falls. And the company
strays from its habits: a bill held back for a query or for cash, a discount not taken.
A demanding reader judges a bill paid on an unusual day against both, from the company's
own record of the year before the forecast:

- the **habit** of a supplier: the median delay past due of its bills paid in that year
  (at least ``MIN_HISTORY`` of them; else the median of all the company's bills);
- the **straying**: how far each bill paid in that year came from its supplier's habit,
  pooled over all suppliers. How often the company pays off its habit is a trait of its
  own payment process (approvals, payment runs, cash), and a supplier's dozen bills a year
  are too few to tell a rare stray from none: a clean record does not make a date certain.

A bill's payment date is then its due date plus the habit plus one of the strays, among
those later than the bill's delay at the forecast date (it was still unpaid then); when
fewer than three strays are that late, any day of the next month alike. The share of
those dates inside the window is the probability ``p`` that it was paid there: the timing
part expects ``p`` of the bill (the shift ``ref`` from the forecast's due date) with the
Bernoulli spread ``amount**2 p (1 - p)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from tools.forecasting.cash import CashForecast
from tools.monitoring.ranking import part
from tools.monitoring.surprise import path_variance
from tools.monitoring.variance_history import new_document_variance
from tools.monitoring.variance_items import component_total

__all__ = ["MIN_HISTORY", "bill_timing", "payable_parts"]

MIN_HISTORY = 5  # bills of its own a supplier needs for a habit of its own
_YEAR = pd.Timedelta(days=365)
_MIN_STRAYS = 3  # fewer strays later than a bill's delay so far: any day of the next month
_NEXT_MONTH = np.arange(1, 31)


def bill_timing(
    forecast: CashForecast, bills: pd.DataFrame, a: pd.Timestamp, b: pd.Timestamp
) -> pd.DataFrame:
    """Per scheduled bill of ``forecast``: ``p``, the probability that the company paid it in
    ``a..b``, and ``habit``, its supplier's usual delay past due (days).

    Args:
        forecast: its ``scheduled`` bills and ``as_of`` (only bills paid in the year up to
            ``as_of`` make the record).
        bills: the company's bills (``supplier_id, due_date, paid_date``).
    """
    sched = forecast.outlook.scheduled
    if sched.empty:
        return pd.DataFrame({"item_id": [], "p": [], "habit": []})
    t0 = pd.Timestamp(forecast.outlook.as_of)
    habits, pooled, strays = _record(bills, t0)
    rows = []
    for item, supplier, due_date in zip(
        sched["item_id"], sched["counterparty_id"], sched["due_date"], strict=True
    ):
        due = pd.Timestamp(due_date)
        habit = habits.get(str(supplier), pooled)
        overdue = (t0 - due).days  # negative while not yet due
        delays = habit + strays
        beyond = delays[delays > overdue]  # it was still unpaid at the forecast date
        delays = beyond if len(beyond) >= _MIN_STRAYS else overdue + _NEXT_MONTH
        paid = due + pd.to_timedelta(delays, unit="D")
        inside = float(np.mean((paid >= a) & (paid <= b)))
        rows.append({"item_id": item, "p": inside, "habit": habit})
    return pd.DataFrame(rows)


def _record(bills: pd.DataFrame, t0: pd.Timestamp) -> tuple[dict[str, int], int, np.ndarray]:
    """The habits per supplier, the company's habit, and the strays from habit (days) of
    the bills paid in the year up to ``t0``."""
    paid_on = pd.to_datetime(bills["paid_date"])
    due_on = pd.to_datetime(bills["due_date"])
    done = paid_on.notna() & due_on.notna() & (paid_on <= t0) & (paid_on > t0 - _YEAR)
    if not done.any():
        return {}, 0, np.zeros(1, dtype=int)
    delay = (paid_on[done] - due_on[done]).dt.days.astype(int)
    supplier = bills.loc[done, "supplier_id"].astype(str)
    pooled = int(np.round(np.median(delay)))
    by_supplier = delay.groupby(supplier)
    habits = {
        str(s): int(np.round(np.median(g))) if len(g) >= MIN_HISTORY else pooled
        for s, g in by_supplier
    }
    strays = (delay - supplier.map(habits)).to_numpy(int)
    return habits, pooled, strays


def payable_parts(
    forecast: CashForecast, tables: Mapping[str, pd.DataFrame], a: pd.Timestamp, b: pd.Timestamp
) -> list[dict[str, Any]]:
    """The window's supplier payments against the forecast, in the positions' currencies:
    per scheduled bill a timing part (judged against ``bill_timing``) and, when paid, an
    amount part; per position the payments of bills the forecast did not know."""
    bills = tables.get("ap_bills")
    if bills is None or bills.empty:
        return []
    paid_date = pd.to_datetime(bills["paid_date"])
    paid = bills.loc[(paid_date >= a) & (paid_date <= b)].set_index("bill_id")
    sched = forecast.outlook.scheduled
    likely = bill_timing(forecast, bills, a, b).set_index("item_id")["p"]
    rows = []
    first = forecast.outlook.dates[0]
    for r in sched.to_dict("records"):
        due = max(pd.Timestamp(r["due_date"]), first)
        amount = float(r["amount"])
        f = amount if a <= due <= b else 0.0
        party = r["counterparty_id"]
        # the forecast pays on the due date; the company's habits say when it usually pays
        p = float(likely.get(r["item_id"], 0.0))
        ref, var = p * amount - f, amount**2 * p * (1.0 - p)
        if r["item_id"] in paid.index:
            got = -float(paid.loc[r["item_id"], "amount"])
            rows.append(
                part("timing", "supplier_payment", r["key"], party, amount - f, ref=ref, var=var)
            )
            rows.append(part("amount", "supplier_payment", r["key"], party, got - amount))
        else:
            rows.append(part("timing", "supplier_payment", r["key"], party, -f, ref=ref, var=var))
    new = paid.loc[~paid.index.isin(set(sched["item_id"]))]
    new_fc = component_total(forecast, "supplier_payment", "new_documents", a, b)
    keys = new["entity_id"].astype(str) + "/" + new["currency"].astype(str)
    record = new_document_variance(
        tables, "supplier_payment", as_of=forecast.outlook.as_of, a=a, b=b
    )
    for key in forecast.outlook.keys:
        actual_new = -float(new.loc[keys == key, "amount"].sum())
        # bills not yet received at the forecast date: the paths' spread, or the company's
        # record of such windows where purchasing has come in larger lumps than that
        var = max(path_variance(forecast, key, "supplier_payment", a, b), record.get(key, 0.0))
        rows.append(
            part("new", "supplier_payment", key, None, actual_new - new_fc.get(key, 0.0), var=var)
        )
    return rows
