"""SIGKILL during ``redline update --from-dir``; a served list update seen end to end (issue 6).

The loader parses a whole file set first and then writes the version, its entities and
the switch of the active pointer in one transaction (``redline.store.loader``).  These
tests check that promise from outside, on both engines, with the real CLI and the real
OFAC SDN 2021 edition of ``../shared/data`` (18,048 entities): big enough that the
write transaction lasts long enough to be interrupted:

* the update is killed while its write transaction is open (seen from another
  connection: on SQLite the write-ahead log grows, on PostgreSQL the loader's session
  is inside ``INSERT INTO entity``); afterwards the previous version (the first
  entries of that edition, as if an older, shorter edition) is still the active
  one, complete, no row of the interrupted version is left anywhere, a re-run of the
  update loads the new version, and the audit chain verifies;
* a ``redline serve`` subprocess answers ``/match`` throughout a ``redline update``
  subprocess and switches to the new version by itself.  ``tests/service/test_state.py``
  covers the swap in-process with a toy source; this one covers what only separate
  processes show: the server noticing a version another process activated.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from redline.service.audit import verify
from redline.service.migrate import migrate
from redline.service.principal import Role
from redline.service.security import Accounts
from redline.sources import all_sources
from redline.store import Store
from redline.store.schema import entity, source_version
from redline.store.update import update_from_dir
from tests.conftest import PROJECT_ROOT
from tests.service.conftest import ADMIN

SDN = "us_ofac_sdn"
#: Seconds allowed for the update to reach its write transaction.
REACH_WRITE_TIMEOUT = 60.0


def _env(home: Path, url: str) -> dict[str, str]:
    """Subprocesses import this checkout's code and use the test's database."""
    env = dict(os.environ, REDLINE_HOME=str(home), REDLINE_DATABASE_URL=url)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(PROJECT_ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    env["REDLINE_RATE_LIMIT"] = "0"
    env.pop("REDLINE_CONFIG", None)
    return env


def _redline(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redline", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


#: Entries of the 2021 SDN file kept in the previous (short) edition.
SHORT_ENTRIES = 300


def _sdn_edition(shared_data: Path, tmp_path: Path, short: bool) -> Path:
    """A folder with the 2021 SDN edition, or (``short``) only its first entries: the
    previous version, quick to load.  Addresses and aliases of the dropped entries stay
    behind as orphans, which the parser ignores as it must for real editions."""
    target = tmp_path / ("sdn-short" if short else "sdn-2021")
    target.mkdir()
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        shutil.copy2(shared_data / "ofac" / name, target / name)
    if short:
        lines = (target / "sdn.csv").read_bytes().split(b"\r\n")
        (target / "sdn.csv").write_bytes(b"\r\n".join(lines[:SHORT_ENTRIES]) + b"\r\n")
    return target


def _rows(store: Store) -> dict[str, int]:
    """Stored versions of the SDN and every entity row, counted from the tables."""
    with store.engine.connect() as conn:
        versions = conn.execute(
            select(func.count()).select_from(source_version).where(source_version.c.source == SDN)
        ).scalar_one()
        rows = conn.execute(select(func.count()).select_from(entity)).scalar_one()
    return {"versions": int(versions), "entity_rows": int(rows)}


def _active_complete(store: Store) -> tuple[int, int]:
    """The active SDN version's sequence number and entity count, after checking that
    the rows stored for it are exactly as many as the version row says."""
    info = store.active_versions()[SDN]
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(func.count()).select_from(entity).where(entity.c.version_id == info.id)
        ).scalar_one()
    assert stored == info.entity_count
    return info.seq, info.entity_count


def _write_started(url: str) -> Callable[[], bool]:
    """A probe telling, from outside the loader, that its write transaction is open."""
    if url.startswith("sqlite"):
        wal = Path(url.removeprefix("sqlite:///") + "-wal")
        # Checkpointed to nothing first: whatever grows the log from here is the load.
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        engine.dispose()
        return lambda: wal.exists() and wal.stat().st_size > 1_000_000
    engine = create_engine(url, poolclass=NullPool)  # no connection left behind

    def inserting() -> bool:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND query ILIKE 'INSERT INTO entity%'"
                )
            ).scalar_one()
        return bool(found)

    return inserting


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached in {timeout} s")
        time.sleep(0.01)


def test_sigkill_mid_update_keeps_the_previous_version(
    database_url: str, shared_data: Path, tmp_path: Path
) -> None:
    migrate(database_url)
    home = tmp_path / "home"
    env = _env(home, database_url)
    old, new = (
        _sdn_edition(shared_data, tmp_path, short=True),
        _sdn_edition(shared_data, tmp_path, short=False),
    )
    store = Store(database_url)
    [outcome] = update_from_dir(store, old, all_sources(), [SDN])
    assert outcome.ok, outcome.error
    # Something in the audit chain: creating a key is an audited action.
    Accounts(database_url).create_key("crash", Role.viewer, ADMIN)
    before = _rows(store)
    previous = _active_complete(store)
    assert previous[0] == 1 and previous[1] > SHORT_ENTRIES

    started = _write_started(database_url)
    child = subprocess.Popen(
        [sys.executable, "-m", "redline", "update", SDN, "--from-dir", str(new)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(lambda: started() or child.poll() is not None, REACH_WRITE_TIMEOUT, "write")
        assert child.poll() is None, "the update ended before its write could be interrupted"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(30)
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL, stderr

    # The old version is active and complete; nothing of the interrupted one remains.
    store.close()
    store = Store(database_url)
    assert _active_complete(store) == previous
    assert _rows(store) == before
    assert [v.seq for v in store.versions(SDN)] == [1]

    rerun = _redline(env, "update", SDN, "--from-dir", str(new))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert _active_complete(store) == (2, 18048)
    assert _rows(store) == {
        "versions": 2,
        "entity_rows": before["entity_rows"] + 18048,
    }
    chain = verify(database_url)
    assert chain.ok and chain.count >= 1, chain.reason
    store.close()


# --------------------------------------------------------------------------- served update


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: The served list: an FtM export (98 entities), so the server's index is quick to build.
SERVED = "ftm"
FTM_FILE = Path("opensanctions") / "entities.ftm.json"
#: A listed name of that file, and the one the new edition gives that person instead.
OLD_NAME = "Abashkin Konstantin"
NEW_NAME = "Zorvath Quillinex Brandimore"


def _ftm_edition(shared_data: Path, tmp_path: Path, edition: str) -> Path:
    """The FtM file as published (``v1``), or with one person renamed (``v2``: a new
    edition, with another sha256)."""
    folder = tmp_path / f"ftm-{edition}"
    folder.mkdir()
    text_ = (shared_data / FTM_FILE).read_text(encoding="utf-8")
    if edition == "v2":
        assert OLD_NAME in text_
        text_ = text_.replace(OLD_NAME, NEW_NAME)
    (folder / FTM_FILE.name).write_text(text_, encoding="utf-8")
    return folder


@pytest.fixture
def server_home(shared_data: Path, tmp_path: Path) -> Iterator[tuple[dict[str, str], str, str]]:
    """``redline serve`` over the FtM list, with a key; yields (environment, base URL,
    key) and stops the server at the end."""
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'redline.sqlite3'}"
    env = _env(home, url)
    env["REDLINE_POLL_SECONDS"] = "0.5"
    store = Store(url)
    [outcome] = update_from_dir(
        store, _ftm_edition(shared_data, tmp_path, "v1"), all_sources(), [SERVED]
    )
    assert outcome.ok, outcome.error
    store.close()
    migrate(url)
    key = Accounts(url).create_key("served", Role.viewer, ADMIN).raw
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "redline", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def ready() -> bool:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                return httpx.get(f"{base}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait(ready, 60, "server ready")
        yield env, base, key
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        log.close()


def test_served_update_switches_without_failed_requests(
    server_home: tuple[dict[str, str], str, str], shared_data: Path, tmp_path: Path
) -> None:
    env, base, key = server_home
    headers = {"Authorization": f"Bearer {key}"}
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": [NEW_NAME]}}}}
    answers: list[tuple[int, int | None, bool]] = []  # status, ftm version, new name found
    stop = threading.Event()

    def hammer() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while not stop.is_set():
                response = client.post("/match/default", json=body)
                if response.status_code != 200:
                    answers.append((response.status_code, None, False))
                    continue
                data = response.json()
                results = data["responses"]["q"]["results"]
                found = any(NEW_NAME in r["properties"].get("name", []) for r in results)
                answers.append((200, data["versions"][SERVED], found))

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        new_edition = _ftm_edition(shared_data, tmp_path, "v2")
        updated = _redline(env, "update", SERVED, "--from-dir", str(new_edition))
        assert updated.returncode == 0, updated.stdout + updated.stderr

        def served() -> bool:
            catalog = httpx.get(f"{base}/catalog", headers=headers, timeout=10).json()
            return any(d["name"] == SERVED and d["version"] == 2 for d in catalog["datasets"])

        _wait(served, 60, "new version served")
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    assert answers and all(status == 200 for status, _, _ in answers), answers[:5]
    versions = [version for _, version, _ in answers]
    assert set(versions) == {1, 2}
    # Each answer's content agrees with the version it names.
    assert all(found == (version == 2) for _, version, found in answers)
