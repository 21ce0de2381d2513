"""The hash-chained, append-only audit trail.

Each record carries the hash of the one before it; its own hash is
``sha256(prev_hash + canonical JSON of the record)``.  Changing, removing or
reordering any record breaks the chain at that record, which :func:`verify`
names.  The database adds two guards: triggers refuse UPDATE and DELETE on the
table, and appends are serialised (``BEGIN IMMEDIATE`` on SQLite, a transaction
advisory lock on PostgreSQL) so two writers never both extend the same head and
fork the chain (the unique ``seq`` would refuse the second anyway).

What the chain cannot show by itself is the loss of the newest records: keep the
head hash that :func:`verify` reports somewhere else (e.g. in each day's export)
to anchor it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection, Engine

from redline.service.db import audit_log, engine_for, write_transaction
from redline.service.principal import Principal

#: ``prev_hash`` of the first record.
GENESIS = "0" * 64
#: Key of the PostgreSQL advisory lock serialising appends.
_APPEND_LOCK = 0x61756474  # "audt"


def utc_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 UTC with microseconds and ``Z``: fixed width, so text order is time order."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: one text per value, whatever the engine."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain
    )


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.name
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=str) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"audit payload value of type {type(value).__name__} is not JSON")


def record_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """The hash of one record as stored (``payload`` is the canonical JSON text)."""
    body = {
        "seq": row["seq"],
        "at": row["at"],
        "event": row["event"],
        "actor": {
            "id": row["actor_id"],
            "name": row["actor_name"],
            "role": row["actor_role"],
            "kind": row["actor_kind"],
        },
        "payload": json.loads(row["payload"]),
    }
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


class DbAuditLog:
    """:class:`~redline.service.principal.AuditLog` over the ``audit_log`` table."""

    def __init__(self, url_or_engine: str | Engine) -> None:
        self.engine = engine_for(url_or_engine)

    def record(self, event: str, actor: Principal | None, payload: Mapping[str, Any]) -> None:
        """Append one record in its own transaction."""
        with write_transaction(self.engine) as conn:
            self.append(conn, event, actor, payload)

    def append(
        self, conn: Connection, event: str, actor: Principal | None, payload: Mapping[str, Any]
    ) -> int:
        """Append inside the caller's transaction (commits or rolls back with it); returns seq.

        Call it *last* in a transaction: on PostgreSQL it takes the append lock,
        and holding that lock while waiting for row locks could stall other writers.
        """
        if not event or not event.strip():
            raise ValueError("audit event name must not be blank")
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _APPEND_LOCK})
        head = conn.execute(
            select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
        ).first()
        seq, prev = (head.seq + 1, head.hash) if head is not None else (1, GENESIS)
        row: dict[str, Any] = {
            "seq": seq,
            "at": utc_timestamp(),
            "event": event,
            "actor_id": actor.id if actor else None,
            "actor_name": actor.name if actor else None,
            "actor_role": actor.role.name if actor else None,
            "actor_kind": actor.kind if actor else None,
            "payload": canonical_json(dict(payload)),
            "prev_hash": prev,
        }
        row["hash"] = record_hash(prev, row)
        conn.execute(insert(audit_log).values(**row))
        return seq


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking the chain: ``ok``, or the first broken record and why."""

    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    reason: str | None = None


def verify(url_or_engine: str | Engine) -> VerifyResult:
    """Walk the chain from the first record; stop at the first that does not hold."""
    engine = engine_for(url_or_engine)
    prev = GENESIS
    expected = 1
    count = 0
    with engine.connect() as conn:
        rows = conn.execution_options(yield_per=1000).execute(
            select(audit_log).order_by(audit_log.c.seq)
        )
        for row in rows:
            m = row._mapping
            if m["seq"] != expected:
                return VerifyResult(
                    False,
                    count,
                    prev,
                    expected,
                    f"record {expected} is missing (next stored record is {m['seq']})",
                )
            if m["prev_hash"] != prev:
                return VerifyResult(
                    False,
                    count,
                    prev,
                    m["seq"],
                    f"prev_hash of record {m['seq']} is not the hash of record {m['seq'] - 1}",
                )
            try:
                actual = record_hash(prev, m)
            except ValueError:
                actual = None
            if actual != m["hash"]:
                return VerifyResult(
                    False,
                    count,
                    prev,
                    m["seq"],
                    f"record {m['seq']} was altered: its content does not match its hash",
                )
            prev = m["hash"]
            count += 1
            expected += 1
    return VerifyResult(True, count, prev)


#: The triggers the initial migration creates, per engine.
_GUARDS = {
    "sqlite": ("audit_log_no_update", "audit_log_no_delete"),
    "postgresql": ("audit_log_append_only", "audit_log_no_truncate"),
}


def missing_guards(url_or_engine: str | Engine) -> list[str]:
    """Names of the append-only triggers that are not (any more) on the audit table.

    An intact chain with a missing trigger still deserves a look: someone with
    the power to drop it could also have rewritten the newest records.
    """
    engine = engine_for(url_or_engine)
    if engine.dialect.name == "postgresql":
        query = text(
            "SELECT tgname FROM pg_trigger"
            " WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal"
        )
    else:
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    with engine.connect() as conn:
        present = set(conn.execute(query).scalars())
    return [name for name in _GUARDS.get(engine.dialect.name, ()) if name not in present]


def export(
    url_or_engine: str | Engine,
    since: datetime | date | None = None,
    until: datetime | date | None = None,
) -> Iterator[dict[str, Any]]:
    """Records with ``since <= at < until`` (dates: from the start of ``since`` to the end
    of ``until``), oldest first, each as stored plus its parsed payload."""
    engine = engine_for(url_or_engine)
    query = select(audit_log).order_by(audit_log.c.seq)
    if since is not None:
        query = query.where(audit_log.c.at >= _bound(since, end=False))
    if until is not None:
        query = query.where(audit_log.c.at < _bound(until, end=True))
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            m = row._mapping
            yield {
                "seq": m["seq"],
                "at": m["at"],
                "event": m["event"],
                "actor": {
                    "id": m["actor_id"],
                    "name": m["actor_name"],
                    "role": m["actor_role"],
                    "kind": m["actor_kind"],
                },
                "payload": json.loads(m["payload"]),
                "prev_hash": m["prev_hash"],
                "hash": m["hash"],
            }


def _bound(value: datetime | date, *, end: bool) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return utc_timestamp(value)
    # A date: the whole day counts, so ``until`` is the start of the next day.
    day = date.fromordinal(value.toordinal() + 1) if end else value
    return f"{day.isoformat()}T00:00:00.000000Z"
