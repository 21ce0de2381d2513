"""Fixtures of the review workspace: apps over a copy of the session store.

The session ``loaded_store`` is read-only for tests, and the workspace writes users,
alerts and audit records into the store's database; so each workspace gets its own
copy of that database (a few megabytes, copied with SQLite's backup API) and reuses
the session ``screener`` (the copy keeps the version ids, so the index matches).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from redline.match import Screener
from redline.service.app import app_over_records
from redline.service.db import dispose_engines
from redline.service.principal import Role
from redline.service.records import Records
from redline.service.state import ScreenerHolder
from redline.settings import ServiceSettings, Settings
from redline.store import Store
from tests.service.conftest import ADMIN, FAST_HASHER, no_rebuild

PASSWORD = "correct horse battery staple"
#: Users of every workspace: name -> role.  ``alice`` is an approver who decides
#: (approvers hold every analyst right) so that her own approval is refused.
USERS = {
    "vic": Role.viewer,
    "ana": Role.analyst,
    "alice": Role.approver,
    "bert": Role.approver,
    "root": Role.admin,
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def copy_store(store: Store, target: Path) -> str:
    """A copy of ``store``'s SQLite database at ``target``; returns its URL."""
    source = store.url.removeprefix("sqlite:///")
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


@dataclass
class Workspace:
    app: FastAPI
    settings: Settings
    records: Records
    store: Store


MakeWorkspace = Callable[..., Workspace]


@pytest.fixture(scope="session")
def make_workspace(
    loaded_store: Store, screener: Screener, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MakeWorkspace]:
    """Builds a workspace app with its own home, database copy and users."""
    stores: list[Store] = []

    def make(**service: object) -> Workspace:
        home = tmp_path_factory.mktemp("web-home")
        url = copy_store(loaded_store, home / "redline.sqlite3")
        settings = Settings(
            home=home,
            database_url=url,
            service=ServiceSettings.model_validate({"rate_limit_per_minute": 0, **service}),
        )
        store = Store(url)
        stores.append(store)
        records = Records.open(settings, store, hasher=FAST_HASHER)
        for name, role in USERS.items():
            records.accounts.add_user(name, role, PASSWORD, ADMIN)
        holder = ScreenerHolder(store, no_rebuild, poll_seconds=3600, initial=screener)
        app = app_over_records(settings, holder, records)
        return Workspace(app, settings, records, store)

    yield make
    for store in stores:
        store.close()
    dispose_engines()


@pytest.fixture(scope="module")
def workspace(make_workspace: MakeWorkspace) -> Workspace:
    return make_workspace()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log ``client`` in; returns the session's CSRF token."""
    token = csrf_of(client.get("/web/login").text)
    answer = client.post(
        "/web/login",
        data={"csrf_token": token, "username": username, "password": password},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/web/screen").text)


@pytest.fixture
def client_for(workspace: Workspace) -> Iterator[Callable[[str], tuple[TestClient, str]]]:
    """``client_for(user)``: a logged-in client and its CSRF token."""
    clients: list[TestClient] = []

    def make(username: str) -> tuple[TestClient, str]:
        client = TestClient(workspace.app)
        client.__enter__()
        clients.append(client)
        return client, login(client, username)

    yield make
    for client in clients:
        client.__exit__(None, None, None)
