"""The alerts queue: raising, four-eyes decisions, conflicts, remembered false positives."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from redline.match.types import Decision, Match
from redline.service.alerts import (
    AlertConflict,
    AlertNotFound,
    DbAlertSink,
    InvalidDecision,
    InvalidTransition,
    PermissionDenied,
    ReasonRequired,
    SelfApprovalError,
    party_key,
)
from redline.service.audit import DbAuditLog, export, verify
from redline.service.principal import Principal, Role
from redline.service.security import Accounts
from redline.store import Store, load_source
from tests.service.conftest import (
    ADMIN,
    ANALYST,
    ANALYST2,
    APPROVER,
    APPROVER2,
    FAST_HASHER,
    VIEWER,
)
from tests.store.toy_source import ToySource, write_toy

V1 = [
    ("1", "Person", "Ivan Petrov", "ru"),
    ("2", "Company", "Acme Electronics Limited", "hk"),
]
V2 = [
    ("1", "Person", "Ivan Petrov", "by"),  # changed
    ("2", "Company", "Acme Electronics Limited", "hk"),  # unchanged
]
QUERY: dict[str, Any] = {"names": ["Ivan  PETROV"], "schema": "Person"}


def _load(store: Store, folder: Path, rows: list[tuple[str, str, str, str]]) -> int:
    write_toy(folder, rows)
    source = ToySource()
    files = source.detect(folder)
    assert files is not None
    return load_source(store, source, files).version.seq


@pytest.fixture
def store(db: str, tmp_path: Path) -> Iterator[Store]:
    store = Store(db)
    _load(store, tmp_path / "v1", V1)
    yield store
    store.close()


@pytest.fixture
def sink(db: str, store: Store) -> DbAlertSink:
    return DbAlertSink(db, store, DbAuditLog(db))


def hit(entity_id: str = "toy-1", decision: Decision = "possible", score: float = 0.8) -> Match:
    return Match(
        entity_id=entity_id,
        source="toy",
        source_id=entity_id.removeprefix("toy-"),
        schema="Person",
        caption="Ivan Petrov",
        matched_name="Ivan Petrov",
        query_name="Ivan Petrov",
        score=score,
        decision=decision,
        explanation={"name": score},
    )


def screen(
    sink: DbAlertSink,
    *matches: Match,
    query: Mapping[str, Any] = QUERY,
    origin: str = "api",
) -> list[Match]:
    return list(sink.raise_alerts(query, matches, {"toy": 1}, ANALYST, origin))


def only_alert_id(sink: DbAlertSink) -> int:
    (alert,) = sink.list_alerts()
    return alert.id


def test_hits_become_alerts(sink: DbAlertSink) -> None:
    no_match = hit("toy-2", "no_match", 0.2)
    kept = screen(sink, hit("toy-1", "match", 0.97), hit("toy-2", "possible", 0.7), no_match)
    assert len(kept) == 3
    alerts = {a.entity_id: a for a in sink.list_alerts()}
    assert set(alerts) == {"toy-1", "toy-2"}
    first = alerts["toy-1"]
    assert first.status == "open" and first.level == "match" and first.version == 1
    assert first.query == QUERY and first.query_name == "Ivan Petrov"
    assert first.source == "toy" and first.list_version == 1 and first.origin == "api"
    assert first.score == pytest.approx(0.97) and first.explanation == {"name": 0.97}
    assert first.entity_hash is not None and len(first.entity_hash) == 64
    assert first.entity_hash != alerts["toy-2"].entity_hash
    assert not first.entity_changed and first.raised_by == "user:ana (ana)"
    assert sink.count_by_status() == {"open": 2, "pending_approval": 0, "closed": 0}


def test_queue_filters(sink: DbAlertSink) -> None:
    screen(sink, hit("toy-1"), origin="api")
    screen(sink, hit("toy-2"), origin="batch")
    assert [a.entity_id for a in sink.list_alerts(origin="batch")] == ["toy-2"]
    assert len(sink.list_alerts(source="toy", status="open")) == 2
    assert sink.list_alerts(source="other") == []
    assert [a.entity_id for a in sink.list_alerts(limit=1)] == ["toy-2"]  # newest first
    with pytest.raises(ValueError, match="unknown status 'done'"):
        sink.list_alerts(status="done")
    with pytest.raises(AlertNotFound):
        sink.get(999)


def test_false_positive_on_possible_is_final_and_remembered(sink: DbAlertSink) -> None:
    screen(sink, hit("toy-1", "possible"))
    alert_id = only_alert_id(sink)
    done = sink.decide(alert_id, "false_positive", "different birth year", ANALYST)
    assert done.status == "closed" and done.resolution == "false_positive" and done.version == 2

    # The same party, spelled differently, against the same unchanged entity: no alert.
    same_party = {"names": ["petrov, ivan", "Ivan Petrov"], "schema": "Person"}
    assert party_key(same_party) != party_key(QUERY)  # different name set...
    again = {"names": ["IVAN petrov"], "schema": "Person"}
    assert party_key(again) == party_key(QUERY)  # ...but case and spacing do not matter
    other = hit("toy-2", "possible")
    kept = screen(sink, hit("toy-1", "possible"), other, query=again)
    assert kept == [other]
    assert [a.entity_id for a in sink.list_alerts(status="open")] == ["toy-2"]
    # Another party (other schema) is still alerted.
    assert len(screen(sink, hit("toy-1"), query={"names": ["Ivan Petrov"]})) == 1


def test_suppression_ends_when_the_entity_changes(
    sink: DbAlertSink, store: Store, tmp_path: Path
) -> None:
    screen(sink, hit("toy-1"), hit("toy-2"))
    for alert in sink.list_alerts():
        sink.decide(alert.id, "false_positive", "not our party", ANALYST)
    assert screen(sink, hit("toy-1"), hit("toy-2")) == []

    assert _load(store, tmp_path / "v2", V2) == 2  # toy-1's country changes, toy-2 does not
    kept = screen(sink, hit("toy-1"), hit("toy-2"))
    assert [m.entity_id for m in kept] == ["toy-1"]
    (back,) = sink.list_alerts(status="open")
    assert back.entity_id == "toy-1" and back.entity_changed
    # Cleared again, it is remembered against the new data.
    sink.decide(back.id, "false_positive", "still not our party", ANALYST)
    assert screen(sink, hit("toy-1")) == []


def test_true_match_needs_a_second_person(db: str, sink: DbAlertSink) -> None:
    screen(sink, hit("toy-1", "possible"))
    alert_id = only_alert_id(sink)
    pending = sink.decide(alert_id, "true_match", "same passport number", APPROVER)
    assert pending.status == "pending_approval" and pending.resolution is None
    assert pending.pending_decision == "true_match" and pending.pending_by == "user:carol (carol)"

    with pytest.raises(SelfApprovalError, match="second person"):
        sink.approve(alert_id, APPROVER)
    with pytest.raises(SelfApprovalError):
        sink.reject(alert_id, APPROVER, "changed my mind")
    with pytest.raises(PermissionDenied, match="approver role needed"):
        sink.approve(alert_id, ANALYST2)
    closed = sink.approve(alert_id, APPROVER2, comment="confirmed")
    assert closed.status == "closed" and closed.resolution == "true_match"
    assert closed.pending_decision is None and closed.closed_at is not None
    with pytest.raises(InvalidTransition, match="closed, not pending_approval"):
        sink.approve(alert_id, ADMIN)

    history = sink.history(alert_id)
    assert [(h["action"], h["actor_name"], h["to_status"]) for h in history] == [
        ("decide", "carol", "pending_approval"),
        ("approve", "dave", "closed"),
    ]
    records = [r for r in export(db) if r["event"] in ("decision", "approval")]
    assert [(r["event"], r["actor"]["name"]) for r in records] == [
        ("decision", "carol"),
        ("approval", "dave"),
    ]
    assert records[1]["payload"]["outcome"] == "approved"
    assert records[1]["payload"]["decided_by"] == "user:carol (carol)"
    assert verify(db).ok
    # A true match is never a suppression: the next screening alerts again.
    assert len(screen(sink, hit("toy-1"))) == 1


def test_clearing_a_match_level_alert_needs_approval_and_reject_reopens(
    sink: DbAlertSink,
) -> None:
    screen(sink, hit("toy-1", "match", 0.95))
    alert_id = only_alert_id(sink)
    pending = sink.decide(alert_id, "false_positive", "other person", ANALYST)
    assert pending.status == "pending_approval"
    assert screen(sink, hit("toy-1", "match")) != []  # not remembered before approval

    with pytest.raises(ReasonRequired):
        sink.reject(alert_id, APPROVER, "   ")
    reopened = sink.reject(alert_id, APPROVER, "check the birth date first")
    assert reopened.status == "open" and reopened.pending_decision is None
    assert [h["action"] for h in sink.history(alert_id)] == ["decide", "reject"]

    sink.decide(alert_id, "false_positive", "birth dates differ", ANALYST2)
    closed = sink.approve(alert_id, APPROVER)
    assert closed.resolution == "false_positive"
    assert [m.entity_id for m in screen(sink, hit("toy-1", "match"))] == []


def test_decisions_are_checked(sink: DbAlertSink) -> None:
    screen(sink, hit("toy-1"))
    alert_id = only_alert_id(sink)
    with pytest.raises(ReasonRequired, match="needs a reason"):
        sink.decide(alert_id, "false_positive", " \n ", ANALYST)
    with pytest.raises(PermissionDenied, match="cannot decide"):
        sink.decide(alert_id, "false_positive", "looks fine", VIEWER)
    with pytest.raises(InvalidDecision, match="unknown decision 'maybe'"):
        sink.decide(alert_id, "maybe", "unsure", ANALYST)
    with pytest.raises(InvalidTransition, match="open, not pending_approval"):
        sink.approve(alert_id, APPROVER)
    with pytest.raises(AlertNotFound):
        sink.decide(12345, "true_match", "x", ANALYST)
    assert sink.get(alert_id).version == 1 and sink.history(alert_id) == []


def test_stale_version_is_a_conflict(sink: DbAlertSink) -> None:
    screen(sink, hit("toy-1", "match"))
    alert_id = only_alert_id(sink)
    sink.decide(alert_id, "true_match", "same person", ANALYST, expected_version=1)
    with pytest.raises(AlertConflict, match="changed meanwhile"):
        sink.approve(alert_id, APPROVER, expected_version=1)
    assert sink.approve(alert_id, APPROVER, expected_version=2).status == "closed"


def test_key_of_the_decider_cannot_approve(db: str, sink: DbAlertSink) -> None:
    accounts = Accounts(db, hasher=FAST_HASHER)
    accounts.add_user("carol", Role.approver, "long enough password", ADMIN)
    key = accounts.create_key("carol's script", Role.approver, ADMIN, owner="carol")
    as_key = Principal(id=f"key:{key.info.id}", name="script", role=Role.approver, kind="key")
    screen(sink, hit("toy-1"))
    alert_id = only_alert_id(sink)
    sink.decide(alert_id, "true_match", "same person", APPROVER)  # user:carol
    with pytest.raises(SelfApprovalError):
        sink.approve(alert_id, as_key)


def _race(db: str, store: Store, alert_id: int) -> list[str]:
    """Two analysts who both opened version 1 decide at the same moment, on separate engines."""
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def work(actor: Principal, decision: str) -> None:
        own = DbAlertSink(db, store, DbAuditLog(db))
        start.wait()
        try:
            own.decide(alert_id, decision, f"{actor.name} says so", actor, expected_version=1)
            outcomes.append("ok")
        except AlertConflict:
            outcomes.append("conflict")

    threads = [
        threading.Thread(target=work, args=(ANALYST, "true_match")),
        threading.Thread(target=work, args=(ANALYST2, "false_positive")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_decisions_one_wins_one_conflicts(
    db: str, store: Store, sink: DbAlertSink
) -> None:
    rounds = 3
    for _ in range(rounds):
        screen(sink, hit("toy-1", "match"))
    for alert in sink.list_alerts():
        assert _race(db, store, alert.id) == ["conflict", "ok"]
        decided = sink.get(alert.id)
        assert decided.version == 2 and decided.status == "pending_approval"
        (entry,) = sink.history(alert.id)  # one decision recorded, none lost or doubled
        assert entry["decision"] == decided.pending_decision
    decisions = [r for r in export(db) if r["event"] == "decision"]
    assert len(decisions) == rounds
    assert verify(db).ok


def test_other_audit_logs_are_called_after_commit(db: str, store: Store) -> None:
    calls: list[tuple[str, str | None, dict[str, Any]]] = []

    class Memory:
        def record(self, event: str, actor: Principal | None, payload: Mapping[str, Any]) -> None:
            calls.append((event, actor.name if actor else None, dict(payload)))

    sink = DbAlertSink(db, store, Memory())
    screen(sink, hit("toy-1"))
    sink.decide(only_alert_id(sink), "false_positive", "no", ANALYST)
    assert [(e, n) for e, n, _ in calls] == [("decision", "ana")]
    assert calls[0][2]["status"] == "closed"
