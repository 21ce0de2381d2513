"""Hot swap: a new list version is served without restart, each answer from one version."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from redline.match import Screener
from redline.service.app import create_app
from redline.service.state import ScreenerHolder
from redline.settings import ServiceSettings, Settings
from redline.store import Store, load_source
from tests.service.conftest import AUTH
from tests.service.fakes import FakeAuthenticator, MemoryAlerts, MemoryAudit
from tests.store.toy_source import ToySource, write_toy

V1 = [
    ("1", "Company", "Alpha Trading Limited", "ru"),
    ("2", "Person", "Ivan Petrovich Sidorov", "ru"),
]
V2 = [
    ("1", "Company", "Omega Shipping Limited", "ru"),
    ("2", "Person", "Ivan Petrovich Sidorov", "ru"),
    ("3", "Person", "Boris Karlovich Novak", "by"),
]
QUERIES = {
    "alpha": {"schema": "Company", "properties": {"name": ["Alpha Trading Limited"]}},
    "boris": {"schema": "Person", "properties": {"name": ["Boris Karlovich Novak"]}},
}


def _load(store: Store, folder: Path) -> None:
    source = ToySource()
    files = source.detect(folder)
    assert files is not None
    load_source(store, source, files)


@pytest.fixture
def toy_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'toy.sqlite3'}")
    write_toy(tmp_path / "v1", V1)
    write_toy(tmp_path / "v2", V2)
    _load(store, tmp_path / "v1")
    yield store
    store.close()


def _client(store: Store, factory: Callable[[Store], Screener], tmp_path: Path) -> TestClient:
    settings = Settings(home=tmp_path, service=ServiceSettings(rate_limit_per_minute=0))
    holder = ScreenerHolder(store, factory, poll_seconds=0.05)
    app = create_app(
        settings,
        holder=holder,
        authenticator=FakeAuthenticator(),
        audit=MemoryAudit(),
        alerts=MemoryAlerts(),
    )
    return TestClient(app)


def _wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def test_ready_only_once_the_first_index_is_built(toy_store: Store, tmp_path: Path):
    release = threading.Event()

    def slow_factory(store: Store) -> Screener:
        assert release.wait(30)
        return Screener(store)

    with _client(toy_store, slow_factory, tmp_path) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        waiting = client.post("/match/default", json={"queries": QUERIES}, headers=AUTH)
        assert waiting.status_code == 503 and waiting.headers["retry-after"]
        release.set()
        _wait(lambda: client.get("/readyz").status_code == 200)
        assert client.get("/readyz").json()["index_version"] == toy_store.state_token()
        ready = client.post("/match/default", json={"queries": QUERIES}, headers=AUTH)
        assert ready.status_code == 200


def _consistent(answer: dict[str, Any]) -> int:
    """The toy version an answer came from, after checking all of it agrees with it."""
    version = answer["versions"]["toy"]
    alpha = {r["id"]: r for r in answer["responses"]["alpha"]["results"]}
    boris = {r["id"] for r in answer["responses"]["boris"]["results"]}
    if version == 1:
        assert alpha["toy-1"]["properties"]["name"] == ["Alpha Trading Limited"], answer
        assert "toy-3" not in boris, answer
    else:
        assert version == 2, answer
        names = [n for r in alpha.values() for n in r["properties"]["name"]]
        assert "Alpha Trading Limited" not in names, answer
        assert "toy-3" in boris, answer
    return int(version)


def test_new_version_served_without_restart_never_mixed(toy_store: Store, tmp_path: Path):
    with _client(toy_store, lambda store: Screener(store), tmp_path) as client:
        _wait(lambda: client.get("/readyz").status_code == 200)
        stop = threading.Event()

        def hammer() -> list[int]:
            seen = []
            while not stop.is_set():
                resp = client.post("/match/toy", json={"queries": QUERIES}, headers=AUTH)
                assert resp.status_code == 200, resp.text
                seen.append(_consistent(resp.json()))
            return seen

        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(hammer) for _ in range(2)]
            time.sleep(0.3)
            _load(toy_store, tmp_path / "v2")

            def swapped() -> bool:
                catalog = client.get("/catalog", headers=AUTH).json()
                return bool(catalog["datasets"][0]["version"] == 2)

            _wait(swapped)
            time.sleep(0.3)
            stop.set()
            versions = [v for f in futures for v in f.result()]
        assert 1 in versions and 2 in versions
        # Once the new version is served, no request goes back to the old one.
        last = client.post("/match/toy", json={"queries": QUERIES}, headers=AUTH).json()
        assert _consistent(last) == 2
        assert client.get("/catalog", headers=AUTH).json()["index_stale"] is False


def test_build_repeated_when_a_version_lands_mid_build(toy_store: Store, tmp_path: Path):
    built: list[str] = []

    def racing_factory(store: Store) -> Screener:
        screener = Screener(store)
        built.append(screener.index.state)
        if len(built) == 1:
            _load(store, tmp_path / "v2")  # activated after this index read its lists
        return screener

    holder = ScreenerHolder(toy_store, racing_factory)
    assert not holder.ready
    assert holder.refresh() is True
    snapshot = holder.current()
    assert len(built) == 2 and built[0] != built[1]
    assert snapshot.token == snapshot.screener.index.state == toy_store.state_token()
    assert snapshot.version_ids == {"toy": 2}
    assert holder.refresh() is False  # nothing changed since
    assert len(built) == 2


def test_initial_screener_must_match_the_store(toy_store: Store, tmp_path: Path):
    stale = Screener(toy_store)
    _load(toy_store, tmp_path / "v2")
    with pytest.raises(ValueError, match="initial screener"):
        ScreenerHolder(toy_store, Screener, initial=stale)
    fresh = ScreenerHolder(toy_store, Screener, initial=Screener(toy_store))
    assert fresh.ready and fresh.current().version_ids == {"toy": 2}
