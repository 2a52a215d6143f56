"""Apply a scenario to a cash outlook: a new outlook with shocked paths, bills or positions.

Customer-level scenarios (a customer paying late, shorter terms) need to know what each
customer is expected to pay and when: ``expected_receipts`` has one row per expected
receipt with ``customer_id``, ``key`` (cash position), ``ds`` (date) and ``amount``.
``expected_receipts_from`` builds it from the forecast's per-invoice table. The shift is
applied to every sample path alike, so it moves the expected amount, not its spread.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pandas as pd

from tools.errors import ConfigError
from tools.forecasting.outlook import CashOutlook, flow_summary
from tools.risk.deterioration import forecast_receipts
from tools.scenarios.spec import (
    CreditCut,
    FlowShock,
    FxShock,
    LatePayment,
    Prepayment,
    RevenueShock,
    Scenario,
    ScenarioSpec,
    TermsChange,
)

__all__ = ["apply_scenario", "apply_spec", "expected_receipts_from"]

Paths = dict[tuple[str, str], np.ndarray]


def expected_receipts_from(receivables: pd.DataFrame) -> pd.DataFrame:
    """``expected_receipts`` from ``CashForecast.receivables``: what the forecast expects from
    each open invoice within its horizon (``expected_in_horizon``: the open amount times the
    chance it is paid in time, by a customer that may have gone silent), on the invoice's
    expected payment date. A customer scenario then moves what the forecast holds, not the
    full open amount of invoices it already discounts."""
    return forecast_receipts(receivables)


def _keys(o: CashOutlook, entity: str | None = None, currency: str | None = None) -> list[str]:
    return [
        p.key
        for p in o.positions
        if (entity is None or p.entity_id == entity)
        and (currency is None or p.currency == currency)
    ]


def _window(n: int, start: int, days: int | None) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[start : n if days is None else start + days] = True
    return mask


def _flow_shock(o: CashOutlook, paths: Paths, s: FlowShock) -> None:
    factor = np.where(_window(o.horizon_days, s.start_day, s.days), 1 + s.pct / 100, 1.0)
    for key in _keys(o, s.entity, s.currency):
        if (key, s.category) in paths:
            paths[(key, s.category)] = paths[(key, s.category)] * factor


def _revenue(o: CashOutlook, paths: Paths, s: RevenueShock) -> None:
    n = o.horizon_days
    sales = np.where(_window(n, s.start_day, s.days), 1 + s.pct / 100, 1.0)
    # receipts on day i come evenly from sales of days i-lag+1..i (before day 0: unchanged)
    padded = np.concatenate([np.ones(s.lag_days - 1), sales])
    lagged = np.convolve(padded, np.ones(s.lag_days), mode="valid") / s.lag_days
    cost = 1 + (lagged - 1) * s.cost_share
    for key in _keys(o, s.entity):
        if (key, "customer_receipt") in paths:
            paths[(key, "customer_receipt")] = paths[(key, "customer_receipt")] * lagged
        if s.cost_share and (key, "supplier_payment") in paths:
            paths[(key, "supplier_payment")] = paths[(key, "supplier_payment")] * cost


def _customer_rows(
    receipts: pd.DataFrame | None, customer_id: str
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The customer's expected receipts, and all customers' totals per position."""
    if receipts is None:
        raise ConfigError(
            f"a scenario about customer {customer_id} needs expected receipts per customer; "
            "pass expected_receipts=expected_receipts_from(forecast.receivables)"
        )
    rows = receipts.loc[receipts["customer_id"].astype(str) == customer_id]
    if rows.empty:
        raise ConfigError(
            f"customer {customer_id} has no expected receipts in the horizon; check the id "
            "(e.g. C10058) or choose a customer with open invoices"
        )
    totals = receipts.groupby("key")["amount"].sum()
    return rows, {str(k): float(v) for k, v in totals.items()}


def _offsets(o: CashOutlook, ds: pd.Series) -> np.ndarray:
    return (pd.to_datetime(ds) - o.dates[0]).dt.days.clip(lower=0).to_numpy()


def _daily(o: CashOutlook, offsets: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    out = np.zeros(o.horizon_days)
    inside = offsets < o.horizon_days
    np.add.at(out, offsets[inside].astype(int), amounts[inside])
    return out


def _late(o: CashOutlook, paths: Paths, s: LatePayment, receipts: pd.DataFrame | None) -> None:
    rows, _ = _customer_rows(receipts, s.customer_id)
    for key, mine in rows.groupby("key"):
        off = _offsets(o, mine["ds"])
        amount = mine["amount"].to_numpy(float)
        change = _daily(o, off + s.days, amount) - _daily(o, off, amount)
        if (str(key), "customer_receipt") in paths:
            paths[(str(key), "customer_receipt")] = paths[(str(key), "customer_receipt")] + change


def _terms(o: CashOutlook, paths: Paths, s: TermsChange, receipts: pd.DataFrame | None) -> None:
    rows, totals = _customer_rows(receipts, s.customer_id)
    lost = min(s.elasticity * s.days, 0.9)
    n = o.horizon_days
    for key, mine in rows.groupby("key"):
        arr = paths.get((str(key), "customer_receipt"))
        if arr is None:
            continue
        total = totals.get(str(key), 0.0)
        share = float(mine["amount"].sum() / total) if total > 0 else 0.0
        own = arr * share  # the customer's part of the position's receipts
        later = np.minimum(np.arange(n) + s.days, n - 1)
        old_terms = np.arange(n) < s.current_days
        new_terms = np.arange(n) >= s.current_days - s.days
        changed = own * old_terms + (1 - lost) * own[:, later] * new_terms
        paths[(str(key), "customer_receipt")] = arr - own + changed


def _prepay(o: CashOutlook, s: Prepayment) -> pd.DataFrame:
    bills = o.scheduled.copy()
    mine = bills["counterparty_id"].astype(str) == s.supplier_id
    if not mine.any():
        raise ConfigError(
            f"supplier {s.supplier_id} has no open bills in the outlook; check the id "
            "(e.g. S20004) or choose a supplier with open bills"
        )
    due = pd.to_datetime(bills.loc[mine, "due_date"])
    first = o.dates[0]
    earlier = due - timedelta(days=s.days or 0)
    moved = earlier.where((earlier > first) & (s.days is not None), first)
    bills.loc[mine, "due_date"] = moved.dt.date
    return bills


def _apply(
    outlook: CashOutlook, spec: ScenarioSpec, expected_receipts: pd.DataFrame | None
) -> CashOutlook:
    paths: Paths = dict(outlook.paths)
    positions = outlook.positions
    scheduled = outlook.scheduled
    if isinstance(spec, FlowShock):
        _flow_shock(outlook, paths, spec)
    elif isinstance(spec, RevenueShock):
        _revenue(outlook, paths, spec)
    elif isinstance(spec, LatePayment):
        _late(outlook, paths, spec, expected_receipts)
    elif isinstance(spec, TermsChange):
        _terms(outlook, paths, spec, expected_receipts)
    elif isinstance(spec, Prepayment):
        scheduled = _prepay(outlook, spec)
    elif isinstance(spec, FxShock):
        hit = {spec.currency} if spec.currency else {p.currency for p in positions}
        hit.discard(outlook.reporting_currency)
        positions = tuple(
            dataclasses.replace(p, fx_to_reporting=p.fx_to_reporting * (1 + spec.pct / 100))
            if p.currency in hit
            else p
            for p in positions
        )
    elif isinstance(spec, CreditCut):
        positions = tuple(
            dataclasses.replace(p, credit_limit=p.credit_limit * (1 - spec.pct / 100))
            if spec.entity is None or p.entity_id == spec.entity
            else p
            for p in positions
        )
    applied = [*outlook.provenance.get("scenario", []), spec.model_dump(mode="json")]
    return outlook.with_paths(
        paths, positions=positions, scheduled=scheduled, provenance={"scenario": applied}
    )


def apply_spec(
    outlook: CashOutlook, spec: ScenarioSpec, *, expected_receipts: pd.DataFrame | None = None
) -> CashOutlook:
    """One scenario part applied to the outlook; the outlook itself is left unchanged."""
    return apply_scenario(outlook, spec, expected_receipts=expected_receipts)


def apply_scenario(
    outlook: CashOutlook,
    scenario: Scenario | ScenarioSpec,
    *,
    expected_receipts: pd.DataFrame | None = None,
) -> CashOutlook:
    """The outlook under a scenario (all its parts, in order).

    Raises:
        ConfigError: a customer or supplier scenario names someone the outlook does not
            know, or customer scenarios lack ``expected_receipts``.
    """
    parts = scenario.parts if isinstance(scenario, Scenario) else (scenario,)
    out = outlook
    for part in parts:
        out = _apply(out, part, expected_receipts)
    name = scenario.name if isinstance(scenario, Scenario) else scenario.kind
    changed = any(out.paths[k] is not outlook.paths[k] for k in out.paths)
    return out.with_paths(
        out.paths,
        flows=flow_summary(dict(out.paths), out.dates) if changed else outlook.flows,
        provenance={"scenario_name": name},
    )
