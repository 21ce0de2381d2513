"""Prometheus metrics of one app: requests, latency, and which list versions it serves.

Each app has its own registry so that several apps in one process (tests) do not
collide.  Routes are labelled by their template (``/entities/{entity_id}``), never
by the concrete path, to keep the number of series bounded and ids out of metrics.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from redline.service.state import ScreenerHolder


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "redline_http_requests",
            "HTTP requests answered, by route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "redline_http_request_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route"],
            registry=self.registry,
        )
        self.list_version = Gauge(
            "redline_list_version",
            "Sequence number of the list version the screening index was built from.",
            ["source"],
            registry=self.registry,
        )
        self.index_ready = Gauge(
            "redline_index_ready", "1 once a screening index is loaded.", registry=self.registry
        )
        self.index_built = Gauge(
            "redline_index_built_timestamp_seconds",
            "When the screening index in use was built (Unix time).",
            registry=self.registry,
        )

    def render(self, holder: ScreenerHolder) -> bytes:
        """The exposition text, with the index gauges read at scrape time."""
        self.index_ready.set(1 if holder.ready else 0)
        if holder.ready:
            snapshot = holder.current()
            self.index_built.set(snapshot.built_at.timestamp())
            for source, seq in snapshot.version_ids.items():
                self.list_version.labels(source=source).set(seq)
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request by the route it matched."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_template(scope)
            method = str(scope.get("method", ""))
            self.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=route).observe(
                time.perf_counter() - started
            )


def _route_template(scope: Scope) -> str:
    """The template of the route that answered (the router records it in the scope)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"
