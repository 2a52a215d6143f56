"""The HTTP API: health, status, KPIs and the one JSON error shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import get_settings
from api.main import create_app
from tests.conftest import AR_HEADER, AR_ROWS
from tools.workspace import import_files, init_workspace


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    ws = init_workspace(tmp_path / "ws")
    export = tmp_path / "ar_invoices.csv"
    export.write_text("\n".join([AR_HEADER, *AR_ROWS]) + "\n")
    import_files(ws, [export])
    monkeypatch.setenv("WCM_WORKSPACE", str(ws.root))
    get_settings.cache_clear()
    return TestClient(create_app())


def test_health_status_kpis(client: TestClient) -> None:
    assert client.get("/health").json()["tables"]["ar_invoices"] == 3
    assert client.get("/v1/status").json()["as_of"] == "2024-02-01"
    kpis = client.get("/v1/kpis", params={"as_of": "2024-02-10"}).json()
    assert kpis["group"]["ar_open"] == 4250.5


def test_errors_share_one_shape(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = client.get("/v1/kpis", params={"as_of": "soon"})
    assert bad.status_code == 422
    assert bad.json()["error"]["type"] == "invalid_request"
    assert client.get("/nope").json()["error"]["type"] == "http_error"
    monkeypatch.setenv("WCM_WORKSPACE", str(tmp_path / "missing"))
    get_settings.cache_clear()
    missing = TestClient(create_app()).get("/health")
    assert missing.status_code == 404
    assert "wcm init" in missing.json()["error"]["message"]
