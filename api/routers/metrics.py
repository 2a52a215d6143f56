"""Prometheus metrics: request counts and latencies per route, chat, decisions, Slack acks."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Metrics", "MetricsMiddleware", "router"]

router = APIRouter(tags=["health"])

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    """The service's collectors, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "wcm_http_requests_total",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "wcm_http_request_seconds",
            "HTTP request latency by route template",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "wcm_chat_answers_total",
            "Questions answered by channel and outcome",
            ["channel", "outcome"],
            registry=self.registry,
        )
        self.decisions = Counter(
            "wcm_proposal_decisions_total",
            "Approval decisions by decision, channel and outcome",
            ["decision", "channel", "outcome"],
            registry=self.registry,
        )
        self.executions = Counter(
            "wcm_executions_total",
            "Executions a decision triggered, by outcome (done, replayed, failed)",
            ["outcome"],
            registry=self.registry,
        )
        self.channel_ack = Histogram(
            "wcm_channel_ack_seconds",
            "Time to acknowledge a Slack or Teams request",
            ["channel"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.channel_rejected = Counter(
            "wcm_channel_rejected_total",
            "Slack or Teams requests refused (signature, token, replay)",
            ["channel", "reason"],
            registry=self.registry,
        )


class MetricsMiddleware:
    """Counts every HTTP request under its route template (not its raw path)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(route).observe(time.perf_counter() - started)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
def metrics(request: Request) -> Response:
    """Prometheus text exposition of the service's counters and histograms."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
