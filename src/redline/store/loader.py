"""Loading one source's files as a new, atomically activated version.

The whole file set is parsed *before* anything is written: a parse error leaves
the store exactly as it was.  The version rows and the switch of the active
pointer are then written in a single transaction, so a crash mid-write leaves
the previous version active and complete.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from followthemoney import EntityProxy
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from redline.sources.base import Source, SourceError, SourceFiles
from redline.sources.util import is_target, source_id_of
from redline.store.schema import active_version, entity, load_attempt, source_version
from redline.store.store import Store, VersionInfo

#: Rows written per INSERT statement.
_BATCH = 2000
#: Context keys redline adds to entities; kept in columns, not in the FtM JSON.
_REDLINE_CONTEXT = ("source_id", "target")

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class LoadResult:
    """What a load did: a new version, or nothing because the files were known."""

    source: str
    version: VersionInfo
    unchanged: bool


def utcnow() -> datetime:
    return datetime.now(UTC)


def load_source(
    store: Store,
    source: Source,
    files: SourceFiles,
    *,
    published: date | None = None,
    origin: str | None = None,
    progress: ProgressCallback | None = None,
) -> LoadResult:
    """Parse ``files`` with ``source`` and store them as its new active version.

    Loading files identical (by sha256) to a version already stored is a no-op.
    Raises :class:`SourceError` on bad input, after recording the failed attempt.
    """
    origin = origin or ", ".join(str(p) for p in files.files)
    started = utcnow()
    sha = files.sha256()
    known = _version_with_sha(store, source.name, sha)
    if known is not None:
        _record_attempt(store, source.name, sha, origin, "unchanged", known.id, None)
        return LoadResult(source.name, known, unchanged=True)

    try:
        entities = _parse_all(source, files, progress)
        published_on, basis = _publication(source, files, published)
    except SourceError as exc:
        _record_attempt(store, source.name, sha, origin, "failed", None, str(exc))
        raise

    rows = [_row(proxy) for proxy in entities.values()]
    counts = Counter(row["schema"] for row in rows)
    targets = sum(1 for row in rows if row["is_target"])
    files_meta = [
        {"role": role, "name": path.name, "size": path.stat().st_size}
        for role, path in sorted(files.roles.items())
    ] or [{"role": p.name, "name": p.name, "size": p.stat().st_size} for p in files.files]

    with store.engine.begin() as conn:
        seq = _next_seq(conn, source.name)
        inserted = conn.execute(
            insert(source_version).values(
                source=source.name,
                seq=seq,
                sha256=sha,
                published=published_on,
                published_basis=basis,
                files=files_meta,
                origin=origin,
                counts=dict(sorted(counts.items())),
                entity_count=len(rows),
                target_count=targets,
                started_at=started,
                loaded_at=utcnow(),
            )
        ).inserted_primary_key
        assert inserted is not None
        version_id = inserted[0]
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            conn.execute(insert(entity), [dict(row, version_id=version_id) for row in batch])
        _activate(conn, source.name, version_id)
        conn.execute(
            insert(load_attempt).values(
                source=source.name,
                sha256=sha,
                origin=origin,
                outcome="loaded",
                version_id=version_id,
                message=None,
                at=utcnow(),
            )
        )
    info = store.version(source.name, seq)
    assert info is not None
    return LoadResult(source.name, info, unchanged=False)


def _parse_all(
    source: Source, files: SourceFiles, progress: ProgressCallback | None
) -> dict[str, EntityProxy]:
    """Every entity of the file set, duplicates of one id merged."""
    entities: dict[str, EntityProxy] = {}
    main_file = files.files[0] if files.files else "?"
    for proxy in source.parse(files):
        if not proxy.id:
            raise SourceError(main_file, f"parser produced a {proxy.schema.name} without id")
        existing = entities.get(proxy.id)
        if existing is None:
            entities[proxy.id] = proxy
        else:
            context = {**existing.context, **proxy.context}
            existing.merge(proxy)
            existing.context.update(context)
        if progress is not None:
            progress(1)
    if not any(is_target(p) for p in entities.values()):
        raise SourceError(main_file, "no list entries found: refusing to activate an empty list")
    return entities


def _publication(source: Source, files: SourceFiles, given: date | None) -> tuple[str | None, str]:
    if given is not None:
        return given.isoformat(), "option"
    stated = source.published(files)
    if stated is not None:
        return stated.isoformat(), "file"
    mtimes = [p.stat().st_mtime for p in files.files]
    if not mtimes:
        return None, "unknown"
    return datetime.fromtimestamp(max(mtimes), UTC).date().isoformat(), "file_mtime"


def _row(proxy: EntityProxy) -> dict[str, Any]:
    data = proxy.to_dict()
    for key in _REDLINE_CONTEXT:
        data.pop(key, None)
    return {
        "entity_id": proxy.id,
        "schema": proxy.schema.name,
        "source_id": source_id_of(proxy),
        "is_target": is_target(proxy),
        "caption": proxy.caption or proxy.id,
        "data": data,
    }


def _version_with_sha(store: Store, source: str, sha: str) -> VersionInfo | None:
    for info in store.versions(source):
        if info.sha256 == sha:
            return info
    return None


def _next_seq(conn: Connection, source: str) -> int:
    current = conn.execute(
        select(func.max(source_version.c.seq)).where(source_version.c.source == source)
    ).scalar()
    return int(current or 0) + 1


def _activate(conn: Connection, source: str, version_id: int) -> None:
    now = utcnow()
    updated = conn.execute(
        update(active_version)
        .where(active_version.c.source == source)
        .values(version_id=version_id, activated_at=now)
    ).rowcount
    if not updated:
        conn.execute(
            insert(active_version).values(source=source, version_id=version_id, activated_at=now)
        )


def _record_attempt(
    store: Store,
    source: str,
    sha: str | None,
    origin: str,
    outcome: str,
    version_id: int | None,
    message: str | None,
) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            insert(load_attempt).values(
                source=source,
                sha256=sha,
                origin=origin,
                outcome=outcome,
                version_id=version_id,
                message=message,
                at=utcnow(),
            )
        )
