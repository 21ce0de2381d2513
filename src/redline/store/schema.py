"""Tables of the versioned list store.

Every load of a source is a row of ``source_version`` with its provenance; the
entities of each version are kept (history), and ``active_version`` points at the
one in force.  Flipping that pointer is the atomic activation: it happens in the
same transaction that writes the version, so a reader sees the old version or the
new one, never a half-loaded list.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

source_version = Table(
    "source_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False, index=True),
    #: 1, 2, 3... per source, in load order.
    Column("seq", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    #: ISO date the list was published, as far as known.
    Column("published", String(10), nullable=True),
    #: Where ``published`` comes from: ``file`` (stated in the file), ``option``
    #: (given by the operator) or ``file_mtime`` (the file's modification time).
    Column("published_basis", String(16), nullable=False),
    Column("files", JSON, nullable=False),
    Column("origin", Text, nullable=False),
    Column("counts", JSON, nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("target_count", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

Index("ix_source_version_source_seq", source_version.c.source, source_version.c.seq, unique=True)

entity = Table(
    "entity",
    metadata,
    Column("version_id", Integer, ForeignKey("source_version.id"), primary_key=True),
    Column("entity_id", String(255), primary_key=True),
    Column("schema", String(64), nullable=False),
    Column("source_id", String(255), nullable=True),
    Column("is_target", Boolean, nullable=False),
    Column("caption", Text, nullable=False),
    #: The FtM entity as ``to_dict()`` gives it (without redline's context keys).
    Column("data", JSON, nullable=False),
)

Index("ix_entity_entity_id", entity.c.entity_id)

active_version = Table(
    "active_version",
    metadata,
    Column("source", String(64), primary_key=True),
    Column("version_id", Integer, ForeignKey("source_version.id"), nullable=False),
    Column("activated_at", DateTime(timezone=True), nullable=False),
)

#: Every attempt, including the failed ones, so operators can see what went wrong.
load_attempt = Table(
    "load_attempt",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("sha256", String(64), nullable=True),
    Column("origin", Text, nullable=False),
    Column("outcome", String(16), nullable=False),  # loaded | unchanged | failed
    Column("version_id", Integer, nullable=True),
    Column("message", Text, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)
