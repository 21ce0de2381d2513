"""Fixtures of the service's records: a database on SQLite *and* on PostgreSQL, principals.

``database_url`` is parametrised, so every test using it runs on both engines.
The PostgreSQL cluster is started once per session, only when a PostgreSQL test
runs, and fails loudly (never skips) when the server binaries are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from redline.service.db import dispose_engines
from redline.service.migrate import migrate
from redline.service.principal import Principal, Role
from tests.pg import INSTALL_HINT, PgCluster, find_bindir

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
