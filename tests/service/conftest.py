"""Fixtures of the service.

Records: a database on SQLite *and* on PostgreSQL (``database_url`` is parametrised,
so every test using it runs on both engines; the PostgreSQL cluster is started once
per session, only when a PostgreSQL test runs, and fails loudly, never skips, when
the server binaries are missing) and principals.

HTTP: apps over the session screener, with in-memory contracts (``make_service``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from redline.match import Screener
from redline.service.app import create_app
from redline.service.db import dispose_engines
from redline.service.migrate import migrate
from redline.service.principal import Principal, Role
from redline.service.state import ScreenerHolder
from redline.settings import ServiceSettings, Settings
from redline.store import Store
from tests.pg import INSTALL_HINT, PgCluster, find_bindir
from tests.service.fakes import VIEWER_KEY, FakeAuthenticator, MemoryAlerts, MemoryAudit

#: argon2id with the cheapest parameters: the tests check behaviour, not hashing cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def require_bindir(root: Path | None = None) -> Path:
    """The PostgreSQL binaries, or a test failure (not a skip) saying what to install."""
    bindir = find_bindir() if root is None else find_bindir(root)
    if bindir is None:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return bindir


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    bindir = require_bindir()
    cluster = PgCluster(bindir)
    yield cluster
    dispose_engines()
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (not migrated) on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'redline.sqlite3'}"
    else:
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
    yield url
    dispose_engines()


@pytest.fixture
def db(database_url: str) -> str:
    """A migrated database."""
    migrate(database_url)
    return database_url


def principal(name: str, role: Role, kind: str = "user") -> Principal:
    return Principal(
        id=f"{kind}:{name}", name=name, role=role, kind="key" if kind == "key" else "user"
    )


ADMIN = principal("root", Role.admin)
ANALYST = principal("ana", Role.analyst)
ANALYST2 = principal("bob", Role.analyst)
APPROVER = principal("carol", Role.approver)
APPROVER2 = principal("dave", Role.approver)
VIEWER = principal("vic", Role.viewer)


# --------------------------------------------------------------------------- HTTP

AUTH = {"Authorization": f"Bearer {VIEWER_KEY}"}


@dataclass
class Service:
    app: FastAPI
    client: TestClient
    audit: MemoryAudit
    alerts: MemoryAlerts
    holder: ScreenerHolder


def no_rebuild(_store: Store) -> Screener:
    """The rebuild of a holder whose store never changes in the test (shared and copied
    session stores alike)."""
    raise AssertionError("the test's store never changes: no rebuild expected")


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
        holder = ScreenerHolder(loaded_store, no_rebuild, poll_seconds=3600, initial=screener)
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
