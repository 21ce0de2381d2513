"""Bring a database to the current schema, from code (no ``alembic.ini`` for users).

``migrate(url)`` is idempotent and cheap when nothing is to do, so the CLI and the
service call it on start-up.  On PostgreSQL an advisory lock makes two processes
starting at once migrate one after the other; on SQLite ``BEGIN IMMEDIATE`` does.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

from redline.service.db import engine_for, write_transaction

#: Alembic's bookkeeping table, named so it cannot clash with another tool's in a shared database.
VERSION_TABLE = "redline_schema_version"
#: Key of the PostgreSQL advisory lock held while migrating.
_MIGRATE_LOCK = 0x7265646C  # "redl"
_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url_or_engine: str | Engine) -> str | None:
    """The revision the database is at, or ``None`` when it was never migrated."""
    engine = engine_for(url_or_engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def migrate(url_or_engine: str | Engine) -> str:
    """Upgrade the database to the newest revision; returns that revision."""
    engine = engine_for(url_or_engine)
    if current_revision(engine) == head_revision():
        return head_revision()
    config = _config()
    with write_transaction(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATE_LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return head_revision()
