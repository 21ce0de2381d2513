"""The audit chain: verifies, detects tampering by seq, refuses UPDATE/DELETE, never forks."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from redline.service.audit import (
    GENESIS,
    DbAuditLog,
    export,
    missing_guards,
    record_hash,
    verify,
)
from redline.service.db import audit_log, engine_for
from tests.service.conftest import ADMIN, ANALYST


def _fill(db: str, count: int) -> DbAuditLog:
    log = DbAuditLog(db)
    for i in range(count):
        log.record("screening", ANALYST, {"i": i, "name": f"Party {i}", "when": date(2026, 1, 2)})
    return log


def _drop_triggers(db: str) -> None:
    engine = engine_for(db)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_log_append_only ON audit_log"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def test_chain_verifies_and_records_what_happened(db: str) -> None:
    assert verify(db).ok and verify(db).count == 0 and verify(db).head_hash == GENESIS
    _fill(db, 3)
    DbAuditLog(db).record("config.reload", None, {"by": "system"})
    result = verify(db)
    assert result.ok and result.count == 4 and result.broken_seq is None
    records = list(export(db))
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    first = records[0]
    assert first["event"] == "screening" and first["prev_hash"] == GENESIS
    assert first["actor"] == {"id": "user:ana", "name": "ana", "role": "analyst", "kind": "user"}
    assert first["payload"] == {"i": 0, "name": "Party 0", "when": "2026-01-02"}
    assert records[3]["actor"]["id"] is None
    assert all(records[i]["prev_hash"] == records[i - 1]["hash"] for i in range(1, 4))
    assert result.head_hash == records[-1]["hash"]
    assert first["at"].endswith("Z") and len(first["at"]) == len("2026-01-02T03:04:05.123456Z")


def test_payload_is_canonical_json(db: str) -> None:
    DbAuditLog(db).record("screening", ANALYST, {"b": 1, "a": ["é", 2.5]})
    with engine_for(db).connect() as conn:
        stored = conn.execute(text("SELECT payload FROM audit_log")).scalar_one()
    assert stored == '{"a":["é",2.5],"b":1}'


def test_bad_events_and_payloads_are_refused(db: str) -> None:
    log = DbAuditLog(db)
    with pytest.raises(ValueError, match="blank"):
        log.record("  ", ANALYST, {})
    with pytest.raises(TypeError, match="not JSON"):
        log.record("screening", ANALYST, {"x": object()})
    assert verify(db).count == 0


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET event = 'x'", "DELETE FROM audit_log"])
def test_triggers_refuse_update_and_delete(db: str, statement: str) -> None:
    _fill(db, 2)
    with pytest.raises(DatabaseError, match="append-only"), engine_for(db).begin() as conn:
        conn.execute(text(statement))
    assert verify(db).ok and verify(db).count == 2


def test_altered_record_is_named(db: str) -> None:
    _fill(db, 5)
    assert missing_guards(db) == []
    _drop_triggers(db)
    assert missing_guards(db) != []
    with engine_for(db).begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.seq == 3).values(payload='{"i":99}'))
    result = verify(db)
    assert not result.ok and result.broken_seq == 3 and result.count == 2
    assert "record 3 was altered" in (result.reason or "")


def test_rehashed_forgery_breaks_the_next_link(db: str) -> None:
    """A forger who also recomputes the altered record's hash is caught at the next record."""
    _fill(db, 4)
    _drop_triggers(db)
    engine = engine_for(db)
    with engine.begin() as conn:
        row = dict(conn.execute(audit_log.select().where(audit_log.c.seq == 2)).one()._mapping)
        row["actor_name"] = "someone else"
        forged = record_hash(row["prev_hash"], row)
        conn.execute(
            audit_log.update()
            .where(audit_log.c.seq == 2)
            .values(actor_name="someone else", hash=forged)
        )
    result = verify(db)
    assert not result.ok and result.broken_seq == 3
    assert "prev_hash of record 3" in (result.reason or "")


def test_deleted_record_is_named(db: str) -> None:
    _fill(db, 4)
    _drop_triggers(db)
    with engine_for(db).begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    result = verify(db)
    assert not result.ok and result.broken_seq == 2
    assert "record 2 is missing" in (result.reason or "")


def test_concurrent_appends_keep_one_chain(db: str) -> None:
    threads, each = 4, 12
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def work(n: int) -> None:
        log = DbAuditLog(db)
        start.wait()
        try:
            for i in range(each):
                log.record("screening", ANALYST, {"thread": n, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    result = verify(db)
    assert result.ok and result.count == threads * each
    payloads = {(r["payload"]["thread"], r["payload"]["i"]) for r in export(db)}
    assert len(payloads) == threads * each


def test_export_by_date_range(db: str) -> None:
    _fill(db, 2)
    today = datetime.now(UTC).date()
    assert len(list(export(db, today, today))) == 2
    assert list(export(db, today + timedelta(days=1))) == []
    assert list(export(db, None, today - timedelta(days=1))) == []
    moment = datetime.now(UTC) + timedelta(seconds=5)
    assert len(list(export(db, until=moment))) == 2


def test_cli_verify_and_export(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.service.test_cli_gov import run

    monkeypatch.setenv("REDLINE_DATABASE_URL", db)
    _fill(db, 3)
    DbAuditLog(db).record("user.add", ADMIN, {"username": "x"})
    code, out, err = run("audit", "verify")
    assert code == 0, err
    assert "4 records" in out

    today = datetime.now(UTC).date().isoformat()
    target = tmp_path / "audit.jsonl"
    code, out, err = run("audit", "export", "--from", today, "--to", today, "--output", str(target))
    assert code == 0, err
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["seq"] for line in lines] == [1, 2, 3, 4]
    code, out, _ = run("audit", "export", "--from", "2001-01-01", "--to", "2001-01-31")
    assert code == 0 and out.strip() == ""
    code, _, err = run("audit", "export", "--from", "yesterday")
    assert code != 0 and "date" in err.lower()

    _drop_triggers(db)
    code, out, err = run("audit", "verify")
    assert code == 1 and "4 records" in out and "triggers are missing" in err
    with engine_for(db).begin() as conn:
        conn.execute(text("UPDATE audit_log SET event = 'login' WHERE seq = 2"))
    code, out, err = run("audit", "verify")
    assert code == 1
    assert "record 2" in err
