"""Alembic environment: runs on the connection :func:`redline.service.migrate.migrate` passes."""

from __future__ import annotations

from alembic import context

from redline.service.migrate import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
