"""The entity page's listing history, over a toy source loaded twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from redline.match import Screener
from redline.service.app import app_over_records
from redline.service.db import dispose_engines
from redline.service.principal import Role
from redline.service.records import Records
from redline.service.state import ScreenerHolder
from redline.settings import Settings
from redline.store import Store, load_source
from tests.service.conftest import ADMIN, FAST_HASHER
from tests.store.toy_source import ToySource, write_toy
from tests.web.conftest import PASSWORD, login

V1 = [("1", "Person", "Ivan Petrov", "ru"), ("3", "Vessel", "Sea Star", "ir")]
V2 = [("1", "Person", "Ivan Petrov", "by")]  # 1 changed, 3 removed


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp_path = tmp_path_factory.mktemp("entity-history")
    url = f"sqlite:///{tmp_path / 'redline.sqlite3'}"
    store = Store(url)
    for name, rows in (("v1", V1), ("v2", V2)):
        write_toy(tmp_path / name, rows)
        files = ToySource().detect(tmp_path / name)
        assert files is not None
        load_source(store, ToySource(), files)
    settings = Settings(home=tmp_path, database_url=url)
    records = Records.open(settings, store, hasher=FAST_HASHER)
    records.accounts.add_user("vic", Role.viewer, PASSWORD, ADMIN)
    holder = ScreenerHolder(store, Screener, poll_seconds=3600, initial=Screener(store))
    app = app_over_records(settings, holder, records)
    with TestClient(app) as client:
        login(client, "vic")
        yield client
    store.close()
    dispose_engines()


def test_history_shows_appearance_and_change(client: TestClient) -> None:
    page = client.get("/web/entities/toy-1")
    assert page.status_code == 200
    history = page.text.split('id="history"', 1)[1]
    assert history.index("toy v1") < history.index("appeared") < history.index("toy v2")
    assert "changed" in history
    assert "Latin" in page.text and "Ivan Petrov" in page.text
    assert "delisted" not in page.text


def test_removed_entity_is_shown_as_delisted(client: TestClient) -> None:
    page = client.get("/web/entities/toy-3")
    assert page.status_code == 200
    assert "not in the active list version (delisted)" in page.text
    assert "absent from v2" in page.text


def test_unknown_entity_is_404(client: TestClient) -> None:
    assert client.get("/web/entities/toy-99").status_code == 404
