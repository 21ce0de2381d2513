"""Migrations: one initial revision owns the store's and the service's tables."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from redline.service.db import engine_for, service_metadata
from redline.service.migrate import VERSION_TABLE, current_revision, head_revision, migrate
from redline.store import Store, load_source
from redline.store.schema import metadata as store_metadata
from tests.store.toy_source import ToySource, write_toy

SERVICE_TABLES = {"users", "api_keys", "audit_log", "alerts", "alert_decisions", "suppressions"}
STORE_TABLES = {"source_version", "entity", "active_version", "load_attempt"}


def test_migrate_creates_everything_and_is_idempotent(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert migrate(database_url) == head_revision()
    tables = set(inspect(engine_for(database_url)).get_table_names())
    assert SERVICE_TABLES | STORE_TABLES | {VERSION_TABLE} <= tables
    assert migrate(database_url) == head_revision()  # second run: nothing to do
    assert current_revision(database_url) == head_revision()


def test_migrated_schema_matches_the_code(database_url: str) -> None:
    """The frozen migration and the table definitions the code uses must not drift apart."""
    migrate(database_url)
    combined = MetaData()
    for table in [*store_metadata.tables.values(), *service_metadata.tables.values()]:
        table.to_metadata(combined)
    with engine_for(database_url).connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, combined)
    assert differences == []


def test_existing_store_is_adopted_with_its_data(database_url: str, tmp_path: Path) -> None:
    """A store created before migrations (``create_all``) keeps its lists when migrated."""
    store = Store(database_url)
    write_toy(tmp_path / "a", [("1", "Person", "Ivan Petrov", "ru")])
    source = ToySource()
    files = source.detect(tmp_path / "a")
    assert files is not None
    load_source(store, source, files)
    store.close()

    migrate(database_url)
    assert current_revision(database_url) == head_revision()
    reopened = Store(database_url)
    try:
        stored = reopened.get_entity("toy-1")
        assert stored is not None and stored.caption == "Ivan Petrov"
        assert [v.seq for v in reopened.versions("toy")] == [1]
    finally:
        reopened.close()
