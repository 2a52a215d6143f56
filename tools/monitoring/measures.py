"""The tracked KPIs' current and previous values, measured from the ledger and the forecast.

- DSO, DPO, DIO, CCC: ``tools.kpi.kpi_series`` for the group on the two dates;
- discount capture rate: of the early-payment discounts offered on the bills paid in a
  period (amount x discount %), the share paid within the discount window;
- idle-cash share: the part of today's group cash that stays above the policy floor even
  on a bad (5 %) path through the forecast horizon, as a share of that cash: money the
  forecast says could earn interest but sits in operating accounts;
- breaches: days in the period a scope (account with a floor, entity, group) closed below
  its policy minimum, counted per scope and day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pandas as pd

from tools.domain.policy import Policy
from tools.kpi import kpi_series
from tools.kpi.fx import fx_to_reporting
from tools.risk.models import LiquidityRisk

__all__ = ["breach_days", "discount_capture", "idle_cash_share", "working_capital_values"]

WC_KPIS = ("dso", "dpo", "dio", "ccc")


def working_capital_values(
    tables: Mapping[str, pd.DataFrame],
    policy: Policy,
    *,
    as_of: date,
    period_days: int,
    window_days: int = 90,
) -> dict[str, tuple[float | None, float | None]]:
    """(current, previous) group DSO, DPO, DIO and CCC at ``as_of`` and a period before."""
    previous = as_of - timedelta(days=period_days)
    series = kpi_series(
        dict(tables),
        policy,
        start=previous,
        end=as_of,
        freq=f"{period_days}D",
        window_days=window_days,
    )
    frame = series.frame()
    group = frame.loc[frame["scope"] == "group"].sort_values("date")
    out: dict[str, tuple[float | None, float | None]] = {}
    for kpi in WC_KPIS:
        values = [None if pd.isna(v) else float(v) for v in group[kpi]]
        out[kpi] = (values[-1], values[0] if len(values) > 1 else None)
    return out


def discount_capture(bills: pd.DataFrame, *, start: date, end: date) -> float | None:
    """Share of the discount value offered on bills paid in ``start..end`` that was taken
    (paid within the discount days); None when no bill paid then offered a discount."""
    needed = {"discount_pct", "discount_days", "paid_date", "issue_date", "amount"}
    if bills.empty or not needed <= set(bills.columns):
        return None
    paid = pd.to_datetime(bills["paid_date"])
    offered = bills.loc[
        (paid >= pd.Timestamp(start))
        & (paid <= pd.Timestamp(end))
        & (bills["discount_pct"].fillna(0) > 0)
        & bills["discount_days"].notna()
        & (bills.get("doc_type", pd.Series("bill", index=bills.index)).fillna("bill") == "bill")
    ]
    if offered.empty:
        return None
    value = offered["amount"].astype(float) * offered["discount_pct"].astype(float) / 100
    last_day = pd.to_datetime(offered["issue_date"]) + pd.to_timedelta(
        offered["discount_days"].astype(float), unit="D"
    )
    taken = pd.to_datetime(offered["paid_date"]) <= last_day
    total = float(value.sum())
    return round(float(value[taken].sum()) / total, 4) if total > 0 else None


def idle_cash_share(risk: LiquidityRisk) -> float | None:
    """Group cash above the floor on the 5 % path's lowest day, as a share of the opening
    cash; None when the group holds no cash."""
    group = risk.group
    if group.opening <= 0:
        return None
    idle = max(0.0, group.min_balance_q05 - group.minimum)
    return round(min(idle, group.opening) / group.opening, 4)


def breach_days(
    tables: Mapping[str, pd.DataFrame], policy: Policy, *, start: date, end: date
) -> int:
    """Scope-days in ``start..end`` whose closing cash was below the policy minimum.

    Accounts are compared in their own currency, entities in their base currency (both
    from the statements' closing balances, carried forward over days without one), the
    group in the reporting currency; FX at ``end``.
    """
    bal = tables["bank_balances"]
    accounts = tables["bank_accounts"]
    if bal.empty or accounts.empty:
        return 0
    closing = bal.loc[(bal["balance_type"] == "closing") & (bal["date"] <= pd.Timestamp(end))]
    if closing.empty:
        return 0
    wide = closing.pivot_table(index="date", columns="account_id", values="amount", aggfunc="last")
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    wide = wide.reindex(wide.index.union(days)).sort_index().ffill().reindex(days)
    wide = wide.dropna(how="all")
    if wide.empty:
        return 0
    ccy = dict(zip(accounts["account_id"], accounts["currency"], strict=True))
    entity = dict(zip(accounts["account_id"], accounts["entity_id"], strict=True))
    entities = tables.get("entities", pd.DataFrame(columns=["entity_id", "base_currency"]))
    base = dict(zip(entities["entity_id"], entities["base_currency"], strict=True))
    currencies = set(ccy.values()) | set(base.values())
    fx = fx_to_reporting(
        tables["fx_rates"], currencies, policy.reporting_currency, pd.Timestamp(end)
    )
    count = 0
    floors = policy.minimum_cash
    for account, floor in floors.accounts.items():
        if account in wide:
            count += int((wide[account].dropna() < floor).sum())
    reporting = wide.copy()
    for account in reporting.columns:
        reporting[account] = reporting[account] * fx.get(ccy.get(account, ""), 1.0)
    for ent, floor in floors.entities.items():
        mine = [a for a in reporting.columns if entity.get(a) == ent]
        if mine:
            cash = reporting[mine].sum(axis=1, min_count=1).dropna()
            rate = fx.get(base.get(ent, policy.reporting_currency), 1.0)
            count += int((cash < floor * rate).sum())
    if floors.group > 0:
        cash = reporting.sum(axis=1, min_count=1).dropna()
        count += int((cash < floors.group).sum())
    return count
