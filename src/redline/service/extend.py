"""Data extension of the reconciliation API (0.2): property values of reconciled entities.

After reconciling, OpenRefine asks for columns such as birth date, nationality or
programme of the matched entities.  Values come from the list versions being served;
countries and other coded values are shown by their labels, as yente does.
"""

from __future__ import annotations

from typing import Any

from followthemoney import model, registry
from followthemoney.property import Property
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from redline.match.types import SCREENABLE_SCHEMAS
from redline.service.screening import bad_request, parse_json, screenable_schema
from redline.service.state import Snapshot

MAX_IDS = 500


class ExtendSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=0, ge=0, le=1000)


class ExtendProperty(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str = Field(max_length=100)
    settings: ExtendSettings = Field(default_factory=ExtendSettings)


class ExtendQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    ids: list[str] = Field(max_length=MAX_IDS)
    properties: list[ExtendProperty] = Field(max_length=50)


def extendable() -> dict[str, Property]:
    """Properties an extension may ask for: shown, non-entity ones of screenable types."""
    found: dict[str, Property] = {}
    for name in SCREENABLE_SCHEMAS:
        schema = model.get(name)
        for prop in schema.properties.values() if schema is not None else ():
            if not prop.hidden and prop.type != registry.entity:
                found.setdefault(prop.name, prop)
    return found


def propose_properties(type_name: str, limit: int) -> dict[str, Any]:
    """The properties of a type worth fetching, featured ones first."""
    schema = screenable_schema(type_name, "type")
    featured = [p for p in schema.featured if schema.get(p) is not None]
    rest = sorted(
        p.name
        for p in schema.properties.values()
        if not p.hidden and p.type != registry.entity and p.name not in featured
    )
    names = featured + rest
    if limit:
        names = names[:limit]
    properties = [{"id": n, "name": schema.properties[n].label} for n in names]
    return {"type": schema.name, "properties": properties, "limit": limit}


def extend_rows(snapshot: Snapshot, raw: str | dict[str, Any]) -> dict[str, Any]:
    """``{"meta": [...], "rows": {id: {property: [{"str": value}]}}}`` for the ids asked."""
    if isinstance(raw, str):
        raw = parse_json(raw, "extend")
    try:
        query = ExtendQuery.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise bad_request(f"extend.{where}: {first['msg']}") from None
    known = extendable()
    unknown = [p.id for p in query.properties if p.id not in known]
    if unknown:
        raise bad_request(f"extend.properties: unknown property {unknown[0]!r}.")
    served = {info.id for info in snapshot.versions.values()}
    store = snapshot.screener.store
    rows: dict[str, dict[str, list[dict[str, str]]]] = {}
    for entity_id in query.ids:
        found = [s for _v, s in store.entity_history(entity_id) if s.version_id in served]
        properties = found[-1].data.get("properties", {}) if found else {}
        row: dict[str, list[dict[str, str]]] = {}
        for item in query.properties:
            prop = known[item.id]
            values = [str(v) for v in properties.get(item.id, [])]
            if item.settings.limit:
                values = values[: item.settings.limit]
            row[item.id] = [{"str": prop.type.caption(v) or v} for v in values]
        rows[entity_id] = row
    meta = [{"id": p.id, "name": known[p.id].label} for p in query.properties]
    return {"meta": meta, "rows": rows}
