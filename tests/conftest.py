"""Shared fixtures: a fresh workspace per test and small hand-written exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tools.workspace import Workspace, init_workspace

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

AR_HEADER = "invoice_id,customer_id,entity_id,issue_date,due_date,amount,currency,settled_date"
AR_ROWS = [
    "INV-001,C1,US01,2024-01-05,2024-02-04,1000.00,USD,2024-02-01",
    "INV-002,C1,US01,2024-01-20,2024-02-19,250.50,USD,",
    "INV-003,C2,US01,2024-02-01,2024-03-02,4000.00,USD,",
]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws", name="Test Co")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write an export file: ``write("ar_invoices.csv", text, encoding="utf-8")``."""

    def _write(name: str, text: str, *, encoding: str = "utf-8") -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
        return path

    return _write


@pytest.fixture(autouse=True)
def _no_settings_leak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's WCM_* variables or .env file."""
    import os

    for key in list(os.environ):
        if key.startswith("WCM_") or key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo company (seed 7) imported once per test session: treat it as read-only.

    Tests that change it (imports, approvals) copy the folder first: ``shutil.copytree``.
    """
    from tools.data.simulator import SimConfig, generate_company, write_company
    from tools.workspace import import_files

    root = tmp_path_factory.mktemp("demo") / "ws"
    company = generate_company(SimConfig(seed=7))
    files = write_company(company, root / "exports", bank_format="csv")
    ws = init_workspace(root, name="Demo", policy=company.policy)
    report = import_files(ws, files, user="test")
    assert report.ok, report
    return ws
