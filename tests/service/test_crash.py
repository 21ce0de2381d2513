"""SIGKILL in the middle of appending and deciding: the chain verifies, no decision is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from redline.match.types import Match
from redline.service.alerts import DbAlertSink
from redline.service.audit import DbAuditLog, export, verify
from redline.store import Store
from tests.conftest import PROJECT_ROOT
from tests.service.conftest import ANALYST

ALERTS = 400
#: Decisions the child must have committed before it is killed.
KILL_AFTER = 25


def _hits(count: int) -> list[Match]:
    return [
        Match(f"gone-{i}", "toy", None, "Person", f"P {i}", f"P {i}", "Q", 0.7, "possible")
        for i in range(count)
    ]


def test_sigkill_mid_write_loses_nothing_committed(db: str) -> None:
    store = Store(db)
    sink = DbAlertSink(db, store, DbAuditLog(db))
    sink.raise_alerts({"names": ["Q"]}, _hits(ALERTS), {"toy": 1}, ANALYST, "batch")
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(PROJECT_ROOT / "src"), str(PROJECT_ROOT)])
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.service.crash_helper", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    assert child.stdout is not None
    decided: list[int] = []
    audited: list[int] = []
    try:
        for line in child.stdout:
            kind, _, value = line.strip().partition(" ")
            if kind == "decided":
                decided.append(int(value))
            elif kind == "audit":
                audited.append(int(value))
            if len(decided) >= KILL_AFTER:
                os.kill(child.pid, signal.SIGKILL)  # mid-way through the next records
                break
    finally:
        child.kill()
        child.wait(timeout=30)
        stderr = child.stderr.read() if child.stderr else ""
    assert len(decided) >= KILL_AFTER, stderr
    assert child.returncode == -signal.SIGKILL

    result = verify(db)
    assert result.ok, result.reason
    records = list(export(db))
    assert result.count >= max(audited)
    decision_ids = {r["payload"]["alert_id"] for r in records if r["event"] == "decision"}
    closed = {a.id for a in sink.list_alerts(status="closed", limit=ALERTS)}
    assert set(decided) <= closed  # every decision the child saw committed is there
    # Atomic: each closed alert has exactly its history row and its audit record, no more.
    assert closed == decision_ids
    for alert_id in closed:
        assert [h["action"] for h in sink.history(alert_id)] == ["decide"]
    assert len(closed) < ALERTS  # it really was killed mid-way
    store.close()

    # The database is still fully usable: the rest can be decided and the chain extended.
    survivor = DbAlertSink(db, Store(db), DbAuditLog(db))
    remaining = survivor.list_alerts(status="open", limit=1)
    survivor.decide(remaining[0].id, "false_positive", "after the crash", ANALYST)
    assert verify(db).ok and verify(db).count == result.count + 1
