"""``wcm serve`` and the knowledge-base endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app
from tests.api.conftest import Service
from tools.workspace import init_workspace


def test_serve_prints_the_url_and_runs_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = init_workspace(tmp_path / "ws")
    started: dict[str, Any] = {}

    def fake_run(application: Any, **kwargs: Any) -> None:
        started.update(kwargs, app=application)

    monkeypatch.setattr("uvicorn.run", fake_run)
    result = CliRunner().invoke(app, ["serve", "-w", str(ws.root), "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "open http://127.0.0.1:8765/" in result.output and "development mode" in result.output
    assert started["port"] == 8765
    client = TestClient(started["app"])
    assert "/v1/chat" in client.get("/openapi.json").json()["paths"]
    page = client.get("/")
    assert page.status_code == 200 and "Working-capital assistant" in page.text


def test_serve_refuses_a_missing_named_workspace(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["serve", "-w", str(tmp_path / "nope")])
    assert result.exit_code == 3 and "wcm init" in result.output


@pytest.mark.slow
def test_ingest_then_search_with_citations(service: Service) -> None:
    doc = b"# Treasury policy\n\n## Minimum cash\n\nUS01 keeps at least 500,000 USD on hand.\n"
    r = service.client.post(
        "/v1/knowledge/documents", files={"files": ("treasury.md", doc)}, headers=service.as_("ann")
    )
    assert r.status_code == 200, r.text
    assert r.json()["files"][0]["status"] == "ingested"
    hits = service.client.get(
        "/v1/knowledge/search", params={"q": "minimum cash US01"}, headers=service.as_("vic")
    ).json()["hits"]
    assert hits and "500,000 USD" in hits[0]["snippet"]
    viewer = service.client.post(
        "/v1/knowledge/documents", files={"files": ("x.md", doc)}, headers=service.as_("vic")
    )
    assert viewer.status_code == 403
