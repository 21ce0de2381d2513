"""Fixtures for the HTTP service: apps over the session screener, with in-memory contracts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from redline.match import Screener
from redline.service.app import create_app
from redline.service.state import ScreenerHolder
from redline.settings import ServiceSettings, Settings
from redline.store import Store
from tests.service.fakes import VIEWER_KEY, FakeAuthenticator, MemoryAlerts, MemoryAudit

AUTH = {"Authorization": f"Bearer {VIEWER_KEY}"}


@dataclass
class Service:
    app: FastAPI
    client: TestClient
    audit: MemoryAudit
    alerts: MemoryAlerts
    holder: ScreenerHolder


def _no_rebuild(_store: Store) -> Screener:
    raise AssertionError("the session store never changes: no rebuild expected")


MakeService = Callable[..., Service]


@pytest.fixture(scope="session")
def make_service(
    loaded_store: Store, screener: Screener, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MakeService]:
    """Builds apps over the session screener; ``service=`` and ``collections=`` override."""
    clients: list[TestClient] = []

    def make(*, collections: dict[str, list[str]] | None = None, **service: Any) -> Service:
        settings = Settings(
            home=tmp_path_factory.mktemp("home"),
            service=ServiceSettings(**{"rate_limit_per_minute": 0, **service}),
            collections=collections or {},
        )
        holder = ScreenerHolder(loaded_store, _no_rebuild, poll_seconds=3600, initial=screener)
        audit, alerts = MemoryAudit(), MemoryAlerts()
        app = create_app(
            settings, holder=holder, authenticator=FakeAuthenticator(), audit=audit, alerts=alerts
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Service(app, client, audit, alerts, holder)

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def service(make_service: MakeService) -> Service:
    """One app for read-only tests (no rate limit; collection ``us`` of the US lists)."""
    return make_service(collections={"us": ["us_ofac_sdn", "us_ofac_cons", "us_bis_dpl"]})


@pytest.fixture
def client(service: Service) -> TestClient:
    return service.client
