"""Working-capital KPIs as time series (month-ends by default), per entity and the group.

Each date is measured as the ledger knew it then: receivables and payables are rebuilt from
settlement dates and receipts, cash from the bank balances up to the date. Two tables
describe only today, so they are rolled back: inventory on hand (today's quantity plus the
demand since, less the purchase orders received since; demand stands in for shipments)
and drawn credit (today's drawn amount less the drawings booked since, see
``tools.kpi.ratios.drawn_at``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from tools.domain.policy import Policy
from tools.errors import ConfigError
from tools.kpi.ratios import derived_ratios, drawn_at, operating_flows
from tools.kpi.working_capital import KpiSet, working_capital_kpis

__all__ = ["KpiSeries", "inventory_at", "kpi_series"]

_SKIP = {"scope", "ar_ageing", "ap_ageing"}


class KpiSeries(BaseModel):
    """KPIs per date and scope; ``frame()`` is one row per date and scope."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    end: date
    freq: str
    window_days: int
    reporting_currency: str
    dates: tuple[date, ...]
    rows: tuple[dict[str, Any], ...]
    provenance: dict[str, Any]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows))

    def long(self) -> pd.DataFrame:
        """Nixtla long format: ``unique_id`` = "scope/kpi", ``ds``, ``y``."""
        wide = self.frame()
        value_cols = [c for c in wide.columns if c not in ("date", "scope")]
        long = wide.melt(id_vars=["date", "scope"], value_vars=value_cols, var_name="kpi")
        long = long.dropna(subset=["value"])
        return pd.DataFrame(
            {
                "unique_id": long["scope"] + "/" + long["kpi"],
                "ds": pd.to_datetime(long["date"]),
                "y": long["value"].astype(float),
            }
        ).reset_index(drop=True)

    def trend(self, kpi: str, scope: str = "group") -> pd.Series:
        """One KPI of one scope over the dates."""
        wide = self.frame()
        if kpi not in wide:
            raise KeyError(
                f"no KPI {kpi!r}; known: {', '.join(sorted(map(str, wide.columns[2:])))}"
            )
        mine = wide.loc[wide["scope"] == scope]
        return pd.Series(mine[kpi].to_numpy(), index=pd.to_datetime(mine["date"]), name=kpi)


def inventory_at(tables: dict[str, pd.DataFrame], t: pd.Timestamp) -> pd.DataFrame:
    """``inventory_items`` with ``on_hand`` rolled back to ``t``."""
    items = tables.get("inventory_items", pd.DataFrame())
    if items.empty:
        return items
    demand = tables.get("inventory_demand", pd.DataFrame())
    pos = tables.get("purchase_orders", pd.DataFrame())
    on_hand = items.set_index("sku")["on_hand"].astype(float)
    if not demand.empty:
        since = demand.loc[pd.to_datetime(demand["date"]) > t].groupby("sku")["quantity"].sum()
        on_hand = on_hand.add(since, fill_value=0.0).reindex(on_hand.index)
    if not pos.empty and "status" in pos:
        got = pos.loc[(pos["status"] == "received") & (pd.to_datetime(pos["expected_date"]) > t)]
        on_hand = on_hand.sub(got.groupby("sku")["quantity"].sum(), fill_value=0.0).reindex(
            on_hand.index
        )
    return items.assign(on_hand=items["sku"].map(on_hand.clip(lower=0.0)).to_numpy())


def _floors(
    policy: Policy, tables: dict[str, pd.DataFrame], fx: dict[str, float]
) -> dict[str, float]:
    entities = tables.get("entities", pd.DataFrame())
    base = (
        dict(zip(entities["entity_id"], entities["base_currency"], strict=True))
        if not entities.empty
        else {}
    )
    out = {
        e: v * fx.get(base.get(e, policy.reporting_currency), 1.0)
        for e, v in policy.minimum_cash.entities.items()
    }
    out["group"] = policy.minimum_cash.group or sum(out.values())
    return out


def _scope_rows(
    report_sets: list[KpiSet],
    t: pd.Timestamp,
    *,
    lines: pd.DataFrame,
    facilities: pd.DataFrame,
    fx: dict[str, float],
    floors: dict[str, float],
    window_days: int,
) -> list[dict[str, Any]]:
    start = t - pd.Timedelta(days=window_days)
    ops = operating_flows(lines, start, t)
    ops = ops.assign(rep=ops["amount"] * ops["currency"].map(fx).fillna(1.0))
    fac = facilities.assign(rep=facilities["drawn"] * facilities["currency"].map(fx).fillna(1.0))
    rows = []
    for k in report_sets:
        mine = ops if k.scope == "group" else ops.loc[ops["entity_id"] == k.scope]
        mine_fac = fac if k.scope == "group" else fac.loc[fac["entity_id"] == k.scope]
        extra = derived_ratios(
            k,
            window_days=window_days,
            drawn=float(mine_fac["rep"].sum()) if not fac.empty else None,
            outflow=float(-mine.loc[mine["rep"] < 0, "rep"].sum()) if not ops.empty else None,
            net_flow=float(mine["rep"].sum()) if not ops.empty else None,
            minimum=floors.get(k.scope),
        )
        base = {key: v for key, v in k.model_dump().items() if key not in _SKIP}
        rows.append(
            {
                "date": t.date(),
                "scope": k.scope,
                **base,
                "ar_over_90": k.ar_ageing.get("over_90", 0.0),
                **extra,
            }
        )
    return rows


def kpi_series(
    tables: dict[str, pd.DataFrame],
    policy: Policy,
    *,
    start: date,
    end: date,
    freq: str = "ME",
    window_days: int = 90,
) -> KpiSeries:
    """DSO (standard and countback), DPO, DIO, CCC, ageing, overdue share, bad-debt rate,
    working capital / revenue, current and quick ratio, days cash on hand, cash runway and
    credit headroom, per entity and for the group, on each ``freq`` date in
    ``start..end`` (pandas offset alias: ``ME`` month-ends, ``W-FRI`` Fridays, ``QE``).

    Raises:
        ConfigError: no date of ``freq`` falls in ``start..end``.
        DataError: an amount's currency has no FX rate.
    """
    dates = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq=freq)
    if dates.empty:
        raise ConfigError(f"no {freq!r} date between {start} and {end}; widen the range")
    accounts = tables.get("bank_accounts", pd.DataFrame(columns=["account_id", "entity_id"]))
    bank = tables.get("bank_transactions", pd.DataFrame())
    lines = (
        bank.merge(accounts[["account_id", "entity_id"]], on="account_id", how="left")
        if not bank.empty
        else pd.DataFrame(columns=["booking_date", "amount", "currency", "entity_id"])
    )
    facilities = tables.get("credit_facilities", pd.DataFrame())
    rows: list[dict[str, Any]] = []
    for t in dates:
        fac_t = drawn_at(facilities, bank, accounts, t) if not facilities.empty else facilities
        view = {**tables, "inventory_items": inventory_at(tables, t), "credit_facilities": fac_t}
        report = working_capital_kpis(
            view,
            as_of=t.date(),
            reporting_currency=policy.reporting_currency,
            window_days=window_days,
        )
        rows += _scope_rows(
            [*report.entities, report.group],
            t,
            lines=lines,
            facilities=fac_t
            if not fac_t.empty
            else pd.DataFrame(columns=["drawn", "currency", "entity_id"]),
            fx=report.fx_rates,
            floors=_floors(policy, tables, report.fx_rates),
            window_days=window_days,
        )
    return KpiSeries(
        start=start,
        end=end,
        freq=freq,
        window_days=window_days,
        reporting_currency=policy.reporting_currency,
        dates=tuple(d.date() for d in dates),
        rows=tuple(rows),
        provenance={
            "inputs": {name: len(frame) for name, frame in sorted(tables.items())},
            "definitions": "tools.kpi.ratios (ratios), tools.kpi.working_capital (KPIs)",
            "fx": "latest fixing on or before each date",
        },
    )
