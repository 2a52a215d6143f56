"""The OpenAPI document: every operation is described and documents its errors."""

from __future__ import annotations

from tests.api.conftest import Service


def test_every_operation_is_described_with_its_errors(service: Service) -> None:
    spec = service.client.get("/openapi.json").json()
    undocumented, no_errors = [], []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            name = f"{method.upper()} {path}"
            if not op.get("description") and not op.get("summary"):
                undocumented.append(name)
            if path.startswith("/v1/") and not {"401", "403", "422", "429"} <= set(op["responses"]):
                no_errors.append(name)
    assert undocumented == [] and no_errors == []
    error = spec["components"]["schemas"]["ErrorBody"]
    assert error["properties"]["error"]["$ref"].endswith("ErrorDetail")
    assert {"APIKeyHeader", "HTTPBearer"} <= set(spec["components"]["securitySchemes"])
