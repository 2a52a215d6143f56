"""Durable checkpoints for threads: SQLite in the workspace, Postgres when configured."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["CHECKPOINT_FILE", "open_checkpointer"]

CHECKPOINT_FILE = "agent_checkpoints.sqlite"


def open_checkpointer(root: Path, database_url: str | None = None) -> tuple[Any, str]:
    """A checkpointer and a short description of where it stores threads.

    With a Postgres ledger and ``langgraph-checkpoint-postgres`` installed, threads live in
    the same database; otherwise in ``agent_checkpoints.sqlite`` in the workspace, which
    survives restarts of the process.
    """
    if database_url and database_url.startswith("postgresql"):
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg import Connection

            conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")
            pg = Connection.connect(conninfo, autocommit=True, prepare_threshold=0)
            saver = PostgresSaver(pg)
            saver.setup()
            return saver, "postgres"
        except ImportError:
            pass  # fall back to the workspace file below
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(str(Path(root) / CHECKPOINT_FILE), check_same_thread=False)
    return SqliteSaver(conn), f"sqlite:{Path(root) / CHECKPOINT_FILE}"
