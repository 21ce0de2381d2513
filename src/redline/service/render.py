"""Listed entities as the API shows them: FollowTheMoney JSON in yente's entity shape.

Entity data is always read from the list version the request's snapshot was built
from (``version_id``), never from "whatever is active now", so the properties shown
beside a score come from the same list version as the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from redline.match.types import Match
from redline.service.state import Snapshot
from redline.store import Store, StoredEntity
from redline.store.schema import entity as entity_table
from redline.store.schema import source_version


def seen_dates(
    store: Store, entity_ids: Iterable[str], upto: Mapping[str, int]
) -> dict[str, tuple[str | None, str | None]]:
    """``entity_id -> (first_seen, last_seen)``: load times of the first and latest
    list versions holding the entity, up to the snapshot's versions (``upto``:
    source -> version id).  One query for all ids."""
    ids = sorted(set(entity_ids))
    if not ids:
        return {}
    query = (
        select(
            entity_table.c.entity_id,
            source_version.c.source,
            source_version.c.id,
            source_version.c.loaded_at,
        )
        .join(source_version, source_version.c.id == entity_table.c.version_id)
        .where(entity_table.c.entity_id.in_(ids))
    )
    found: dict[str, list[datetime]] = {}
    with store.connect() as conn:
        for entity_id, source, version_id, loaded_at in conn.execute(query):
            limit = upto.get(source)
            if limit is not None and version_id <= limit:
                found.setdefault(entity_id, []).append(loaded_at)
    return {entity_id: (_iso(min(times)), _iso(max(times))) for entity_id, times in found.items()}


def entity_json(
    stored: StoredEntity, seen: tuple[str | None, str | None] = (None, None)
) -> dict[str, Any]:
    """One entity as yente's ``EntityResponse``: id, caption, schema, properties..."""
    properties = stored.data.get("properties") or {}
    return {
        "id": stored.entity_id,
        "caption": stored.caption,
        "schema": stored.schema,
        "properties": {k: [str(v) for v in vs] for k, vs in properties.items()},
        "datasets": [stored.source],
        "referents": [stored.source_id] if stored.source_id else [],
        "target": stored.is_target,
        "first_seen": seen[0],
        "last_seen": seen[1],
        "last_change": None,
    }


def scored_json(
    match: Match, stored: StoredEntity | None, seen: tuple[str | None, str | None], threshold: float
) -> dict[str, Any]:
    """A screening result: the entity, its score, yente's ``match`` flag, and why."""
    if stored is not None:
        data = entity_json(stored, seen)
    else:  # cannot happen with a consistent snapshot; keep the answer honest anyway
        data = {
            "id": match.entity_id,
            "caption": match.caption,
            "schema": match.schema,
            "properties": {},
            "datasets": [match.source],
            "referents": [match.source_id] if match.source_id else [],
            "target": True,
            "first_seen": None,
            "last_seen": None,
            "last_change": None,
        }
    features = match.explanation.get("features", {})
    data.update(
        {
            "score": round(match.score, 4),
            "match": match.score >= threshold,
            "decision": match.decision,
            "features": {name: _feature_score(value) for name, value in features.items()},
            "explanations": {
                name: {"detail": _feature_detail(name, value), "score": _feature_score(value)}
                for name, value in features.items()
            },
            "explanation": match.explanation,
        }
    )
    return data


def load_entities(
    store: Store, snapshot: Snapshot, matches: Iterable[Match]
) -> dict[str, StoredEntity]:
    """The stored entities behind ``matches``, from the snapshot's list versions."""
    found: dict[str, StoredEntity] = {}
    for match in matches:
        info = snapshot.versions.get(match.source)
        if info is None:
            continue
        stored = store.get_entity(match.entity_id, version_id=info.id)
        if stored is not None:
            found[match.entity_id] = stored
    return found


def _feature_score(value: Any) -> float:
    if isinstance(value, Mapping):
        return float(value.get("contribution", 0.0))
    return float(value)


def _feature_detail(name: str, value: Any) -> str:
    if isinstance(value, Mapping):
        return str(value.get("detail", name))
    return "name similarity" if name == "name" else name


def _iso(value: datetime) -> str:
    """yente's wire format for dates: ISO seconds, no time zone."""
    return value.replace(tzinfo=None, microsecond=0).isoformat()
