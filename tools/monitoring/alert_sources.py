"""Monitoring alerts from the checks that already exist: early warnings, bank-flow
anomalies and the workspace's data-quality issues, each with the key that dedupes it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from tools.monitoring.alerts_store import MonitorAlert
from tools.risk.alerts import Alert
from tools.risk.anomalies import Anomaly
from tools.workspace.completeness import Completeness
from tools.workspace.status import Issue

__all__ = ["from_anomalies", "from_completeness", "from_early_warnings", "from_issues"]

_DIGITS = re.compile(r"[\d.,]+")


def from_early_warnings(alerts: Iterable[Alert]) -> list[MonitorAlert]:
    """Liquidity and counterparty early warnings: one condition per scope and severity
    (a breach date that moves by a day is the same condition, refreshed). The watch merges a
    scope's alerts and the leading cause may change from run to run (the forecast's own
    risk one day, a customer that stopped paying the next): the condition stays the same,
    and only ``source`` says which cause leads."""
    out = []
    for a in alerts:
        observed = a.data.get("evidence") == "counterparty" or "customers" in a.data
        kind = "counterparty" if observed else a.kind
        out.append(
            MonitorAlert(
                dedupe_key=f"{a.kind}:{a.scope}:{a.severity}",
                source=kind,
                severity=a.severity,
                scope=a.scope,
                title=a.title,
                cause=a.cause,
                metric="breach_probability" if a.probability is not None else None,
                value=a.probability,
                as_of=a.as_of,
                data={
                    "breach_date": a.breach_date.isoformat() if a.breach_date else None,
                    "lead_time_days": a.lead_time_days,
                    **{k: a.data[k] for k in ("status", "opened_by") if k in a.data},
                },
            )
        )
    return out


def from_anomalies(anomalies: Iterable[Anomaly], *, as_of: date | None) -> list[MonitorAlert]:
    """Bank-flow anomalies: one condition per finding (its kind and bank lines)."""
    return [
        MonitorAlert(
            dedupe_key=f"anomaly:{a.kind}:{','.join(sorted(a.txn_ids))}",
            source="anomaly",
            severity=a.severity,
            scope=a.account_id,
            title=f"{a.kind.replace('_', ' ')}: {a.counterparty or a.account_id} "
            f"{a.amount:,.2f} {a.currency} on {a.booking_date}",
            cause=a.reason,
            metric="score",
            value=a.score,
            as_of=as_of,
            data={"txn_ids": list(a.txn_ids), "booking_date": a.booking_date.isoformat()},
        )
        for a in anomalies
    ]


def from_issues(issues: Iterable[Issue], *, as_of: date | None) -> list[MonitorAlert]:
    """The workspace status's warnings and errors about its data (``info`` is left out).

    The key drops the figures of the message, so "ends 9 days before" and "ends 10 days
    before" are the same condition on the next day.
    """
    out = []
    for issue in issues:
        if issue.severity == "info":
            continue
        shape = _DIGITS.sub("#", issue.message)
        out.append(
            MonitorAlert(
                dedupe_key=f"data:{issue.table or 'workspace'}:{shape}",
                source="data",
                severity="warning" if issue.severity == "warning" else "critical",
                scope=issue.table or "workspace",
                title=f"data: {issue.message[:120]}",
                cause=issue.message,
                metric="count" if issue.count is not None else None,
                value=None if issue.count is None else float(issue.count),
                as_of=as_of,
            )
        )
    return out


def from_completeness(
    completeness: Completeness, *, stale_after: int = 2, min_coverage: float = 0.95
) -> list[MonitorAlert]:
    """Bank accounts whose statements stopped arriving or arrive with gaps."""
    out = []
    for acc in completeness.accounts:
        if acc.last is None:
            continue
        if acc.stale_days > stale_after:
            out.append(
                MonitorAlert(
                    dedupe_key=f"data:bank:{acc.account_id}:stale",
                    source="data",
                    severity="warning",
                    scope=acc.account_id,
                    title=f"no statement for {acc.account_id} since {acc.last}",
                    cause=f"account {acc.account_id}: last statement {acc.last}, "
                    f"{acc.stale_days} business days before {completeness.as_of}; the cash "
                    "position and forecast start from old balances until it arrives",
                    metric="stale_days",
                    value=float(acc.stale_days),
                    target=float(stale_after),
                    as_of=completeness.as_of,
                )
            )
        if acc.coverage < min_coverage:
            out.append(
                MonitorAlert(
                    dedupe_key=f"data:bank:{acc.account_id}:coverage",
                    source="data",
                    severity="info",
                    scope=acc.account_id,
                    title=f"statements missing for {acc.account_id}",
                    cause=f"account {acc.account_id}: statements on {acc.coverage:.0%} of "
                    f"business days since {acc.first} (below {min_coverage:.0%}); latest "
                    f"missing days: {', '.join(str(d) for d in acc.missing[-3:])}",
                    metric="coverage",
                    value=acc.coverage,
                    target=min_coverage,
                    as_of=completeness.as_of,
                )
            )
    return out
