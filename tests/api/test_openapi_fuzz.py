"""Schemathesis against the OpenAPI spec: generated requests (valid and invalid) to every
operation never get a server error, and errors come in the one JSON shape."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.deps import ServiceOptions
from tests.api.conftest import make_service
from tests.conftest import AR_HEADER, AR_ROWS
from tools.workspace import import_files

# Endpoints that run the forecast, the optimizers or load the embedding model are fuzzed
# in the slow run only; their inputs are covered by their own tests.
HEAVY = re.compile(r"^/v1/(knowledge|optimizers|forecast|risk|scenarios|kpis/ccc-chart)")
EXAMPLES = 4


def fuzz(tmp_path: Path, *, heavy: bool) -> list[str]:
    svc = make_service(
        tmp_path / "ws", options=ServiceOptions(rate_limit_per_second=1e6, rate_limit_burst=10**6)
    )
    export = tmp_path / "ar_invoices.csv"
    export.write_text("\n".join([AR_HEADER, *AR_ROWS]) + "\n")
    import_files(svc.ws, [export])
    schema = schemathesis.openapi.from_asgi("/openapi.json", svc.client.app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if bool(HEAVY.match(operation.path)) != heavy:
            continue
        checked.append(f"{operation.method.upper()} {operation.path}")

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers={"X-API-Key": "key-dan"}, timeout=300)
            assert response.status_code < 500, (case.method, case.path, response.text[:500])
            if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
                assert set(response.json()) == {"error"}, response.text[:300]

        call()
    return checked


def test_no_server_errors(tmp_path: Path) -> None:
    assert len(fuzz(tmp_path, heavy=False)) >= 15


@pytest.mark.slow
def test_no_server_errors_on_the_computing_endpoints(tmp_path: Path) -> None:
    """Forecast, risk, scenarios, optimizers and the knowledge base on a workspace with
    too little data to forecast: every refusal is a 4xx."""
    assert len(fuzz(tmp_path, heavy=True)) >= 8
