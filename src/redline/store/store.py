"""The versioned local store of official lists (SQLite by default, any SQLAlchemy URL).

Readers only ever see *complete* versions: a version's rows and the switch of the
``active_version`` pointer are written in one transaction (see :mod:`.loader`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import Connection, Row

from redline.settings import Settings
from redline.store.schema import active_version, entity, load_attempt, metadata, source_version

if TYPE_CHECKING:
    from followthemoney import EntityProxy


@dataclass(frozen=True)
class VersionInfo:
    """One load of one source, with its provenance."""

    id: int
    source: str
    seq: int
    sha256: str
    published: str | None
    published_basis: str
    files: list[dict[str, Any]]
    origin: str
    counts: dict[str, int]
    entity_count: int
    target_count: int
    started_at: datetime
    loaded_at: datetime
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "version": self.seq,
            "sha256": self.sha256,
            "published": self.published,
            "published_basis": self.published_basis,
            "files": self.files,
            "origin": self.origin,
            "counts": self.counts,
            "entity_count": self.entity_count,
            "target_count": self.target_count,
            "loaded_at": self.loaded_at.isoformat(),
            "active": self.active,
        }


@dataclass(frozen=True)
class StoredEntity:
    """An entity as stored in one version of one source."""

    entity_id: str
    source: str
    version_id: int
    schema: str
    source_id: str | None
    is_target: bool
    caption: str
    data: dict[str, Any]

    @cached_property
    def proxy(self) -> EntityProxy:
        from followthemoney import EntityProxy  # not at import: screening never needs it

        return EntityProxy.from_dict(self.data)


class Store:
    """Versions and entities of every source, over one SQLAlchemy engine."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    @classmethod
    def open(cls, settings: Settings) -> Store:
        return cls(settings.store_url)

    def close(self) -> None:
        self.engine.dispose()

    # -- versions ---------------------------------------------------------

    def versions(self, source: str | None = None) -> list[VersionInfo]:
        """All versions (history), oldest first, optionally of one source."""
        query = (
            select(source_version, active_version.c.version_id.label("active_id"))
            .outerjoin(active_version, active_version.c.version_id == source_version.c.id)
            .order_by(source_version.c.source, source_version.c.seq)
        )
        if source is not None:
            query = query.where(source_version.c.source == source)
        with self.engine.connect() as conn:
            return [_version(row) for row in conn.execute(query)]

    def active_versions(self) -> dict[str, VersionInfo]:
        return {v.source: v for v in self.versions() if v.active}

    def version(self, source: str, seq: int | None = None) -> VersionInfo | None:
        """Version ``seq`` of ``source``, or its active version when ``seq`` is None."""
        for info in self.versions(source):
            if (seq is None and info.active) or (seq is not None and info.seq == seq):
                return info
        return None

    def state_token(self) -> str:
        """Changes whenever any source's active version changes (for index caches)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(active_version.c.source, active_version.c.version_id).order_by(
                    active_version.c.source
                )
            ).all()
        return ";".join(f"{source}={vid}" for source, vid in rows)

    def load_attempts(self, source: str | None = None) -> list[dict[str, Any]]:
        query = select(load_attempt).order_by(load_attempt.c.id)
        if source is not None:
            query = query.where(load_attempt.c.source == source)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # -- entities ---------------------------------------------------------

    def iter_entities(
        self, version_id: int, *, targets_only: bool = False
    ) -> Iterator[StoredEntity]:
        query = (
            select(entity, source_version.c.source)
            .join(source_version, source_version.c.id == entity.c.version_id)
            .where(entity.c.version_id == version_id)
            .order_by(entity.c.entity_id)
        )
        if targets_only:
            query = query.where(entity.c.is_target.is_(True))
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                yield _entity(row)

    def iter_active_entities(
        self, sources: Iterable[str] | None = None, *, targets_only: bool = False
    ) -> Iterator[StoredEntity]:
        wanted = set(sources) if sources is not None else None
        for name, info in sorted(self.active_versions().items()):
            if wanted is None or name in wanted:
                yield from self.iter_entities(info.id, targets_only=targets_only)

    def get_entity(self, entity_id: str, version_id: int | None = None) -> StoredEntity | None:
        """An entity from the active versions (or from one given version)."""
        query = (
            select(entity, source_version.c.source)
            .join(source_version, source_version.c.id == entity.c.version_id)
            .where(entity.c.entity_id == entity_id)
        )
        if version_id is None:
            query = query.join(active_version, active_version.c.version_id == entity.c.version_id)
        else:
            query = query.where(entity.c.version_id == version_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _entity(row) if row is not None else None

    def entity_history(self, entity_id: str) -> list[tuple[VersionInfo, StoredEntity]]:
        """Every stored version of an entity, oldest first."""
        versions = {v.id: v for v in self.versions()}
        query = (
            select(entity, source_version.c.source)
            .join(source_version, source_version.c.id == entity.c.version_id)
            .where(entity.c.entity_id == entity_id)
            .order_by(entity.c.version_id)
        )
        with self.engine.connect() as conn:
            return [(versions[row.version_id], _entity(row)) for row in conn.execute(query)]

    def connect(self) -> Connection:
        return self.engine.connect()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _version(row: Row[Any]) -> VersionInfo:
    m = row._mapping
    return VersionInfo(
        id=m["id"],
        source=m["source"],
        seq=m["seq"],
        sha256=m["sha256"],
        published=m["published"],
        published_basis=m["published_basis"],
        files=list(m["files"]),
        origin=m["origin"],
        counts=dict(m["counts"]),
        entity_count=m["entity_count"],
        target_count=m["target_count"],
        started_at=m["started_at"],
        loaded_at=m["loaded_at"],
        active=m["active_id"] is not None,
    )


def _entity(row: Row[Any]) -> StoredEntity:
    m = row._mapping
    return StoredEntity(
        entity_id=m["entity_id"],
        source=m["source"],
        version_id=m["version_id"],
        schema=m["schema"],
        source_id=m["source_id"],
        is_target=bool(m["is_target"]),
        caption=m["caption"],
        data=dict(m["data"]),
    )
