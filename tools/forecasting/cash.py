"""The direct-method cash forecast: every position's daily flows by category, with uncertainty.

How the parts are forecast:

- **customer receipts** bottom-up: each open invoice is paid on a date drawn from the
  per-invoice payment-date model fitted on the customers' behaviour (``receivables_model``);
  invoices not yet issued come from the forecast of daily invoicing, paid after the delays
  recent invoices took;
- **supplier payments**: open bills are scheduled on their due dates (``scheduled``: the
  payment optimizer may move them); bills not yet received come from the forecast of daily
  billing, paid after the delays recent bills took;
- **payroll, tax, fees, intercompany, financing** that recur by the calendar are projected
  onto their next dates (known flows, not guessed);
- everything else (``other``) is forecast statistically.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from tools.domain.policy import Policy
from tools.errors import DataError, Problem
from tools.forecasting.calibration import CATEGORY as FORECAST_ERROR
from tools.forecasting.cash_series import statistical_paths
from tools.forecasting.categorize import INTERNAL, categorize
from tools.forecasting.outlook import (
    SCHEDULED_COLUMNS,
    CashOutlook,
    Position,
    flow_summary,
    position_key,
    scheduled_on_days,
)
from tools.forecasting.positions import account_keys, cash_positions
from tools.forecasting.receivables import delay_pmf
from tools.forecasting.receivables_book import receipts_by_invoice
from tools.forecasting.receivables_model import OpenInvoiceMethod, open_invoice_receipts
from tools.forecasting.recurring import project_recurring
from tools.forecasting.series import daily_panel

__all__ = ["TREASURY_PRINCIPAL", "CashForecast", "build_outlook", "treasury_principal"]

Quality = Literal["standard", "fast", "engine"]
_HISTORY_DAYS = 364
_SWEEP = r"(?i)\b(?:sweep|cash concentration|cash pool(?:ing)?|zero.?balanc\w*)\b"
TREASURY_PRINCIPAL = (
    r"(?i)\b(?:draw\s?down|drawing|repayment|redemption|placement|matur\w*|tilgung|"
    r"r(?:ü|ue)ckzahlung|festgeldanlage)\b"
)


def treasury_principal(lines: pd.DataFrame, pattern: str = TREASURY_PRINCIPAL) -> pd.Series:
    """Which categorised bank lines move financing or investment principal (drawings,
    repayments, placements, maturities): the treasurer's decisions, which the outlook leaves
    out."""
    text = lines.get("description", pd.Series("", index=lines.index)).fillna("").astype(str)
    return lines["category"].isin(("financing", "investment")) & text.str.contains(
        pattern, regex=True
    )


@dataclass(frozen=True)
class CashForecast:
    """A cash forecast run: the outlook plus the parts that explain it."""

    outlook: CashOutlook
    receivables: pd.DataFrame  # per open invoice: expected date, probability in horizon
    receivables_daily: pd.DataFrame  # invoice_id, ds, expected: each open invoice's expected
    # receipt per day
    recurring: pd.DataFrame  # projected calendar flows
    categorized: pd.DataFrame  # history lines with their category and the rule that fired
    components: pd.DataFrame = field(default_factory=pd.DataFrame)  # key, category, component,
    # ds, mean: where each expected flow comes from (recurring, open_items, new_documents,
    # statistical); scheduled bills are in ``outlook.scheduled``
    provenance: Mapping[str, Any] = field(default_factory=dict)

    def noted(self, **provenance: Any) -> CashForecast:
        """A copy whose outlook and provenance carry ``provenance`` as well."""
        outlook = self.outlook.with_paths(self.outlook.paths, provenance=provenance)
        return dataclasses.replace(self, outlook=outlook, provenance=outlook.provenance)

    def weekly(self) -> pd.DataFrame:
        """Expected flows and closing balance per position and week, with 80/95 % bands."""
        rows = []
        o = self.outlook
        weeks = (np.arange(o.horizon_days) // 7) + 1
        for pos in o.positions:
            balances = o.balance_paths(pos.key)
            bills = o.scheduled_flows(pos.key)
            flows = o.flow_paths(pos.key) + bills
            for week in np.unique(weeks):
                cols = weeks == week
                end_balance = balances[:, np.nonzero(cols)[0][-1]]
                by_cat = {
                    c: float(o.paths[(pos.key, c)][:, cols].sum(axis=1).mean())
                    for c in o.categories(pos.key)
                    if c != FORECAST_ERROR
                }
                by_cat["supplier_payment"] = by_cat.get("supplier_payment", 0.0) + float(
                    bills[cols].sum()
                )
                rows.append(
                    {
                        "key": pos.key,
                        "week": int(week),
                        "week_ending": o.dates[np.nonzero(cols)[0][-1]].date(),
                        "net_flow": float(flows[:, cols].sum(axis=1).mean()),
                        **{f"flow_{c}": v for c, v in sorted(by_cat.items())},
                        "closing_mean": float(end_balance.mean()),
                        "closing_lo_95": float(np.quantile(end_balance, 0.025)),
                        "closing_lo_80": float(np.quantile(end_balance, 0.10)),
                        "closing_hi_80": float(np.quantile(end_balance, 0.90)),
                        "closing_hi_95": float(np.quantile(end_balance, 0.975)),
                        "minimum": pos.minimum,
                    }
                )
        return pd.DataFrame(rows)


def build_outlook(
    tables: Mapping[str, pd.DataFrame],
    policy: Policy,
    *,
    as_of: date | None = None,
    horizon_days: int = 91,
    n_paths: int = 500,
    seed: int = 0,
    quality: Quality = "standard",
    time_budget: float = 20.0,
    open_invoices: OpenInvoiceMethod = "payment_model",
) -> CashForecast:
    """Forecast every cash position's daily flows from the ledger known at ``as_of``.

    Args:
        tables: canonical tables (``tables_as_of`` gives a past view).
        policy: floors and reporting currency.
        as_of: forecast origin; default the last bank booking date.
        horizon_days: calendar days ahead (91 = 13 weeks).
        n_paths: Monte Carlo sample paths.
        seed: makes the paths reproducible.
        quality: ``standard`` and ``fast`` resample the recent weeks of the statistical
            series (invoicing and billing still to come, unexplained flows); ``engine``
            re-centres them on the backtested forecasting engine's point forecast (slower,
            and not more accurate on ``evals.cash_forecast`` so far).
        time_budget: seconds the engine aims at (``engine`` only).
        open_invoices: what times the receipts from open invoices: ``payment_model``
            (default: the per-invoice model fitted on the invoices settled by ``as_of``,
            about a second more; the empirical method when it cannot be trusted, the reason
            in ``provenance["receivables"]``) or ``empirical`` (each customer's own delays).

    Raises:
        DataError: no bank data, or too little history to forecast.
    """
    bank = tables.get("bank_transactions")
    if bank is None or bank.empty:
        raise DataError(
            [
                Problem(
                    file="bank_transactions",
                    message="no bank transactions: the cash forecast starts from bank history",
                    expected="import bank statements (camt.053, MT940, BAI2 or CSV)",
                )
            ]
        )
    bank = bank.assign(booking_date=pd.to_datetime(bank["booking_date"]))
    origin = pd.Timestamp(as_of) if as_of is not None else bank["booking_date"].max()
    t = origin.normalize()
    dates = pd.date_range(t + pd.Timedelta(days=1), periods=horizon_days, freq="D")
    positions = cash_positions(tables, policy, as_of=t.date())
    account_key = account_keys(tables["bank_accounts"])

    lines = categorize(bank.loc[bank["booking_date"] <= t], tables)
    lines["key"] = lines["account_id"].map(account_key)
    lines = lines.loc[lines["key"].notna() & (lines["category"] != INTERNAL)]
    history_start = t - pd.Timedelta(days=_HISTORY_DAYS - 1)
    if lines["booking_date"].min() > t - pd.Timedelta(days=56):
        raise DataError(
            [
                Problem(
                    file="bank_transactions",
                    column="booking_date",
                    value=str(lines["booking_date"].min().date()),
                    message="less than 8 weeks of bank history before the forecast date",
                    expected="at least 8 weeks of statements (a year or more is better)",
                )
            ]
        )

    paths: dict[tuple[str, str], np.ndarray] = {}
    parts: list[dict[str, Any]] = []
    keys = [p.key for p in positions]

    # Drawings, repayments, placements and maturities are the treasurer's decisions, not
    # flows to extrapolate: the outlook is the balance before new treasury actions.
    treasury = treasury_principal(lines)
    recurring, explained = project_recurring(
        lines.loc[~treasury], as_of=t.date(), horizon_days=horizon_days
    )
    for (key, category), group in recurring.groupby(["key", "category"]):
        daily = np.zeros(horizon_days)
        offset = (group["ds"] - dates[0]).dt.days.to_numpy()
        np.add.at(daily, offset, group["amount"].to_numpy(float))
        _add(paths, (str(key), str(category)), np.tile(daily, (n_paths, 1)), parts, "recurring")

    invoices = _with_key(tables.get("ar_invoices"), account_key, tables, positions)
    bills = _with_key(tables.get("ap_bills"), account_key, tables, positions)
    receivables = pd.DataFrame()
    receivables_daily = pd.DataFrame(columns=["invoice_id", "ds", "expected"])
    receipts = receipts_by_invoice(tables.get("ar_receipts"), t.date())
    opened: dict[str, Any] = {"open_invoices": None}
    if invoices is not None and not invoices.empty:
        got = open_invoice_receipts(
            invoices,
            as_of=t.date(),
            dates=dates,
            n_paths=n_paths,
            seed=seed,
            method=open_invoices,
            receipts=tables.get("ar_receipts"),
            customers=tables.get("customers"),
        )
        receivables, receivables_daily, opened = got.per_invoice, got.daily, got.provenance
        for key, arr in got.paths.items():
            _add(paths, (key, "customer_receipt"), arr, parts, "open_items")
    scheduled = _scheduled(bills, tables.get("suppliers"), t)

    modelled = lines["category"].isin(("customer_receipt", "supplier_payment")) & lines["key"].isin(
        {_doc_key for docs in (invoices, bills) if docs is not None for _doc_key in docs["key"]}
    )
    sweeps = lines["description"].fillna("").str.contains(_SWEEP, regex=True)
    rest = lines.loc[~modelled & ~lines.index.isin(explained) & ~sweeps & ~treasury]
    panels = {
        "other": daily_panel(
            rest.assign(uid=rest["key"]),
            id_col="uid",
            date_col="booking_date",
            value_col="amount",
            start=history_start.date(),
            end=t.date(),
        ),
        "invoicing": _issuance_panel(invoices, t),
        "billing": _issuance_panel(bills, t),
    }
    statistical, method = statistical_paths(
        panels,
        h=horizon_days,
        n_paths=n_paths,
        seed=seed + 1,
        quality=quality,
        time_budget=time_budget,
        non_negative=frozenset({"invoicing", "billing"}),
    )
    for docs, name, category, sign, settled, cash in (
        (invoices, "invoicing", "customer_receipt", 1.0, "settled_date", receipts),
        (bills, "billing", "supplier_payment", -1.0, "paid_date", None),
    ):
        if docs is None:
            continue
        issued = _settle(docs, statistical[name], settled=settled, t=t, dates=dates, payments=cash)
        for key, arr in issued.items():
            _add(paths, (key, category), sign * arr, parts, "new_documents")
    for key, arr in statistical["other"].items():
        _add(paths, (key, "other"), arr, parts, "statistical")
    for key in keys:
        if not any(k == key for k, _ in paths):
            paths[(key, "other")] = np.zeros((n_paths, horizon_days))

    swept = _apply_sweeps(paths, parts, positions, lines.loc[sweeps], tables, scheduled, dates, t)

    outlook = CashOutlook(
        as_of=t.date(),
        reporting_currency=policy.reporting_currency,
        dates=dates,
        positions=positions,
        paths=paths,
        scheduled=scheduled,
        flows=flow_summary(paths, dates),
        drivers=_drivers(receivables, recurring, scheduled),
        provenance={
            "as_of": t.date().isoformat(),
            "history": [history_start.date().isoformat(), t.date().isoformat()],
            "horizon_days": horizon_days,
            "n_paths": n_paths,
            "seed": seed,
            "quality": quality,
            "statistical": method,
            "bank_lines": len(lines),
            "open_invoices": len(receivables),
            "receivables": opened,
            "scheduled_bills": len(scheduled),
            "recurring_flows": len(recurring),
            "swept_positions": swept,
        },
    )
    return CashForecast(
        outlook=outlook,
        receivables=receivables,
        receivables_daily=receivables_daily,
        recurring=recurring,
        categorized=lines,
        components=_components(parts, dates),
        provenance=outlook.provenance,
    )


def _components(parts: list[dict[str, Any]], dates: pd.DatetimeIndex) -> pd.DataFrame:
    frames = [
        pd.DataFrame(
            {
                "key": p["key"],
                "category": p["category"],
                "component": p["component"],
                "ds": dates,
                "mean": p["mean"],
            }
        )
        for p in parts
    ]
    if not frames:
        return pd.DataFrame(columns=["key", "category", "component", "ds", "mean"])
    out = pd.concat(frames, ignore_index=True)
    return out.groupby(["key", "category", "component", "ds"], as_index=False).agg(
        mean=("mean", "sum")
    )


def _apply_sweeps(
    paths: dict[tuple[str, str], np.ndarray],
    parts: list[dict[str, Any]],
    positions: tuple[Position, ...],
    sweeps: pd.DataFrame,
    tables: Mapping[str, pd.DataFrame],
    scheduled: pd.DataFrame,
    dates: pd.DatetimeIndex,
    t: pd.Timestamp,
) -> list[str]:
    """Replay standing sweeps on every path: on the weekdays a position was swept, what is
    above the balance it was usually left with moves to the sister position it went to.
    Returns the swept positions.

    A sweep is a rule, not a random flow: forecasting its amounts statistically would drift
    away from the receipts it sweeps.
    """
    swept: list[str] = []
    if sweeps.empty:
        return swept
    by_key = {p.key: p for p in positions}
    totals = sweeps.groupby("key")["amount"].sum()
    for source, total in totals.items():
        src = by_key.get(str(source))
        if src is None or total >= 0:
            continue
        sisters = [
            k
            for k, v in totals.items()
            if v > 0 and k in by_key and by_key[str(k)].entity_id == src.entity_id
        ]
        if not sisters:
            continue
        sister = by_key[str(sisters[0])]
        mine = sweeps.loc[sweeps["key"] == source]
        weekdays = set(mine["booking_date"].dt.weekday)
        target = _left_after_sweeps(src, mine, tables, default=src.opening)
        flows = sum(arr for (k, _), arr in paths.items() if k == src.key)
        flows = np.asarray(flows) + scheduled_on_days(scheduled, src.key, dates)
        balance = np.full(flows.shape[0], src.opening)
        moved = np.zeros_like(flows)
        for day in range(len(dates)):
            balance = balance + flows[:, day]
            if dates[day].weekday() in weekdays:
                excess = np.maximum(balance - target, 0.0)
                moved[:, day] = excess
                balance = balance - excess
        rate = src.fx_to_reporting / sister.fx_to_reporting
        _add(paths, (src.key, "other"), -moved, parts, "sweep")
        _add(paths, (sister.key, "other"), moved * rate, parts, "sweep")
        swept.append(src.key)
    return swept


def _left_after_sweeps(
    position: Position, sweeps: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, default: float
) -> float:
    """The median closing balance of the position on its last sweep days."""
    balances = tables.get("bank_balances")
    if balances is None or balances.empty:
        return default
    closing = balances.loc[
        (balances["balance_type"] == "closing") & balances["account_id"].isin(position.accounts)
    ]
    per_day = closing.groupby(pd.to_datetime(closing["date"]))["amount"].sum()
    days = pd.DatetimeIndex(sweeps["booking_date"].drop_duplicates()).sort_values()[-8:]
    values = per_day.reindex(days).dropna()
    return float(values.median()) if len(values) else default


def _add(
    paths: dict[tuple[str, str], np.ndarray],
    key: tuple[str, str],
    arr: np.ndarray,
    parts: list[dict[str, Any]],
    component: str,
) -> None:
    paths[key] = paths[key] + arr if key in paths else arr
    parts.append({"key": key[0], "category": key[1], "component": component, "mean": arr.mean(0)})


def _with_key(
    docs: pd.DataFrame | None,
    account_key: Mapping[str, str],
    tables: Mapping[str, pd.DataFrame],
    positions: tuple[Position, ...],
) -> pd.DataFrame | None:
    """Documents with the position their cash will move: their entity and currency.

    A document in a currency the entity holds no account in lands in the entity's
    base-currency position (the bank converts it).
    """
    if docs is None or docs.empty:
        return None
    known = {p.key for p in positions}
    frame = docs.copy()
    for col in ("issue_date", "due_date", "settled_date", "paid_date"):
        if col in frame:
            frame[col] = pd.to_datetime(frame[col])
    key = frame["entity_id"].astype(str) + "/" + frame["currency"].astype(str)
    entities = tables.get("entities")
    if entities is not None and not entities.empty:
        base = dict(zip(entities["entity_id"], entities["base_currency"], strict=True))
        fallback = frame["entity_id"].map(lambda e: position_key(e, base.get(e, "")))
        key = key.where(key.isin(known), fallback)
    frame["key"] = key
    return frame.loc[frame["key"].isin(known)]


def _issuance_panel(docs: pd.DataFrame | None, t: pd.Timestamp) -> pd.DataFrame:
    """Daily amounts invoiced (or billed) per position over the last year."""
    if docs is None or docs.empty:
        return pd.DataFrame(columns=["unique_id", "ds", "y"])
    issued = docs.loc[docs["doc_type"].isin(("invoice", "bill")) & (docs["issue_date"] <= t)]
    return daily_panel(
        issued,
        id_col="key",
        date_col="issue_date",
        value_col="amount",
        start=(t - pd.Timedelta(days=_HISTORY_DAYS - 1)).date(),
        end=t.date(),
    )


def _settle(
    docs: pd.DataFrame,
    issue_paths: Mapping[str, np.ndarray],
    *,
    settled: str,
    t: pd.Timestamp,
    dates: pd.DatetimeIndex,
    payments: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Cash from documents issued after ``t``: forecast issuance convolved with delays."""
    h = len(dates)
    out = {}
    for key, arr in issue_paths.items():
        pmf = delay_pmf(
            docs.loc[docs["key"] == key],
            settled=settled,
            as_of=t.date(),
            max_days=h - 1,
            payments=payments,
        )
        # toeplitz[s, d]: share of what is issued on day s that is paid on day d
        lag = np.arange(h)[None, :] - np.arange(h)[:, None]
        toeplitz = np.where(lag >= 0, pmf[np.clip(lag, 0, h - 1)], 0.0)
        out[key] = arr @ toeplitz
    return out


def _scheduled(
    bills: pd.DataFrame | None, suppliers: pd.DataFrame | None, t: pd.Timestamp
) -> pd.DataFrame:
    if bills is None or bills.empty:
        return pd.DataFrame(columns=list(SCHEDULED_COLUMNS))
    open_ = bills.loc[(bills["open_amount"] > 0) & (bills["doc_type"] == "bill")].copy()
    critical: Mapping[str, bool] = {}
    if suppliers is not None and not suppliers.empty:
        critical = dict(
            zip(suppliers["supplier_id"], suppliers["critical"].fillna(False), strict=True)
        )
    pct = open_.get("discount_pct", pd.Series(0.0, index=open_.index)).fillna(0.0)
    days = open_.get("discount_days", pd.Series(0, index=open_.index)).fillna(0)
    discount_date = open_["issue_date"] + pd.to_timedelta(days, unit="D")
    has_discount = (pct > 0) & (discount_date > t)
    return pd.DataFrame(
        {
            "key": open_["key"].to_numpy(),
            "item_id": open_["bill_id"].astype(str).to_numpy(),
            "counterparty_id": open_["supplier_id"].astype(str).to_numpy(),
            "category": "supplier_payment",
            "due_date": open_["due_date"].dt.date.to_numpy(),
            "amount": -open_["open_amount"].astype(float).to_numpy(),
            "discount_date": discount_date.dt.date.where(has_discount, None).to_numpy(),
            "discount_pct": pct.where(has_discount, 0.0).to_numpy(),
            "critical": open_["supplier_id"].map(critical).fillna(False).astype(bool).to_numpy(),
        }
    )


def _drivers(
    receivables: pd.DataFrame, recurring: pd.DataFrame, scheduled: pd.DataFrame
) -> tuple[dict[str, Any], ...]:
    out: list[dict[str, Any]] = []
    if not receivables.empty:
        top = receivables.nlargest(5, "expected_in_horizon")
        for r in top.to_dict("records"):
            out.append(
                {
                    "kind": "expected_customer_payment",
                    "key": r["key"],
                    "ref": r["invoice_id"],
                    "counterparty": r["customer_id"],
                    "amount": round(float(r["open_amount"]), 2),
                    "expected_date": None
                    if pd.isna(r["expected_date"])
                    else r["expected_date"].date(),
                    "probability": round(float(r["p_in_horizon"]), 3),
                }
            )
    if not recurring.empty:
        largest = recurring.sort_values("amount").drop_duplicates(["key", "counterparty"])
        for r in largest.head(5).to_dict("records"):
            out.append(
                {
                    "kind": "known_flow",
                    "key": r["key"],
                    "category": r["category"],
                    "counterparty": r["counterparty"],
                    "amount": float(r["amount"]),
                    "date": r["ds"].date(),
                    "basis": r["basis"],
                }
            )
    if not scheduled.empty:
        for r in scheduled.nsmallest(5, "amount").to_dict("records"):
            out.append(
                {
                    "kind": "scheduled_bill",
                    "key": r["key"],
                    "ref": r["item_id"],
                    "counterparty": r["counterparty_id"],
                    "amount": float(r["amount"]),
                    "date": r["due_date"],
                }
            )
    return tuple(out)
