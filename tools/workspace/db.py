"""The ledger database: canonical tables in SQLite (default) or Postgres, via SQLAlchemy."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tools.domain.schemas import TABLES, Kind, Table

__all__ = [
    "METADATA",
    "data_version",
    "engine_for",
    "read_table",
    "upsert",
    "write_order",
]

METADATA = sa.MetaData()

_TYPES: dict[Kind, sa.types.TypeEngine] = {
    Kind.TEXT: sa.Text(),
    Kind.DATE: sa.Date(),
    Kind.AMOUNT: sa.Numeric(20, 6, asdecimal=False),
    Kind.NUMBER: sa.Float(),
    Kind.INTEGER: sa.Integer(),
    Kind.BOOL: sa.Boolean(),
    Kind.CURRENCY: sa.String(3),
    Kind.ENUM: sa.String(32),
}


def _define(table: Table) -> sa.Table:
    cols = [
        sa.Column(
            c.name,
            _TYPES[c.kind],
            primary_key=c.name in table.key,
            nullable=c.nullable and c.name not in table.key,
        )
        for c in table.columns
    ]
    return sa.Table(table.name, METADATA, *cols)


SQL_TABLES = {name: _define(t) for name, t in TABLES.items()}

IMPORT_BATCHES = sa.Table(
    "import_batches",
    METADATA,
    sa.Column("batch_id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("report", sa.JSON, nullable=False),
)


@functools.cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, with the schema created on first use."""
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: object, _record: object) -> None:
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    METADATA.create_all(engine)
    return engine


def write_order(names: Iterable[str]) -> list[str]:
    """Tables in an order where every referenced table comes first."""
    wanted = set(names)
    order: list[str] = []
    for name in TABLES:  # TABLES is declared parents-first
        if name in wanted:
            order.append(name)
    return order


def read_table(conn: Connection | Engine, name: str, *, where: str | None = None) -> pd.DataFrame:
    """A stored table as a typed frame (dates as datetime64, booleans as bool)."""
    table = TABLES[name]
    sql = f"SELECT {', '.join(_q(c) for c in table.names)} FROM {_q(name)}"
    if where:
        sql += f" WHERE {where}"
    frame = pd.read_sql_query(sa.text(sql), conn)
    return _typed(frame, table)


def _typed(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    for col in table.columns:
        if col.kind == Kind.DATE:
            frame[col.name] = pd.to_datetime(frame[col.name])
        elif col.kind == Kind.BOOL:
            frame[col.name] = frame[col.name].fillna(False).astype(bool)
        elif col.kind in (Kind.AMOUNT, Kind.NUMBER):
            frame[col.name] = pd.to_numeric(frame[col.name]).astype(float)
        elif col.kind == Kind.INTEGER:
            frame[col.name] = pd.to_numeric(frame[col.name]).astype("Int64")
        else:
            frame[col.name] = frame[col.name].astype(object)
    return frame


def upsert(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Insert rows, replacing any stored row with the same key, in the caller's transaction."""
    if frame.empty:
        return
    names = table.names
    columns = _columns(frame[names], table)
    cols = ", ".join(_q(c) for c in names)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    row_marks = "(" + ", ".join([mark] * len(names)) + ")"
    updates = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in names if c not in table.key)
    key = ", ".join(_q(k) for k in table.key)
    conflict = (
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}"
        if updates
        else f" ON CONFLICT ({key}) DO NOTHING"
    )

    def statement(rows: int) -> str:
        values = ", ".join([row_marks] * rows)
        return f"INSERT INTO {_q(table.name)} ({cols}) VALUES {values}{conflict}"

    # Many rows per statement: binding dominates bulk loads, and fewer statement
    # executions save a fifth of the time. Keys are unique within a batch, so a
    # multi-row statement never conflicts with itself.
    n, m = len(frame), len(names)
    per = max(1, min(64, 30_000 // m))  # SQLite allows 32,766 variables per statement
    flat: list[object] = [None] * (n * m)
    for j, values in enumerate(columns):
        flat[j::m] = values
    bulk = (n // per) * per
    if bulk and per > 1:
        step = per * m
        conn.exec_driver_sql(
            statement(per), [tuple(flat[i : i + step]) for i in range(0, bulk * m, step)]
        )
    else:
        bulk = 0
    if bulk < n:
        rest = flat[bulk * m :]
        conn.exec_driver_sql(statement(1), [tuple(rest[i : i + m]) for i in range(0, len(rest), m)])


def _columns(frame: pd.DataFrame, table: Table) -> list[list[Any]]:
    """Column values for the DB-API: ISO date strings, Python scalars, None for missing."""
    columns: list[list[Any]] = []
    for col in table.columns:
        s = frame[col.name]
        if col.kind == Kind.DATE:
            # Few distinct dates in many rows: format each once.
            codes, uniques = pd.factorize(s)
            text = np.array(
                [*pd.DatetimeIndex(uniques).strftime("%Y-%m-%d").tolist(), None], dtype=object
            )
            columns.append(text[codes].tolist())  # code -1 (missing) picks the None
        elif col.kind in (Kind.AMOUNT, Kind.NUMBER):
            arr = s.to_numpy(dtype=float).astype(object)
            arr[pd.isna(s).to_numpy()] = None
            columns.append(arr.tolist())
        elif col.kind == Kind.INTEGER:
            columns.append([None if pd.isna(v) else int(v) for v in s.tolist()])
        elif col.kind == Kind.BOOL:
            columns.append(list(s.astype(bool).tolist()))
        else:
            arr = s.to_numpy(dtype=object)
            arr[pd.isna(s).to_numpy()] = None
            columns.append(arr.tolist())
    return columns


def _q(name: str) -> str:
    return f'"{name}"'


CASH_APPLICATIONS = sa.Table(
    "cash_applications",
    METADATA,
    sa.Column("txn_id", sa.Text, primary_key=True),
    sa.Column("document_id", sa.Text, primary_key=True),
    sa.Column("side", sa.String(2), nullable=False),
    sa.Column("amount", sa.Numeric(20, 6, asdecimal=False), nullable=False),
    sa.Column("method", sa.String(32), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_id", sa.Text, nullable=False),
)

BAND_CALIBRATIONS = sa.Table(
    "band_calibrations",
    METADATA,
    sa.Column("calibration_id", sa.String(32), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False, index=True),
    sa.Column("horizon_days", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Column("body", sa.JSON, nullable=False),
)

FORECAST_RUNS = sa.Table(
    "forecast_runs",
    METADATA,
    sa.Column("run_id", sa.String(24), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("params_key", sa.String(64), nullable=False, index=True),
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("provenance", sa.JSON, nullable=False),
    sa.Column("folder", sa.Text, nullable=False),
)


def data_version(conn: sa.Connection) -> str:
    """Changes whenever an import is stored (the number of batches and the latest one)."""
    count, latest = conn.execute(
        sa.select(sa.func.count(), sa.func.max(IMPORT_BATCHES.c.created_at))
    ).one()
    return f"{count}:{latest}"
