"""Working-capital KPIs (DSO, DPO, DIO, CCC, ageing) from the ledger, as of a date."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.kpi.fx import fx_to_reporting

__all__ = ["AGEING_BUCKETS", "KpiReport", "KpiSet", "ageing", "open_at", "working_capital_kpis"]

AGEING_BUCKETS = ("not_due", "1-30", "31-60", "61-90", "over_90")


class KpiSet(BaseModel):
    """KPIs of one scope (an entity or the group), amounts in the reporting currency."""

    model_config = ConfigDict(frozen=True)

    scope: str
    revenue: float = Field(description="Invoiced in the window, net of credit notes")
    purchases: float = Field(description="Billed by suppliers in the window")
    ar_open: float
    ap_open: float
    inventory_value: float | None
    cash: float | None
    dso: float | None = Field(description="Standard DSO: AR open / revenue x window days")
    dso_countback: float | None
    dpo: float | None
    dio: float | None
    ccc: float | None = Field(description="DSO + DIO - DPO")
    ar_overdue_share: float | None
    ar_disputed_share: float | None
    ar_ageing: dict[str, float]
    ap_ageing: dict[str, float]
    credit_headroom: float | None


class KpiReport(BaseModel):
    """KPIs per entity and for the group, with what they were computed from."""

    model_config = ConfigDict(frozen=True)

    as_of: date
    window_days: int
    reporting_currency: str
    fx_rates: dict[str, float]
    group: KpiSet
    entities: list[KpiSet]
    inputs: dict[str, int] = Field(description="Rows used per table")


def open_at(
    docs: pd.DataFrame,
    as_of: pd.Timestamp,
    *,
    settled: str,
    receipts: pd.DataFrame | None = None,
    key: str = "invoice_id",
) -> pd.Series:
    """Amount of each document still open at ``as_of`` (0 when not yet issued or settled).

    Uses ``open_amount`` when ``as_of`` is on or after every date in the documents (the
    export's snapshot); otherwise
    rebuilds the balance from the settlement date and, when given, the receipts.
    """
    issued = docs["issue_date"] <= as_of
    latest = max(
        docs["issue_date"].max(),
        docs[settled].max() if docs[settled].notna().any() else docs["issue_date"].max(),
    )
    if "open_amount" in docs and as_of >= latest:
        return docs["open_amount"].where(issued, 0.0)  # the export's own snapshot
    paid = docs[settled].notna() & (docs[settled] <= as_of)
    amount = docs["amount"].where(issued & ~paid, 0.0)
    if receipts is not None and not receipts.empty:
        got = receipts.loc[receipts["payment_date"] <= as_of].groupby(key)["amount"].sum()
        amount = amount - docs[key].map(got).fillna(0.0).where(issued & ~paid, 0.0)
        amount = amount.where(amount.abs() > 0.005, 0.0)
    return amount


def ageing(docs: pd.DataFrame, open_amount: pd.Series, as_of: pd.Timestamp) -> dict[str, float]:
    """Open amounts by days past due: not due, 1-30, 31-60, 61-90, over 90."""
    late = (as_of - docs["due_date"]).dt.days
    bucket = pd.cut(late, [-np.inf, 0, 30, 60, 90, np.inf], labels=list(AGEING_BUCKETS))
    sums = open_amount.groupby(bucket, observed=False).sum()
    return {b: round(float(sums.get(b, 0.0)), 2) for b in AGEING_BUCKETS}


def working_capital_kpis(
    tables: dict[str, pd.DataFrame],
    *,
    as_of: date,
    reporting_currency: str,
    window_days: int = 90,
) -> KpiReport:
    """DSO (standard and countback), DPO, DIO, CCC, ageing, cash and headroom.

    Args:
        tables: canonical frames (``ar_invoices``, ``ar_receipts``, ``ap_bills``,
            ``inventory_items``, ``inventory_demand``, ``bank_balances``,
            ``bank_accounts``, ``credit_facilities``, ``fx_rates``); missing ones count
            as empty.
        as_of: the date the KPIs describe.
        reporting_currency: currency of every amount in the result.
        window_days: the trailing window revenue, purchases and COGS are taken over.

    Raises:
        DataError: an amount's currency cannot be converted (no FX rate).
    """
    t = pd.Timestamp(as_of)
    get = lambda name: tables.get(name, pd.DataFrame())  # noqa: E731
    currencies = {
        c
        for name in (
            "ar_invoices",
            "ap_bills",
            "inventory_items",
            "bank_accounts",
            "credit_facilities",
        )
        for c in get(name).get("currency", pd.Series(dtype=object)).dropna()
    }
    fx = fx_to_reporting(
        get("fx_rates")
        if not get("fx_rates").empty
        else pd.DataFrame(columns=["date", "base", "quote", "rate"]),
        currencies,
        reporting_currency,
        t,
    )
    frames = _converted(tables, fx, t)
    entities = sorted(
        set(frames["ar"].get("entity_id", pd.Series(dtype=object)).dropna())
        | set(frames["ap"].get("entity_id", pd.Series(dtype=object)).dropna())
    )
    sets = [_kpis(frames, t, window_days, e) for e in entities]
    return KpiReport(
        as_of=as_of,
        window_days=window_days,
        reporting_currency=reporting_currency,
        fx_rates={k: round(v, 6) for k, v in fx.items()},
        group=_kpis(frames, t, window_days, None),
        entities=sets,
        inputs={name: len(get(name)) for name in sorted(tables)},
    )


def _converted(
    tables: dict[str, pd.DataFrame], fx: dict[str, float], t: pd.Timestamp
) -> dict[str, pd.DataFrame]:
    def conv(name: str, cols: tuple[str, ...]) -> pd.DataFrame:
        frame = tables.get(name, pd.DataFrame()).copy()
        if frame.empty:
            return frame
        rate = frame["currency"].map(fx).astype(float)
        for col in cols:
            frame[col] = frame[col] * rate
        return frame

    ar = conv("ar_invoices", ("amount", "open_amount"))
    receipts = tables.get("ar_receipts")
    if receipts is not None and not receipts.empty:
        receipts = receipts.assign(amount=receipts["amount"] * receipts["currency"].map(fx))
    items = conv("inventory_items", ("unit_cost",))
    accounts = tables.get("bank_accounts", pd.DataFrame())
    balances = conv("bank_balances", ("amount",))
    if not balances.empty:
        closing = balances.loc[(balances["balance_type"] == "closing") & (balances["date"] <= t)]
        balances = closing.sort_values("date").drop_duplicates("account_id", keep="last")
        balances = balances.merge(
            accounts[["account_id", "entity_id"]], on="account_id", how="left"
        )
    return {
        "ar": ar,
        "receipts": receipts if receipts is not None else pd.DataFrame(),
        "ap": conv("ap_bills", ("amount", "open_amount")),
        "items": items,
        "demand": tables.get("inventory_demand", pd.DataFrame()),
        "cash": balances,
        "facilities": conv("credit_facilities", ("limit", "drawn")),
    }


def _scope(frame: pd.DataFrame, entity: str | None) -> pd.DataFrame:
    if entity is None or frame.empty or "entity_id" not in frame:
        return frame
    return frame.loc[frame["entity_id"] == entity]


def _ratio(num: float, den: float, days: int) -> float | None:
    return round(num / den * days, 1) if den > 0 else None


def _kpis(f: dict[str, pd.DataFrame], t: pd.Timestamp, window: int, entity: str | None) -> KpiSet:
    start = t - pd.Timedelta(days=window)
    ar, ap = _scope(f["ar"], entity), _scope(f["ap"], entity)
    revenue = purchases = ar_open = ap_open = 0.0
    ar_age = ap_age = dict.fromkeys(AGEING_BUCKETS, 0.0)
    overdue = disputed = None
    countback = None
    if not ar.empty:
        in_window = (ar["issue_date"] > start) & (ar["issue_date"] <= t)
        revenue = float(ar.loc[in_window, "amount"].sum())
        ar_open_s = open_at(ar, t, settled="settled_date", receipts=f["receipts"])
        ar_open = float(ar_open_s.sum())
        ar_age = ageing(ar, ar_open_s, t)
        if ar_open > 0:
            overdue = round(1 - ar_age["not_due"] / ar_open, 4)
            disputed = round(float(ar_open_s[ar["disputed"]].sum()) / ar_open, 4)
        countback = _countback(ar, ar_open, t)
    if not ap.empty:
        in_window = (ap["issue_date"] > start) & (ap["issue_date"] <= t)
        purchases = float(ap.loc[in_window, "amount"].sum())
        ap_open_s = open_at(ap, t, settled="paid_date", key="bill_id")
        ap_open = float(ap_open_s.sum())
        ap_age = ageing(ap, ap_open_s, t)
    items, inventory_value, dio = _scope(f["items"], entity), None, None
    if not items.empty:
        inventory_value = float((items["on_hand"] * items["unit_cost"]).sum())
        demand = f["demand"]
        if not demand.empty:
            used = demand.loc[(demand["date"] > start) & (demand["date"] <= t)]
            costed = used.merge(items[["sku", "unit_cost"]], on="sku")
            cogs = float((costed["quantity"] * costed["unit_cost"]).sum())
            dio = _ratio(inventory_value, cogs, window)
    cash_frame = _scope(f["cash"], entity)
    cash = float(cash_frame["amount"].sum()) if not cash_frame.empty else None
    fac = _scope(f["facilities"], entity)
    headroom = float((fac["limit"] - fac["drawn"]).sum()) if not fac.empty else None
    dso, dpo = _ratio(ar_open, revenue, window), _ratio(ap_open, purchases, window)
    ccc = round(dso + (dio or 0.0) - dpo, 1) if dso is not None and dpo is not None else None
    return KpiSet(
        scope=entity or "group",
        revenue=round(revenue, 2),
        purchases=round(purchases, 2),
        ar_open=round(ar_open, 2),
        ap_open=round(ap_open, 2),
        inventory_value=None if inventory_value is None else round(inventory_value, 2),
        cash=None if cash is None else round(cash, 2),
        dso=dso,
        dso_countback=countback,
        dpo=dpo,
        dio=dio,
        ccc=ccc,
        ar_overdue_share=overdue,
        ar_disputed_share=disputed,
        ar_ageing=ar_age,
        ap_ageing=ap_age,
        credit_headroom=None if headroom is None else round(headroom, 2),
    )


def _countback(ar: pd.DataFrame, ar_open: float, t: pd.Timestamp) -> float | None:
    """Days of most recent sales it takes to account for the open receivables."""
    if ar_open <= 0:
        return 0.0
    remaining, days = ar_open, 0.0
    month_end = t
    for _ in range(24):
        month_start = (
            (month_end - pd.offsets.MonthBegin(1)).normalize()
            if month_end.day != 1
            else month_end - pd.offsets.MonthBegin(1)
        )
        span = (month_end - month_start).days or 1
        sales = float(
            ar.loc[
                (ar["issue_date"] > month_start) & (ar["issue_date"] <= month_end), "amount"
            ].sum()
        )
        if sales <= 0:
            return None
        if remaining <= sales:
            return round(days + remaining / sales * span, 1)
        remaining -= sales
        days += span
        month_end = month_start
    return None
