"""What changed between two versions of one source ("what was added today").

Entities are keyed on their ids, which derive from the list's own ids, so an
entry that keeps its list id across publications is *changed*, not removed and
added again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from redline.store.store import Store, StoredEntity, VersionInfo


@dataclass(frozen=True)
class PropertyChange:
    prop: str
    added: list[str]
    removed: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"property": self.prop, "added": self.added, "removed": self.removed}


@dataclass(frozen=True)
class EntityChange:
    entity_id: str
    source_id: str | None
    schema: str
    caption: str
    is_target: bool
    changes: list[PropertyChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.entity_id,
            "source_id": self.source_id,
            "schema": self.schema,
            "caption": self.caption,
            "target": self.is_target,
        }
        if self.changes:
            data["changes"] = [c.to_dict() for c in self.changes]
        return data


@dataclass(frozen=True)
class VersionDiff:
    source: str
    old: VersionInfo | None
    new: VersionInfo
    added: list[EntityChange]
    removed: list[EntityChange]
    changed: list[EntityChange]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "from": self.old.to_dict() if self.old else None,
            "to": self.new.to_dict(),
            "summary": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "added": [c.to_dict() for c in self.added],
            "removed": [c.to_dict() for c in self.removed],
            "changed": [c.to_dict() for c in self.changed],
        }


class DiffError(ValueError):
    """The versions asked for do not exist."""


def diff_versions(
    store: Store, source: str, old_seq: int | None = None, new_seq: int | None = None
) -> VersionDiff:
    """Diff version ``old_seq`` against ``new_seq`` of ``source``.

    Defaults: ``new`` is the active version, ``old`` the version loaded just before it.
    With only one version stored, everything in it counts as added.
    """
    versions = store.versions(source)
    if not versions:
        raise DiffError(f"no versions of source {source!r} are stored")
    by_seq = {v.seq: v for v in versions}
    if new_seq is None:
        new = next((v for v in versions if v.active), versions[-1])
    elif new_seq in by_seq:
        new = by_seq[new_seq]
    else:
        raise DiffError(f"{source} has no version {new_seq}; versions: {sorted(by_seq)}")
    if old_seq is None:
        older = [v for v in versions if v.seq < new.seq]
        old = older[-1] if older else None
    elif old_seq in by_seq:
        old = by_seq[old_seq]
    else:
        raise DiffError(f"{source} has no version {old_seq}; versions: {sorted(by_seq)}")

    before = {e.entity_id: e for e in store.iter_entities(old.id)} if old else {}
    after = {e.entity_id: e for e in store.iter_entities(new.id)}
    added = [_change(after[i]) for i in sorted(after.keys() - before.keys())]
    removed = [_change(before[i]) for i in sorted(before.keys() - after.keys())]
    changed: list[EntityChange] = []
    for entity_id in sorted(after.keys() & before.keys()):
        props = property_changes(before[entity_id].data, after[entity_id].data)
        if props or before[entity_id].schema != after[entity_id].schema:
            changed.append(_change(after[entity_id], props))
    return VersionDiff(source, old, new, added, removed, changed)


def property_changes(old: dict[str, Any], new: dict[str, Any]) -> list[PropertyChange]:
    """Per-property values added and removed between two FtM entity dicts."""
    old_props: dict[str, list[str]] = old.get("properties", {})
    new_props: dict[str, list[str]] = new.get("properties", {})
    changes = []
    for prop in sorted(old_props.keys() | new_props.keys()):
        was = set(old_props.get(prop, []))
        now = set(new_props.get(prop, []))
        if was != now:
            changes.append(PropertyChange(prop, sorted(now - was), sorted(was - now)))
    return changes


def _change(item: StoredEntity, props: list[PropertyChange] | None = None) -> EntityChange:
    return EntityChange(
        entity_id=item.entity_id,
        source_id=item.source_id,
        schema=item.schema,
        caption=item.caption,
        is_target=item.is_target,
        changes=props or [],
    )
