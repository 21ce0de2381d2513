"""What every request handler needs, kept on ``app.state`` (no module globals).

Several apps can live in one process (tests do this), each with its own holder,
protocol objects, limiter and metrics registry.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from fastapi import HTTPException, Request, status

from redline.service.principal import AlertSink, AuditLog, Authenticator
from redline.service.state import NotReady, ScreenerHolder, Snapshot
from redline.settings import Settings
from redline.sources import all_sources

if TYPE_CHECKING:
    from redline.service.access import RateLimiter
    from redline.service.metrics import Metrics

#: The dataset name meaning every list.
DEFAULT_DATASET = "default"


@dataclass
class Services:
    """The app's collaborators: settings, the screener holder and the three contracts."""

    settings: Settings
    holder: ScreenerHolder
    authenticator: Authenticator
    audit: AuditLog
    alerts: AlertSink
    limiter: RateLimiter
    metrics: Metrics
    known_sources: frozenset[str] = field(default_factory=lambda: frozenset(all_sources()))

    def dataset_sources(self, dataset: str, snapshot: Snapshot) -> Collection[str] | None:
        """The sources a dataset name stands for (``None``: every list); 404 if unknown."""
        if dataset == DEFAULT_DATASET:
            return None
        collection = self.settings.collections.get(dataset)
        if collection is not None:
            return frozenset(collection)
        if dataset in snapshot.versions or dataset in self.known_sources:
            return frozenset({dataset})
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"No such dataset: {dataset!r}.")

    def dataset_names(self, snapshot: Snapshot) -> list[str]:
        names = {DEFAULT_DATASET, *self.settings.collections, *snapshot.versions}
        return sorted(names)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def snapshot_of(request: Request) -> Snapshot:
    """The one snapshot this request answers from (503 until the first index is ready)."""
    cached: Snapshot | None = getattr(request.state, "snapshot", None)
    if cached is not None:
        return cached
    try:
        snapshot = services_of(request).holder.current()
    except NotReady as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, detail=str(exc), headers={"Retry-After": "10"}
        ) from exc
    request.state.snapshot = snapshot
    return snapshot
