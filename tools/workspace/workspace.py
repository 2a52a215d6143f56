"""A workspace: one company's folder with its ledger database, policy and knowledge base."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Engine

from tools.domain.policy import Policy, dump_policy, load_policy
from tools.domain.schemas import TABLES
from tools.errors import WorkspaceError
from tools.workspace.db import engine_for, read_table

__all__ = ["WORKSPACE_FILE", "Workspace", "init_workspace", "open_workspace", "write_atomic"]

WORKSPACE_FILE = "workspace.yaml"
MARKET_TABLES = ("interest_rates", "fx_rates")  # dated, but not the company's own activity
POLICY_FILE = "policy.yaml"


@dataclass(frozen=True)
class Workspace:
    """Handle on an initialised workspace folder."""

    root: Path
    name: str
    reporting_currency: str
    database_url: str

    @property
    def policy_path(self) -> Path:
        return self.root / POLICY_FILE

    @property
    def engine(self) -> Engine:
        return engine_for(self.database_url)

    def policy(self) -> Policy:
        return load_policy(self.policy_path)

    def read(self, table: str) -> pd.DataFrame:
        """A canonical table as a typed frame (empty with its columns when nothing is stored)."""
        with self.engine.connect() as conn:
            return read_table(conn, table)

    def read_all(self) -> dict[str, pd.DataFrame]:
        """Every canonical table, read in one connection."""
        with self.engine.connect() as conn:
            return {name: read_table(conn, name) for name in TABLES}

    def as_of(self) -> date | None:
        """The latest date of the company's own data (market rates left out), by SQL."""
        parts = [
            f'SELECT MAX("{t.date_column}") FROM "{t.name}"'
            for t in TABLES.values()
            if t.date_column and t.name not in MARKET_TABLES
        ]
        with self.engine.connect() as conn:
            values = [conn.execute(sa.text(sql)).scalar() for sql in parts]
        dates = [pd.Timestamp(v).date() for v in values if v is not None]
        return max(dates) if dates else None

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                name: int(conn.execute(sa.text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one())
                for name in TABLES
            }


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a file (text as UTF-8, or bytes) so that readers see the old or the new
    content, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def init_workspace(
    root: Path,
    *,
    name: str | None = None,
    reporting_currency: str = "USD",
    database_url: str | None = None,
    policy: Policy | None = None,
) -> Workspace:
    """Create (or reopen) a workspace folder with a default policy and an empty ledger."""
    root = Path(root)
    if (root / WORKSPACE_FILE).exists():
        return open_workspace(root, database_url=database_url)
    if root.exists() and not root.is_dir():
        raise WorkspaceError(f"{root}: exists and is not a folder")
    root.mkdir(parents=True, exist_ok=True)
    config = {"name": name or root.resolve().name, "reporting_currency": reporting_currency}
    if database_url:
        config["database_url"] = database_url
    if not (root / POLICY_FILE).exists():
        chosen = policy or Policy(reporting_currency=reporting_currency)
        write_atomic(root / POLICY_FILE, dump_policy(chosen))
    write_atomic(root / WORKSPACE_FILE, yaml.safe_dump(config, sort_keys=False))
    ws = open_workspace(root, database_url=database_url)
    ws.engine  # noqa: B018 - creates the schema now, not on first import
    return ws


def open_workspace(root: Path, *, database_url: str | None = None) -> Workspace:
    """Open an initialised workspace; ``database_url`` overrides the one it was created with.

    Raises:
        WorkspaceError: the folder is not a workspace (with the command that makes one).
    """
    root = Path(root)
    config_path = root / WORKSPACE_FILE
    if not config_path.is_file():
        raise WorkspaceError(
            f"{root}: not a workspace (no {WORKSPACE_FILE}); create one with "
            f"'wcm init {root}' or build the demo with 'wcm demo --workspace {root}'"
        )
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise WorkspaceError(f"{config_path}: not valid YAML: {exc}") from None
    url = database_url or config.get("database_url") or f"sqlite:///{(root / 'wcm.db').resolve()}"
    return Workspace(
        root=root,
        name=str(config.get("name", root.name)),
        reporting_currency=str(config.get("reporting_currency", "USD")),
        database_url=url,
    )
