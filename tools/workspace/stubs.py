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

from tools.data.validate import default_column
from tools.domain.schemas import TABLES, Table
from tools.errors import Problem

__all__ = ["STUBBED", "stub_rows"]

STUBBED = ("customers", "suppliers", "entities")


def stub_rows(
    conn: Any,
    frames: dict[str, pd.DataFrame],
    problems: list[Problem],
    *,
    reporting_currency: str = "USD",
    entity: str | None = None,
) -> dict[str, list[str]]:
    """Resolve references in ``frames`` (mutated): add stubs, drop and report the rest.

    A statement's unknown bank account is created too when its entity is known: given as
    ``entity`` (``--set entity_id=...``) or the only entity there is.

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
            owner = _account_owner(conn, frames, entity) if parent_name == "bank_accounts" else None
            if parent_name in STUBBED or owner is not None:
                stubs = _make_stubs(parent, frame.loc[missing], column, reporting_currency)
                if owner is not None:
                    stubs["entity_id"] = owner
                created.setdefault(parent_name, []).extend(stubs[parent.key[0]].tolist())
                frames[parent_name] = (
                    pd.concat([frames[parent_name], stubs], ignore_index=True)
                    if parent_name in frames
                    else stubs
                )
                continue
            seen: set[tuple[str, str]] = set()
            for _, row in frame.loc[missing].iterrows():
                where = (str(row.get("__file", name)), str(row[column]))
                if _row(row) is None and where in seen:
                    continue  # statements: one problem per unknown account, not per line
                seen.add(where)
                problems.append(
                    Problem(
                        file=where[0],
                        row=_row(row),
                        column=column,
                        value=where[1],
                        message=f"unknown {parent_name[:-1]}",
                        expected=f"an id present in {parent_name} (import that file first or "
                        "in the same batch"
                        + (
                            ", or give the entity with --set entity_id=..."
                            if parent_name == "bank_accounts"
                            else ""
                        )
                        + ")",
                    )
                )
            frames[name] = frame.loc[~missing].reset_index(drop=True)
    return {k: sorted(set(v)) for k, v in created.items()}


def _row(row: pd.Series) -> int | None:
    value = row.get("__row")
    return None if value is None or pd.isna(value) or int(value) == 0 else int(value)


def _account_owner(conn: Any, frames: dict[str, pd.DataFrame], entity: str | None) -> str | None:
    """The entity new bank accounts belong to: the one given, or the only one there is."""
    if entity:
        return entity
    ids = _stored_ids(conn, TABLES["entities"])
    if "entities" in frames:
        ids |= set(frames["entities"]["entity_id"].astype(str))
    return next(iter(ids)) if len(ids) == 1 else None


def _stored_ids(conn: Any, table: Table) -> set[str]:
    key = table.key[0]
    return {str(r[0]) for r in conn.exec_driver_sql(f'SELECT "{key}" FROM "{table.name}"')}


def _make_stubs(
    parent: Table, rows: pd.DataFrame, column: str, reporting_currency: str
) -> pd.DataFrame:
    """One master record per unknown id, with what the referencing documents tell."""
    ids = rows[column].astype(str)
    keys = np.sort(ids.unique())
    frame = pd.DataFrame({parent.key[0]: keys})
    for col in parent.columns:
        if col.name != parent.key[0]:
            frame[col.name] = default_column(col, len(keys))
    currency = _modes(rows, ids, "currency").reindex(keys).to_numpy(dtype=object)
    if parent.name == "entities":
        frame["name"] = keys
        frame["base_currency"] = np.where(pd.isna(currency), reporting_currency, currency)
    else:
        frame["entity_id"] = _modes(rows, ids, "entity_id").reindex(keys).to_numpy(dtype=object)
        frame["currency"] = currency
        if {"issue_date", "due_date"} <= set(rows):
            days = (rows["due_date"] - rows["issue_date"]).dt.days.groupby(ids).median()
            days = days.reindex(keys).round()
            if parent.name == "customers":
                frame["payment_terms_days"] = days.astype("Int64").to_numpy()
            else:
                frame["payment_terms"] = ["net 30" if pd.isna(d) else f"net {int(d)}" for d in days]
    frame["__file"] = "(created from references)"
    frame["__row"] = None
    return frame


def _modes(rows: pd.DataFrame, ids: pd.Series, column: str) -> pd.Series:
    """The most frequent value of ``column`` per id (ties: the smallest value)."""
    if column not in rows:
        return pd.Series(dtype=object)
    pairs = pd.DataFrame({"id": ids.to_numpy(), "v": rows[column].to_numpy()}).dropna()
    counts = pairs.value_counts().reset_index(name="n")
    counts = counts.sort_values(["id", "n", "v"], ascending=[True, False, True])
    return counts.drop_duplicates("id").set_index("id")["v"]
