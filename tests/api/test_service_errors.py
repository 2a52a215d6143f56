"""Bad input gets the right 4xx in the one error shape, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.deps import ServiceOptions
from tests.api.conftest import Service, make_service


def shape(body: dict) -> str:
    assert set(body) == {"error"} and {"type", "message"} <= set(body["error"])
    return str(body["error"]["type"])


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "kind"),
    [
        # malformed JSON
        (
            "post",
            "/v1/chat",
            {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
            422,
            "invalid_request",
        ),
        # JSON of the wrong shape
        ("post", "/v1/chat", {"json": {"message": ""}}, 422, "invalid_request"),
        ("post", "/v1/chat", {"json": ["a list"]}, 422, "invalid_request"),
        # a method the route does not have
        ("delete", "/v1/proposals", {}, 405, "method_not_allowed"),
        # an unknown route and unknown ids
        ("get", "/v1/nothing-here", {}, 404, "http_error"),
        ("get", "/v1/proposals/P-000000000000", {}, 404, "not_found"),
        ("get", "/v1/charts/nope.svg", {}, 404, "not_found"),
        ("get", "/v1/charts/nope.gif", {}, 422, "invalid_request"),
        # out-of-range query values
        ("get", "/v1/proposals", {"params": {"limit": 0}}, 422, "invalid_request"),
        ("get", "/v1/proposals", {"params": {"status": "maybe"}}, 422, "invalid_request"),
    ],
)
def test_bad_requests(
    service: Service, method: str, path: str, kwargs: dict, status: int, kind: str
) -> None:
    headers = {**service.as_("dan"), **kwargs.pop("headers", {})}
    r = getattr(service.client, method)(path, headers=headers, **kwargs)
    assert r.status_code == status, r.text
    assert shape(r.json()) == kind


def test_oversized_bodies_get_413_declared_or_streamed(tmp_path: Path) -> None:
    svc = make_service(
        tmp_path / "ws", options=ServiceOptions(max_body_bytes=2_000, max_upload_bytes=5_000)
    )
    big = {"message": "x" * 3_000}
    r = svc.client.post("/v1/chat", json=big, headers=svc.as_("ann"))
    assert r.status_code == 413 and shape(r.json()) == "payload_too_large"

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b"x" * 1_000

    streamed = svc.client.post(
        "/v1/chat", content=chunks(), headers={**svc.as_("ann"), "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413 and shape(streamed.json()) == "payload_too_large"
    upload = svc.client.post(
        "/v1/imports", files={"files": ("ar_invoices.csv", b"a" * 6_000)}, headers=svc.as_("ann")
    )
    assert upload.status_code == 413


def test_metrics_count_requests_by_route_template(service: Service) -> None:
    service.client.get("/v1/proposals/P-1", headers=service.as_("ann"))
    service.client.get("/v1/proposals/P-2", headers=service.as_("ann"))
    text = service.client.get("/metrics").text
    assert (
        'wcm_http_requests_total{method="GET",route="/v1/proposals/{proposal_id}",status="404"} 2.0'
        in text
    )
    assert "wcm_http_request_seconds_bucket" in text
