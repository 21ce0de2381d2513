"""FollowTheMoney JSON-lines exports, e.g. OpenSanctions' ``entities.ftm.json``.

Each line is one entity as ``EntityProxy.to_dict()`` writes it, plus producer
metadata (OpenSanctions adds ``caption``, ``datasets``, ``referents``, ``target``,
``first_seen``, ``last_seen``, ``last_change``).  Entities are loaded as they are:
their ids are already namespaced by the producer and are kept unchanged, and
their property values are taken as the producer cleaned them.

Context.  ``target: true`` becomes :func:`mark_target` with the entity's own id
as ``source_id``; non-targets are not marked at all (the producer's ``target:
false`` is dropped rather than carried along).  The provenance keys
``datasets``, ``referents``, ``first_seen``, ``last_seen`` and ``last_change`` are
kept in ``proxy.context``: FtM's ``to_dict()`` writes context back out, so they
round-trip into the store.  ``caption`` is dropped (FtM derives it from the
properties) and so is any other producer key, so that only known keys are
stored.

All matching files of a folder form one source version (an excerpt may be split
over several files), so an id that appears twice is an error: the store keeps one
row per entity id and version.  Property names this FtM model does not know (a
newer producer) are dropped by FtM; the parser logs each such name once.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from redline.sources.base import Source, SourceError, SourceFiles
from redline.sources.util import mark_target

log = logging.getLogger(__name__)

NAME = "ftm"

#: Producer keys kept in ``proxy.context`` (they round-trip through ``to_dict``).
CONTEXT_KEYS = ("datasets", "referents", "first_seen", "last_seen", "last_change")

_SUFFIXES = (".ftm.json", ".ftm.jsonl", ".jsonl")
_LAST_CHANGE = re.compile(r'(?<!\\)"last_change"\s*:\s*"(\d{4}-\d{2}-\d{2})')


def is_ftm_name(path: Path) -> bool:
    """``*.ftm.json``, ``*.ftm.jsonl`` or ``*.jsonl``."""
    return path.name.lower().endswith(_SUFFIXES)


def sniff(path: Path) -> bool:
    """Whether the first non-empty line is a JSON object with id, schema, properties."""
    try:
        with path.open("r", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    data = json.loads(line)
                    return isinstance(data, dict) and {"id", "schema", "properties"} <= set(data)
    except (OSError, ValueError):
        return False
    return False


class FtmSource(Source):
    """Entities already in FollowTheMoney form, one JSON object per line."""

    name = NAME
    title = "FollowTheMoney JSON-lines export"
    publisher = "any FtM producer, e.g. OpenSanctions"
    downloads = ()

    def detect(self, directory: Path) -> SourceFiles | None:
        """Every FtM JSON-lines file directly in ``directory``, as one version."""
        if not directory.is_dir():
            return None
        found = tuple(
            path
            for path in sorted(directory.iterdir())
            if path.is_file() and is_ftm_name(path) and sniff(path)
        )
        if not found:
            return None
        return SourceFiles(self.name, found, roles={path.name: path for path in found})

    def parse(self, files: SourceFiles) -> Iterator[EntityProxy]:
        seen: dict[str, str] = {}
        unknown: set[tuple[str, str]] = set()
        for path in _paths(files):
            for line_no, data in _objects(path):
                proxy = _entity(path, line_no, data, unknown)
                where = f"{path.name}:{line_no}"
                if proxy.id in seen:
                    raise SourceError(
                        path,
                        f"entity {proxy.id} appears twice (first at {seen[proxy.id]})",
                        line=line_no,
                    )
                seen[str(proxy.id)] = where
                yield proxy

    def published(self, files: SourceFiles) -> date | None:
        """The latest ``last_change`` (date part) of any entity, if the producer writes it."""
        latest: str | None = None
        for path in _paths(files):
            with path.open("r", encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    match = _LAST_CHANGE.search(line)
                    if match is not None and (latest is None or match.group(1) > latest):
                        latest = match.group(1)
        if latest is None:
            return None
        try:
            return date.fromisoformat(latest)
        except ValueError:
            return None


def _paths(files: SourceFiles) -> list[Path]:
    """The files in the order given (``detect`` sorts them by name)."""
    paths = list(files.files) or list(files.roles.values())
    if not paths:
        raise SourceError("<none>", "no FtM file given")
    return paths


def _objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-empty line; fails on the first bad one."""
    count = 0
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SourceError(path, f"not UTF-8 ({exc.reason})", line=line_no) from None
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise SourceError(path, f"invalid JSON: {exc}", line=line_no) from None
            if not isinstance(data, dict):
                raise SourceError(path, "line is not a JSON object", line=line_no)
            count += 1
            yield line_no, data
    if count == 0:
        raise SourceError(path, "empty file (no entities)")


def _entity(
    path: Path, line_no: int, data: dict[str, Any], unknown: set[tuple[str, str]]
) -> EntityProxy:
    """One checked entity with redline's context conventions applied."""
    entity_id = data.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise SourceError(path, "entity has no id", line=line_no)
    schema_name = data.get("schema")
    schema = model.get(schema_name) if isinstance(schema_name, str) else None
    if schema is None:
        raise SourceError(path, f"unknown schema {schema_name!r} for {entity_id}", line=line_no)
    properties = data.get("properties", {})
    _check_properties(path, line_no, entity_id, properties)
    for prop in properties:
        if schema.get(prop) is None and (schema.name, prop) not in unknown:
            unknown.add((schema.name, prop))
            log.warning("%s, line %d: %s has no property %r; dropped", path, line_no, schema, prop)
    payload = {key: data[key] for key in CONTEXT_KEYS if key in data}
    payload.update(id=entity_id, schema=schema.name, properties=properties)
    try:
        proxy = EntityProxy.from_dict(payload)
    except (InvalidData, TypeError, ValueError) as exc:
        raise SourceError(path, f"invalid entity {entity_id}: {exc}", line=line_no) from None
    if data.get("target") is True:
        mark_target(proxy, entity_id)
    return proxy


def _check_properties(path: Path, line_no: int, entity_id: str, properties: Any) -> None:
    """``properties`` must map names to lists of strings, as FtM writes them."""
    if not isinstance(properties, dict):
        raise SourceError(path, f"properties of {entity_id} are not an object", line=line_no)
    for prop, values in properties.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise SourceError(
                path,
                f"property {prop!r} of {entity_id} is not a list of strings",
                line=line_no,
            )


FTM = FtmSource()
SOURCES = (FTM,)

__all__ = ["CONTEXT_KEYS", "FTM", "NAME", "SOURCES", "FtmSource", "is_ftm_name", "sniff"]
