"""What data a workspace holds: row counts, date ranges, gaps and quality issues."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict

from tools.domain.schemas import TABLES
from tools.errors import WcmError
from tools.workspace.completeness import bank_completeness
from tools.workspace.db import IMPORT_BATCHES
from tools.workspace.workspace import MARKET_TABLES, Workspace

__all__ = ["Issue", "TableStatus", "WorkspaceStatus", "workspace_status"]

_STALE_DAYS = 7
_GAP_BUSINESS_DAYS = 3


class Issue(BaseModel):
    model_config = ConfigDict(frozen=True)

    severity: Literal["info", "warning", "error"]
    table: str | None
    message: str
    count: int | None = None


class TableStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    table: str
    rows: int
    first: date | None = None
    last: date | None = None
    currencies: list[str] = []


class WorkspaceStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace: str
    name: str
    database: str
    reporting_currency: str
    as_of: date | None
    tables: list[TableStatus]
    issues: list[Issue]
    bank_coverage: float | None = None  # share of expected business days with statements
    imports: int
    last_import: str | None


def workspace_status(ws: Workspace) -> WorkspaceStatus:
    """Summarise the workspace's data and everything that looks wrong with it."""
    frames = ws.read_all()
    tables, issues = [], []
    for name, table in TABLES.items():
        frame = frames[name]
        col = table.date_column
        first = last = None
        if col and not frame.empty and frame[col].notna().any():
            first, last = frame[col].min().date(), frame[col].max().date()
        ccys = sorted(
            {
                str(c)
                for k in ("currency", "base_currency")
                if k in frame
                for c in frame[k].dropna().unique()
            }
        )
        tables.append(
            TableStatus(table=name, rows=len(frame), first=first, last=last, currencies=ccys)
        )
    lasts = [t.last for t in tables if t.last is not None and t.table not in MARKET_TABLES]
    as_of = max(lasts) if lasts else None
    issues += _coverage(tables, as_of)
    issues += _bank_checks(frames)
    completeness = bank_completeness(
        frames["bank_accounts"], frames["bank_balances"], frames["bank_transactions"], as_of=as_of
    )
    for account in completeness.accounts:
        if account.balance_breaks:
            issues.append(
                Issue(
                    severity="warning",
                    table="bank_balances",
                    count=len(account.balance_breaks),
                    message=f"account {account.account_id}: opening balance differs from the "
                    f"previous closing on {len(account.balance_breaks)} days (first "
                    f"{account.balance_breaks[0]}): a statement may be missing or duplicated",
                )
            )
    issues += _ledger_checks(frames, as_of)
    issues += _policy_checks(ws, frames)
    with ws.engine.connect() as conn:
        n_imports = conn.execute(
            sa.select(sa.func.count()).select_from(IMPORT_BATCHES)
        ).scalar_one()
        last = conn.execute(
            sa.select(IMPORT_BATCHES.c.created_at)
            .order_by(IMPORT_BATCHES.c.created_at.desc())
            .limit(1)
        ).scalar()
    return WorkspaceStatus(
        workspace=str(ws.root),
        name=ws.name,
        database=_redact(ws.database_url),
        reporting_currency=ws.reporting_currency,
        as_of=as_of,
        tables=tables,
        issues=issues,
        bank_coverage=completeness.coverage if completeness.accounts else None,
        imports=int(n_imports),
        last_import=None if last is None else last.isoformat(),
    )


def _redact(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _coverage(tables: list[TableStatus], as_of: date | None) -> list[Issue]:
    out = []
    by_name = {t.table: t for t in tables}
    for name, why in (
        ("ar_invoices", "receivables KPIs and payment predictions"),
        ("ap_bills", "payables KPIs and payment optimization"),
        ("bank_balances", "cash position, forecasts and liquidity risk"),
    ):
        if by_name[name].rows == 0:
            out.append(
                Issue(
                    severity="warning",
                    table=name,
                    message=f"no {name.replace('_', ' ')}: needed for {why}",
                )
            )
    for t in tables:
        if as_of and t.last and (as_of - t.last).days > _STALE_DAYS:
            out.append(
                Issue(
                    severity="warning",
                    table=t.table,
                    message=f"{t.table} end {t.last}, {(as_of - t.last).days} days "
                    f"before the latest data ({as_of}): a file may be missing",
                )
            )
    return out


def _business_gaps(dates: pd.Series) -> list[tuple[date, date, int]]:
    """Runs of business days with no data between the first and last date."""
    have = pd.DatetimeIndex(dates.dropna().unique()).sort_values()
    if len(have) < 2:
        return []
    days = pd.bdate_range(have[0], have[-1])
    missing = days[~days.isin(have)]
    if missing.empty:
        return []
    run_id = np.cumsum(np.r_[1, np.diff(missing.asi8) > 86_400_000_000_000 * 3])
    gaps = []
    for _, run in pd.Series(missing).groupby(run_id):
        if len(run) >= _GAP_BUSINESS_DAYS:
            gaps.append((run.iloc[0].date(), run.iloc[-1].date(), len(run)))
    return gaps


def _bank_checks(frames: dict[str, pd.DataFrame]) -> list[Issue]:
    out = []
    bal = frames["bank_balances"]
    closing = bal.loc[bal["balance_type"] == "closing"] if not bal.empty else bal
    for account, rows in closing.groupby("account_id") if not closing.empty else []:
        for start, end, n in _business_gaps(rows["date"]):
            out.append(
                Issue(
                    severity="warning",
                    table="bank_balances",
                    count=n,
                    message=f"account {account}: no closing balance for {n} business "
                    f"days from {start} to {end}",
                )
            )
    txns = frames["bank_transactions"]
    if not closing.empty and not txns.empty:
        out += _reconcile(closing, txns)
    return out


def _reconcile(closing: pd.DataFrame, txns: pd.DataFrame) -> list[Issue]:
    """Day-on-day balance movements that the booked lines do not explain."""
    out = []
    flows = txns.groupby(["account_id", "booking_date"])["amount"].sum()
    for account, group in closing.sort_values("date").groupby("account_id"):
        rows = group.set_index("date")["amount"]
        if len(rows) < 2:
            continue
        moved = rows.diff().iloc[1:]
        booked = flows.get(account, pd.Series(dtype=float))
        cum = booked.reindex(pd.date_range(rows.index[0], rows.index[-1]), fill_value=0.0)
        explained = cum.cumsum().reindex(rows.index).diff().iloc[1:]
        off = (moved - explained).abs() > 0.01
        if off.any():
            out.append(
                Issue(
                    severity="warning",
                    table="bank_balances",
                    count=int(off.sum()),
                    message=f"account {account}: on {int(off.sum())} days the balance "
                    f"moved by a different amount than the booked lines (first "
                    f"{off.idxmax().date()}): statement lines may be missing",
                )
            )
    return out


def _ledger_checks(frames: dict[str, pd.DataFrame], as_of: date | None) -> list[Issue]:
    out = []
    ar = frames["ar_invoices"]
    if not ar.empty and as_of is not None:
        old = ar.loc[
            (ar["open_amount"] > 0)
            & (ar["due_date"] < pd.Timestamp(as_of) - pd.Timedelta(days=365))
        ]
        if len(old):
            out.append(
                Issue(
                    severity="warning",
                    table="ar_invoices",
                    count=len(old),
                    message=f"{len(old)} invoices open more than a year past due: "
                    "collect, provide for or write off",
                )
            )
    for name in ("customers", "suppliers"):
        nameless = int(frames[name]["name"].isna().sum()) if not frames[name].empty else 0
        if nameless:
            out.append(
                Issue(
                    severity="info",
                    table=name,
                    count=nameless,
                    message=f"{nameless} {name} have no name (created from documents);"
                    f" import the {name} master to add names and terms",
                )
            )
    return out


def _policy_checks(ws: Workspace, frames: dict[str, pd.DataFrame]) -> list[Issue]:
    try:
        policy = ws.policy()
    except WcmError as exc:
        return [Issue(severity="error", table=None, message=f"policy: {exc}")]
    out = []
    entities = set(frames["entities"]["entity_id"]) if not frames["entities"].empty else set()
    accounts = (
        set(frames["bank_accounts"]["account_id"]) if not frames["bank_accounts"].empty else set()
    )
    for ent in set(policy.minimum_cash.entities) - entities:
        out.append(
            Issue(
                severity="warning",
                table="entities",
                message=f"policy minimum cash names unknown entity {ent}",
            )
        )
    for acc in set(policy.minimum_cash.accounts) - accounts:
        out.append(
            Issue(
                severity="warning",
                table="bank_accounts",
                message=f"policy minimum cash names unknown account {acc}",
            )
        )
    return out
