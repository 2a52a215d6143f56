"""Durable checkpoints for threads: SQLite in the workspace, Postgres when configured."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tools.errors import ConfigError

__all__ = ["CHECKPOINT_FILE", "close_checkpointer", "open_checkpointer"]

CHECKPOINT_FILE = "agent_checkpoints.sqlite"
POSTGRES_PACKAGE = "langgraph-checkpoint-postgres"


def _conninfo(database_url: str) -> str:
    """The libpq URL for a SQLAlchemy Postgres URL (``postgresql+psycopg://...``)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _postgres(database_url: str) -> tuple[Any, str]:
    try:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
    except ImportError as exc:
        raise ConfigError(
            f"the ledger is on Postgres but the Postgres checkpointer is missing ({exc}); "
            f"install it with: pip install '{POSTGRES_PACKAGE}>=3.0'"
        ) from None
    from sqlalchemy.engine import make_url

    shown = make_url(database_url).render_as_string(hide_password=True)
    conninfo = _conninfo(database_url)
    options: dict[str, Any] = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    try:
        # One direct connection first: it fails fast on a wrong URL or a stopped server
        # (a pool would keep retrying), and creates or migrates the tables (idempotent).
        with psycopg.Connection.connect(conninfo, connect_timeout=10, **options) as conn:
            PostgresSaver(conn).setup()
        pool: Any = ConnectionPool(
            conninfo,
            min_size=1,
            max_size=4,
            kwargs=options,
            check=ConnectionPool.check_connection,  # reconnect after a database restart
            open=False,
            name="wcm-checkpoints",
            num_workers=1,
        )
        pool.open(wait=True, timeout=10)
    except psycopg.Error as exc:  # the pool's errors are psycopg errors too
        raise ConfigError(
            f"cannot open agent checkpoints in {shown} ({type(exc).__name__}: {exc}); "
            "check WCM_DATABASE_URL and that the server accepts connections"
        ) from None
    return PostgresSaver(pool), f"postgres:{shown}"


def open_checkpointer(root: Path, database_url: str | None = None) -> tuple[Any, str]:
    """A checkpointer and a short description of where it stores threads.

    With a Postgres ledger, threads live in the same database (a pending approval
    survives a restart of any server process); otherwise in ``agent_checkpoints.sqlite``
    in the workspace, which survives restarts of the process.
    """
    if database_url and database_url.startswith("postgres"):
        return _postgres(database_url)
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(str(Path(root) / CHECKPOINT_FILE), check_same_thread=False)
    return SqliteSaver(conn), f"sqlite:{Path(root) / CHECKPOINT_FILE}"


def close_checkpointer(saver: Any) -> None:
    """Release the checkpointer's connections (a pool for Postgres, a file for SQLite)."""
    conn = getattr(saver, "conn", None)
    close = getattr(conn, "close", None)
    if callable(close):
        close()
