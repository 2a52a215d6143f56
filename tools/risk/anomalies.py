"""Anomalies in bank flows: unusual amounts, large first payments, duplicates, and
payments to bank details that do not match the supplier.

Lines booked from ``since`` on are checked against the history before it:

- **unusual amount**: per counterparty, direction and category (when the lines have one),
  the robust z-score of ``log |amount|`` against the counterparty's history (median and
  MAD, the modified z-score of Iglewicz and Hoaglin: ``0.6745 (x - median) / MAD``); needs
  ``min_history`` earlier lines of the counterparty;
- **new counterparty**: an outgoing payment to a name never paid or received from before,
  at least the ``large_quantile`` of earlier outgoing amounts;
- **duplicate payment**: two outgoing lines with the same counterparty, amount and
  reference (blank counts as equal) booked within ``duplicate_days`` days;
- **bank details changed**: see ``tools.risk.bank_details``.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from tools.errors import DataError, Problem
from tools.reconcile.names import normalise_name
from tools.risk.bank_details import bank_detail_changes

__all__ = ["Anomaly", "AnomalyReport", "bank_anomalies"]

AnomalyKind = Literal["unusual_amount", "new_counterparty", "duplicate_payment", "bank_details"]
_SEVERITY: dict[str, Literal["info", "warning", "critical"]] = {
    "unusual_amount": "warning",
    "new_counterparty": "warning",
    "duplicate_payment": "critical",
    "bank_details": "critical",
}
_MAX_SCORE = 99.0


class Anomaly(BaseModel):
    """One suspicious bank line (or pair of lines)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AnomalyKind
    severity: Literal["info", "warning", "critical"]
    txn_ids: tuple[str, ...]
    account_id: str
    booking_date: date
    counterparty: str | None
    amount: float
    currency: str
    score: float = Field(description="Robust z-score, or 1 for rule-based findings")
    reason: str
    data: dict[str, Any] = Field(default_factory=dict)


class AnomalyReport(BaseModel):
    """Findings over ``since..until``, and what each check could examine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    since: date
    until: date
    anomalies: tuple[Anomaly, ...]
    checks: dict[str, dict[str, Any]]
    provenance: dict[str, Any]


def _finding(kind: AnomalyKind, line: pd.Series, score: float, reason: str, **kw: Any) -> Anomaly:
    return Anomaly(
        kind=kind,
        severity=kw.pop("severity", _SEVERITY[kind]),
        txn_ids=tuple(kw.pop("txn_ids", (str(line["txn_id"]),))),
        account_id=str(line["account_id"]),
        booking_date=pd.Timestamp(line["booking_date"]).date(),
        counterparty=None if pd.isna(line.get("counterparty")) else str(line["counterparty"]),
        amount=round(float(line["amount"]), 2),
        currency=str(line["currency"]),
        score=round(min(float(score), _MAX_SCORE), 2),
        reason=reason,
        data=kw.pop("data", {}),
    )


def _unusual(
    recent: pd.DataFrame, history: pd.DataFrame, z_max: float, min_n: int
) -> list[Anomaly]:
    out = []
    hist = history.assign(logx=np.log(history["amount"].abs().clip(lower=0.01)))
    stats = hist.groupby(["who", "sign", "kind"])["logx"].agg(["median", "count", list])
    for _, line in recent.iterrows():
        key = (line["who"], line["sign"], line["kind"])
        if key not in stats.index or stats.loc[key, "count"] < min_n:
            continue
        median = float(stats.loc[key, "median"])
        values = np.asarray(stats.loc[key, "list"])
        mad = float(np.median(np.abs(values - median)))
        spread = mad / 0.6745 if mad > 0 else 1.253314 * float(np.mean(np.abs(values - median)))
        x = float(np.log(max(abs(line["amount"]), 0.01)))
        if spread > 0:
            z = (x - median) / spread
        else:
            z = 0.0 if abs(x - median) < 0.01 else np.sign(x - median) * _MAX_SCORE
        if abs(z) > z_max:
            typical = float(np.exp(median))
            out.append(
                _finding(
                    "unusual_amount",
                    line,
                    abs(z),
                    f"{abs(line['amount']):,.2f} against a typical {typical:,.2f} for this "
                    f"counterparty (robust z {z:+.1f}, "
                    f"{int(stats.loc[key, 'count'])} earlier lines)",
                    severity="warning" if line["amount"] < 0 and z > 0 else "info",
                    data={"typical": round(typical, 2), "z": round(float(z), 2)},
                )
            )
    return out


def _new_large(recent: pd.DataFrame, history: pd.DataFrame, quantile: float) -> list[Anomaly]:
    outgoing = history.loc[history["amount"] < 0, "amount"].abs()
    if outgoing.empty:
        return []
    large = float(outgoing.quantile(quantile))
    known = set(history["who"])
    mask = (recent["amount"] < 0) & (recent["amount"].abs() >= large) & ~recent["who"].isin(known)
    return [
        _finding(
            "new_counterparty",
            line,
            1.0,
            f"first payment to this counterparty, {abs(line['amount']):,.2f} (at least the "
            f"{quantile:.0%} quantile of earlier payments, {large:,.2f})",
            data={"large_threshold": round(large, 2)},
        )
        for _, line in recent.loc[mask].iterrows()
    ]


def _duplicates(lines: pd.DataFrame, since: pd.Timestamp, days: int) -> list[Anomaly]:
    out = []
    outgoing = lines.loc[lines["amount"] < 0].assign(
        ref=lines["reference"].fillna("").astype(str).str.replace(r"\s", "", regex=True).str.upper()
        if "reference" in lines
        else ""
    )
    for _, group in outgoing.groupby(["who", "amount", "ref", "account_id"], sort=False):
        if len(group) < 2:
            continue
        group = group.sort_values("booking_date")
        gaps = group["booking_date"].diff().dt.days
        for i in np.flatnonzero(gaps.to_numpy() <= days):
            first, second = group.iloc[i - 1], group.iloc[i]
            if second["booking_date"] < since:
                continue
            out.append(
                _finding(
                    "duplicate_payment",
                    second,
                    1.0,
                    f"same counterparty, amount and reference as {first['txn_id']} booked "
                    f"{int(gaps.iloc[i])} days earlier",
                    txn_ids=(str(first["txn_id"]), str(second["txn_id"])),
                    severity="critical" if second["ref"] else "warning",
                    data={"reference": second["ref"] or None},
                )
            )
    return out


def bank_anomalies(
    tables: dict[str, pd.DataFrame],
    *,
    since: date | None = None,
    z_threshold: float = 3.5,
    min_history: int = 6,
    large_quantile: float = 0.95,
    duplicate_days: int = 5,
) -> AnomalyReport:
    """Check the bank lines booked from ``since`` (default: the last 30 days) for unusual
    amounts, large first payments, duplicates and changed supplier bank details.

    Raises:
        DataError: no bank transactions.
    """
    bank = tables.get("bank_transactions")
    if bank is None or bank.empty:
        raise DataError(
            [
                Problem(
                    file="bank_transactions",
                    message="no bank lines to check for anomalies",
                    expected="import bank statements first",
                )
            ]
        )
    lines = bank.assign(
        booking_date=pd.to_datetime(bank["booking_date"]),
        who=bank["counterparty"].fillna("").map(normalise_name),
        sign=np.sign(bank["amount"]),
        # a bank's fees and its FX sweeps are different flows: compare like with like
        kind=bank["category"].fillna("") if "category" in bank else "",
    )
    if "txn_id" not in lines or lines["txn_id"].isna().any():
        lines["txn_id"] = lines.get("txn_id", pd.Series(index=lines.index, dtype=object))
        lines["txn_id"] = lines["txn_id"].fillna(pd.Series(lines.index.astype(str), lines.index))
    until = lines["booking_date"].max()
    start = pd.Timestamp(since) if since is not None else until - pd.Timedelta(days=29)
    recent = lines.loc[lines["booking_date"] >= start]
    history = lines.loc[lines["booking_date"] < start]
    details, coverage = bank_detail_changes(recent, history, tables.get("suppliers"))
    found = [
        *_unusual(recent, history, z_threshold, min_history),
        *_new_large(recent, history, large_quantile),
        *_duplicates(lines, start, duplicate_days),
        *(
            _finding("bank_details", recent.loc[d["line"]], d["score"], d["reason"], data=d["data"])
            for d in details
        ),
    ]
    rank = {"critical": 0, "warning": 1, "info": 2}
    found.sort(key=lambda a: (rank[a.severity], a.booking_date, -a.score))
    return AnomalyReport(
        since=start.date(),
        until=until.date(),
        anomalies=tuple(found),
        checks={
            "unusual_amount": {
                "lines": len(recent),
                "z_threshold": z_threshold,
                "min_history": min_history,
            },
            "new_counterparty": {"large_quantile": large_quantile},
            "duplicate_payment": {"window_days": duplicate_days},
            "bank_details": coverage,
        },
        provenance={
            "bank_lines": len(lines),
            "history": [
                None if history.empty else history["booking_date"].min().date().isoformat(),
                start.date().isoformat(),
            ],
        },
    )
