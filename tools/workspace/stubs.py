"""Referential integrity for an import batch, creating master records exports imply.

ERP open-item exports rarely come with the customer or supplier master. A reference to
an unknown customer, supplier or entity creates a minimal master record (reported to the
user) whose terms and currency are read off the documents; any other unknown reference
(a bank account, an invoice, an item) is a problem on the row that makes it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tools.domain.schemas import TABLES, Kind, Table
from tools.errors import Problem

__all__ = ["STUBBED", "stub_rows"]

STUBBED = ("customers", "suppliers", "entities")


def stub_rows(
    conn: Any,
    frames: dict[str, pd.DataFrame],
    problems: list[Problem],
    *,
    reporting_currency: str = "USD",
) -> dict[str, list[str]]:
    """Resolve references in ``frames`` (mutated): add stubs, drop and report the rest.

    Returns:
        Ids of the master records created, per table.
    """
    created: dict[str, list[str]] = {}
    for name in reversed(list(TABLES)):  # children before parents: stubs get checked too
        if name not in frames:
            continue
        table = TABLES[name]
        for column, parent_name in table.references.items():
            frame = frames[name]
            parent = TABLES[parent_name]
            known = (
                _stored_ids(conn, parent) | set(frames[parent_name][parent.key[0]].astype(str))
                if parent_name in frames
                else _stored_ids(conn, parent)
            )
            ids = frame[column].astype(str)
            missing = frame[column].notna().to_numpy() & ~ids.isin(known).to_numpy()
            if not missing.any():
                continue
            if parent_name in STUBBED:
                stubs = _make_stubs(parent, frame.loc[missing], column, reporting_currency)
                created.setdefault(parent_name, []).extend(stubs[parent.key[0]].tolist())
                frames[parent_name] = (
                    pd.concat([frames[parent_name], stubs], ignore_index=True)
                    if parent_name in frames
                    else stubs
                )
                continue
            for _, row in frame.loc[missing].iterrows():
                problems.append(
                    Problem(
                        file=str(row.get("__file", name)),
                        row=_row(row),
                        column=column,
                        value=str(row[column]),
                        message=f"unknown {parent_name[:-1]}",
                        expected=f"an id present in {parent_name} (import that file first or "
                        "in the same batch)",
                    )
                )
            frames[name] = frame.loc[~missing].reset_index(drop=True)
    return {k: sorted(set(v)) for k, v in created.items()}


def _row(row: pd.Series) -> int | None:
    value = row.get("__row")
    return None if value is None or pd.isna(value) else int(value)


def _stored_ids(conn: Any, table: Table) -> set[str]:
    key = table.key[0]
    return {str(r[0]) for r in conn.exec_driver_sql(f'SELECT "{key}" FROM "{table.name}"')}


def _make_stubs(
    parent: Table, rows: pd.DataFrame, column: str, reporting_currency: str
) -> pd.DataFrame:
    """One master record per unknown id, with what the referencing documents tell."""
    groups = rows.groupby(rows[column].astype(str), sort=True)
    records: list[dict[str, Any]] = []
    for ident, docs in groups:
        rec: dict[str, Any] = {c.name: _default(c.kind, c.default) for c in parent.columns}
        rec[parent.key[0]] = ident
        currency = _mode(docs, "currency")
        if parent.name == "entities":
            rec["name"] = ident
            rec["base_currency"] = currency or reporting_currency
        else:
            rec["entity_id"] = _mode(docs, "entity_id")
            rec["currency"] = currency
            if {"issue_date", "due_date"} <= set(docs):
                days = int(np.nanmedian((docs["due_date"] - docs["issue_date"]).dt.days))
                if parent.name == "customers":
                    rec["payment_terms_days"] = days
                else:
                    rec["payment_terms"] = f"net {days}"
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=parent.names)
    for col in parent.columns:
        if col.kind == Kind.DATE:
            frame[col.name] = pd.to_datetime(frame[col.name])
        elif col.kind == Kind.INTEGER:
            frame[col.name] = frame[col.name].astype("Int64")
        elif col.kind in (Kind.AMOUNT, Kind.NUMBER):
            frame[col.name] = frame[col.name].astype(float)
    frame["__file"] = "(created from references)"
    frame["__row"] = None
    return frame


def _default(kind: Kind, default: object) -> object:
    if default is not None:
        return default
    return pd.NaT if kind == Kind.DATE else None


def _mode(frame: pd.DataFrame, column: str) -> str | None:
    if column not in frame:
        return None
    values = frame[column].dropna()
    return None if values.empty else str(values.mode().iloc[0])
