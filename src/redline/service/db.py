"""Tables of the service's records, and engines that write them safely.

They live in the same database as the list store (``Settings.store_url``): SQLite
by default, PostgreSQL when ``REDLINE_DATABASE_URL`` names one
(``postgresql+psycopg://user@host/db``).  The schema is owned by the Alembic
migrations in :mod:`redline.service.migrations` (see :func:`redline.service.migrate.migrate`);
the definitions here are what the code reads and writes, and a test checks that
the migrated schema matches them.

Writers that must not interleave (the audit chain, alert decisions) use
:func:`write_transaction`: on SQLite it starts the transaction with
``BEGIN IMMEDIATE`` (the write lock is taken at once, so two writers never both
read the old state and then collide on commit); on PostgreSQL the ordinary
transaction is used and callers add row or advisory locks where they need them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.engine import Connection, Engine

#: Tables of the service (users, keys, audit, alerts); the list store has its own.
service_metadata = MetaData()

#: Timestamps are ISO 8601 UTC strings with microseconds (``2026-01-02T03:04:05.123456Z``):
#: the same bytes on every engine (the audit hash covers them) and sortable as text.
_TS = String(32)

users = Table(
    "users",
    service_metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    #: argon2id hash (PHC string); never the password.
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
)

api_keys = Table(
    "api_keys",
    service_metadata,
    #: Public part of the key (``rl_<id>_<secret>``): lookup is by id, proof by hash.
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    #: The user the key acts for, if any (for four-eyes checks across user and key).
    Column("owner", String(64), ForeignKey("users.username"), nullable=True),
    #: argon2id hash of the whole raw key; never the key.
    Column("secret_hash", Text, nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("revoked_at", _TS, nullable=True),
    Column("revoked_by", String(128), nullable=True),
)

audit_log = Table(
    "audit_log",
    service_metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", _TS, nullable=False, index=True),
    Column("event", String(64), nullable=False, index=True),
    Column("actor_id", String(128), nullable=True),
    Column("actor_name", String(128), nullable=True),
    Column("actor_role", String(16), nullable=True),
    Column("actor_kind", String(8), nullable=True),
    #: Canonical JSON (sorted keys, no spaces) of the event's details.
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)

alerts = Table(
    "alerts",
    service_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", _TS, nullable=False, index=True),
    #: open -> pending_approval -> closed (or back to open when an approver rejects).
    Column("status", String(24), nullable=False, index=True),
    #: The screening decision that raised it: ``match`` or ``possible``.
    Column("level", String(16), nullable=False),
    Column("query", JSON, nullable=False),
    #: Stable key of the screened party (see :func:`redline.service.alerts.party_key`).
    Column("party_key", String(64), nullable=False),
    Column("query_name", Text, nullable=False),
    Column("entity_id", String(255), nullable=False),
    Column("source", String(64), nullable=False, index=True),
    Column("list_version", Integer, nullable=True),
    Column("schema", String(64), nullable=False),
    Column("caption", Text, nullable=False),
    Column("matched_name", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("explanation", JSON, nullable=False),
    Column("origin", String(32), nullable=False, index=True),
    #: sha256 of the listed entity's data in the store when the alert was raised.
    Column("entity_hash", String(64), nullable=True),
    #: Raised again because the entity changed after it was cleared as a false positive.
    Column("entity_changed", Boolean, nullable=False, default=False),
    Column("raised_by", String(128), nullable=False),
    #: Final outcome once closed: ``false_positive`` or ``true_match``.
    Column("resolution", String(24), nullable=True),
    #: The decision awaiting a second person, with who made it and why.
    Column("pending_decision", String(24), nullable=True),
    Column("pending_reason", Text, nullable=True),
    Column("pending_by", String(128), nullable=True),
    Column("pending_person", String(128), nullable=True),
    Column("closed_at", _TS, nullable=True),
    #: Optimistic lock: every change is ``UPDATE ... WHERE id=? AND version=?``.
    Column("version", Integer, nullable=False, default=1),
)

Index("ix_alerts_party_entity", alerts.c.party_key, alerts.c.entity_id)

alert_decisions = Table(
    "alert_decisions",
    service_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False, index=True),
    Column("at", _TS, nullable=False),
    #: ``decide``, ``approve`` or ``reject``.
    Column("action", String(16), nullable=False),
    Column("decision", String(24), nullable=True),
    Column("reason", Text, nullable=True),
    Column("actor_id", String(128), nullable=False),
    Column("actor_name", String(128), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_kind", String(8), nullable=False),
    Column("from_status", String(24), nullable=False),
    Column("to_status", String(24), nullable=False),
)

#: Remembered false positives: this party against this entity *as it was* is not an alert.
suppressions = Table(
    "suppressions",
    service_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party_key", String(64), nullable=False),
    Column("entity_id", String(255), nullable=False),
    Column("entity_hash", String(64), nullable=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("created_at", _TS, nullable=False),
    Column("created_by", String(128), nullable=False),
)

Index("ix_suppressions_party_entity", suppressions.c.party_key, suppressions.c.entity_id)

_ENGINE_CACHE: dict[str, Engine] = {}
_ENGINE_LOCK = threading.Lock()


def engine_for(url_or_engine: str | Engine) -> Engine:
    """An engine for ``url`` set up for the service's writers (one per URL per process).

    SQLite gets WAL, foreign keys, a generous busy timeout, and transactions
    begun by SQLAlchemy (not by the driver), so :func:`write_transaction` can ask
    for ``BEGIN IMMEDIATE``.
    """
    if isinstance(url_or_engine, Engine):
        return url_or_engine
    url = url_or_engine
    with _ENGINE_LOCK:
        cached = _ENGINE_CACHE.get(url)
        if cached is None:
            cached = _ENGINE_CACHE[url] = _new_engine(url)
        return cached


def _new_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def dispose_engines() -> None:
    """Close every cached engine (tests, and processes that fork)."""
    with _ENGINE_LOCK:
        for engine in _ENGINE_CACHE.values():
            engine.dispose()
        _ENGINE_CACHE.clear()


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the database's write lock from its first statement (SQLite).

    On PostgreSQL this is an ordinary READ COMMITTED transaction; the audit log
    adds an advisory lock, alert changes rely on row locks and version checks.
    """
    with engine.connect() as conn:
        conn.execution_options(redline_immediate=True)
        with conn.begin():
            yield conn


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN (pysqlite would defer it to the first write).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("redline_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
