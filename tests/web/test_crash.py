"""SIGKILL of the server in the middle of a workspace batch, then a restart.

The server runs in a subprocess (``redline serve``) over its own home: a copy of the
real lists and the session's name index (so it starts in seconds).  After the kill
the batch shows as interrupted and runs to completion again; the alert decided
before the kill is still pending approval; the audit chain verifies.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from redline.match import Screener
from redline.service.audit import verify
from redline.service.db import dispose_engines
from redline.service.records import Records
from redline.settings import Settings
from redline.store import Store
from tests.conftest import PROJECT_ROOT
from tests.service.conftest import ADMIN, FAST_HASHER
from tests.web.conftest import PASSWORD, USERS, copy_store, csrf_of
from tests.web.server import free_port

#: Rows of the generated shipments file: enough to still be screening when killed.
ROWS = 900
SYLLABLES = ["ka", "lo", "mir", "ten", "vos", "dra", "pel", "sun", "tor", "bex", "nai", "qui"]


def shipments_file() -> bytes:
    """``examples/shipments.csv`` cycled, each party given a distinct name (so the
    screener's per-name cache does not make the batch instant)."""
    with (PROJECT_ROOT / "examples" / "shipments.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    n = len(SYLLABLES)
    for i in range(ROWS):
        row = dict(rows[i % len(rows)])
        tag = SYLLABLES[i % n] + SYLLABLES[(i // n) % n] + SYLLABLES[(i // n // n) % n]
        row["row_id"] = f"R-{i:05d}"
        for role in ("buyer", "consignee", "end_user"):
            if row.get(f"{role}_name"):
                row[f"{role}_name"] = f"{row[f'{role}_name']} {tag.title()}"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


@contextmanager
def server(home: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REDLINE_")} | {
        "REDLINE_HOME": str(home),
        "REDLINE_RATE_LIMIT": "0",
        "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT / "src"), str(PROJECT_ROOT)]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "redline", "serve", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                errors = process.stderr.read() if process.stderr else ""
                pytest.fail(f"the server did not become ready:\n{errors[-3000:]}")
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def login(client: httpx.Client, username: str) -> str:
    token = csrf_of(client.get("/web/login").text)
    answer = client.post(
        "/web/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return csrf_of(client.get("/web/screen").text)


def progress(client: httpx.Client, batch: str) -> dict[str, object]:
    data: dict[str, object] = client.get(f"/web/batches/{batch}/progress").json()
    return data


def test_sigkill_mid_batch_then_restart(
    loaded_store: Store, screener: Screener, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    url = copy_store(loaded_store, home / "redline.sqlite3")
    assert screener.index_dir is not None
    shutil.copytree(screener.index_dir, home / "index")
    settings = Settings(home=home, database_url=url)
    store = Store(url)
    records = Records.open(settings, store, hasher=FAST_HASHER)
    for name, role in USERS.items():
        records.accounts.add_user(name, role, PASSWORD, ADMIN)
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    with (
        server(home, port) as first,
        httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client,
    ):
        token = login(client, "ana")
        client.post("/web/screen", data={"csrf_token": token, "name": "Vladimir Putin"})
        decided = records.alerts.list_alerts(origin="workspace")[0]
        answer = client.post(
            f"/web/alerts/{decided.id}/decide",
            data={"csrf_token": token, "decision": "true_match", "reason": "before the crash"},
        )
        assert answer.status_code == 200
        upload = client.post(
            "/web/batches",
            data={"csrf_token": token},
            files={"file": ("big.csv", shipments_file(), "text/csv")},
            follow_redirects=False,
        )
        assert upload.status_code == 303, upload.text
        batch = upload.headers["location"].rsplit("/", 1)[1]
        deadline = time.monotonic() + 60
        while True:
            state = progress(client, batch)
            if state["status"] == "running" and int(str(state["rows_done"])) >= 20:
                break
            assert state["status"] in ("queued", "running"), state
            assert time.monotonic() < deadline, "the batch never got going"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        cookies = dict(client.cookies)

    with (
        server(home, port),
        httpx.Client(base_url=base, timeout=30, cookies=cookies, follow_redirects=True) as client,
    ):
        # The session secret lives in the home: the login survives the restart.
        page = client.get(f"/web/batches/{batch}")
        assert page.status_code == 200
        assert "interrupted" in page.text
        assert 'id="rerun-form"' in page.text
        assert records.alerts.get(decided.id).status == "pending_approval"
        token = csrf_of(page.text)
        rerun = client.post(f"/web/batches/{batch}/run", data={"csrf_token": token})
        assert rerun.status_code == 200
        deadline = time.monotonic() + 120
        while (state := progress(client, batch))["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, "the re-run did not finish"
            time.sleep(0.3)
        assert state["status"] == "done", state
        screened, unreadable = int(str(state["rows_done"])), int(str(state["errors"]))
        assert unreadable > 0  # the example's malformed rows, reported, not screened
        assert screened + unreadable == ROWS
        report = client.get(f"/web/batches/{batch}/files/report.html")
        assert report.status_code == 200 and "big.csv" in report.text
        results = client.get(f"/web/batches/{batch}/files/results.csv").text
        assert len(results.strip().splitlines()) == screened + 1
    assert records.alerts.list_alerts(origin="batch", limit=1)
    assert records.alerts.get(decided.id).pending_reason == "before the crash"
    assert verify(url).ok
    store.close()
    dispose_engines()
