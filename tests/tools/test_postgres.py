"""The ledger on Postgres: the same imports, transactions and reads as on SQLite.

A throwaway PostgreSQL cluster is started on 127.0.0.1 for the session from Debian's
server binaries (`.ci/run` installs them); the tests skip where they are absent.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import AR_HEADER, AR_ROWS
from tools.workspace import import_files, init_workspace
from tools.workspace.db import engine_for

pytestmark = pytest.mark.postgres


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed")
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser")
        as_user = ["runuser", "-u", "postgres", "--"]
    tmp = Path(tempfile.mkdtemp(prefix="wcm-pg-"))
    if as_user:
        shutil.chown(tmp, "postgres")
    port = _free_port()
    data = tmp / "data"
    subprocess.run(
        [*as_user, str(bindir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-w",
            "-l",
            str(tmp / "log"),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    name = f"wcm_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{pg_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = f"{pg_server}/{name}"
    yield url
    engine_for(url).dispose()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


def test_import_reimport_and_read_back(pg_url: str, tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", database_url=pg_url)
    export = tmp_path / "ar_invoices.csv"
    export.write_text("\n".join([AR_HEADER, *AR_ROWS]) + "\n")
    assert import_files(ws, [export]).files[0].inserted == 3
    again = import_files(ws, [export])
    assert (again.files[0].inserted, again.files[0].unchanged) == (0, 3)
    stored = ws.read("ar_invoices").set_index("invoice_id")
    assert stored.loc["INV-002", "open_amount"] == pytest.approx(250.5)
    assert stored["issue_date"].dtype.kind == "M"
    assert ws.counts()["customers"] == 2


def test_failed_batch_leaves_postgres_untouched(pg_url: str, tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", database_url=pg_url)
    rows = [f"INV-{i:04d},C1,US01,2024-01-05,2024-02-04,{i}.00,USD," for i in range(1, 200)]
    good = tmp_path / "ar_invoices.csv"
    good.write_text("\n".join([AR_HEADER, *rows]) + "\n")
    bad = tmp_path / "bills.csv"
    bad.write_text(
        "bill_id,supplier_id,entity_id,issue_date,due_date,amount,currency\n"
        "B1,S1,US01,2024-01-05,2024-02-04,10.00,ZZZ\n"
    )
    assert import_files(ws, [good, bad]).status == "failed"
    assert all(n == 0 for n in ws.counts().values())
    assert import_files(ws, [good]).files[0].inserted == 199  # multi-row statements
