"""The services OpenRefine calls around reconciliation: suggest (auto-complete of
entities, types and properties) and the HTML preview of an entity.

The preview is built from listed data: every value is escaped.  Entity suggestions
match the start of a name with a parameterised ``LIKE`` (wildcards taken literally).
"""

from __future__ import annotations

import html
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from followthemoney import model, registry
from followthemoney.property import Property
from sqlalchemy import select

from redline.service.access import Viewer
from redline.service.api import DatasetPath
from redline.service.context import services_of, snapshot_of
from redline.service.reconcile import schema_type, screenable
from redline.store.schema import entity as entity_table

router = APIRouter(tags=["Reconciliation"])

SUGGEST_LIMIT = 20


def _prefixed(prefix: str, *texts: str) -> bool:
    wanted = prefix.strip().lower()
    return not wanted or any(wanted in t.lower() for t in texts)


@router.get("/reconcile/{dataset}/suggest/entity", summary="Suggest entities")
def suggest_entity(
    request: Request,
    dataset: DatasetPath,
    _principal: Viewer,
    prefix: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = SUGGEST_LIMIT,
) -> dict[str, Any]:
    """Listed subjects whose name starts with ``prefix`` (for OpenRefine's auto-complete)."""
    services = services_of(request)
    snapshot = snapshot_of(request)
    sources = services.dataset_sources(dataset, snapshot)
    result: list[dict[str, Any]] = []
    if prefix.strip():
        version_ids = [
            info.id
            for name, info in snapshot.versions.items()
            if sources is None or name in sources
        ]
        query = (
            select(entity_table.c.entity_id, entity_table.c.caption, entity_table.c.schema)
            .where(entity_table.c.version_id.in_(version_ids))
            .where(entity_table.c.is_target.is_(True))
            .where(entity_table.c.caption.istartswith(prefix.strip(), autoescape=True))
            .order_by(entity_table.c.caption)
            .limit(limit)
        )
        with snapshot.screener.store.connect() as conn:
            for entity_id, caption, schema_name in conn.execute(query):
                schema = model.get(schema_name)
                notable = [schema_type(schema)] if schema is not None else []
                result.append({"id": entity_id, "name": caption, "notable": notable})
    return {"code": "/api/status/ok", "status": "200 OK", "prefix": prefix, "result": result}


@router.get("/reconcile/{dataset}/suggest/type", summary="Suggest types (FtM schemata)")
def suggest_type(
    request: Request,
    dataset: DatasetPath,
    _principal: Viewer,
    prefix: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    services_of(request).dataset_sources(dataset, snapshot_of(request))
    result = [
        {**schema_type(s), "description": s.description or s.label}
        for s in screenable()
        if _prefixed(prefix, s.name, s.label)
    ]
    return {"code": "/api/status/ok", "status": "200 OK", "prefix": prefix, "result": result}


@router.get("/reconcile/{dataset}/suggest/property", summary="Suggest properties")
def suggest_property(
    request: Request,
    dataset: DatasetPath,
    _principal: Viewer,
    prefix: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    services_of(request).dataset_sources(dataset, snapshot_of(request))
    seen: dict[str, Property] = {}
    for schema in screenable():
        for prop in schema.properties.values():
            if prop.hidden or prop.type == registry.entity or prop.name in seen:
                continue
            if _prefixed(prefix, prop.name, prop.label):
                seen[prop.name] = prop
    result = [
        {"id": p.name, "name": p.label, "description": p.description or p.label}
        for p in sorted(seen.values(), key=lambda p: p.name)
    ][:SUGGEST_LIMIT]
    return {"code": "/api/status/ok", "status": "200 OK", "prefix": prefix, "result": result}


@router.get(
    "/reconcile/{dataset}/preview",
    summary="HTML preview of an entity",
    response_class=HTMLResponse,
    responses={404: {"description": "Entity not found"}},
)
def preview(
    request: Request,
    dataset: DatasetPath,
    _principal: Viewer,
    id: Annotated[str, Query(max_length=255, description="Entity id")],
) -> HTMLResponse:
    """A small HTML card of a listed entity; every value is escaped."""
    services = services_of(request)
    snapshot = snapshot_of(request)
    services.dataset_sources(dataset, snapshot)
    served = {info.id for info in snapshot.versions.values()}
    store = snapshot.screener.store
    found = [s for _v, s in store.entity_history(id) if s.version_id in served]
    if not found:
        body = f"<p>No such entity: {html.escape(id)}</p>"
        return HTMLResponse(_page("Not found", body), status_code=404)
    stored = found[-1]
    rows = []
    properties = stored.data.get("properties") or {}
    for name in ("name", "alias", "birthDate", "nationality", "country", "idNumber", "program"):
        values = properties.get(name)
        if values:
            label = html.escape(name)
            text = html.escape("; ".join(str(v) for v in values[:5]))
            rows.append(f"<tr><th>{label}</th><td>{text}</td></tr>")
    body = (
        f"<h3>{html.escape(stored.caption)}</h3>"
        f"<p>{html.escape(stored.schema)} · {html.escape(stored.source)}</p>"
        f"<table>{''.join(rows)}</table>"
    )
    return HTMLResponse(_page(stored.caption, body))


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font:13px sans-serif;margin:6px}th{text-align:left;padding-right:8px}"
        "</style></head>"
        f"<body>{body}</body></html>"
    )
