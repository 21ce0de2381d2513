"""OpenRefine reconciliation: the W3C Reconciliation Service API, version 0.2.

OpenRefine posts ``queries=<JSON>`` form-encoded; other clients send JSON.  Both are
accepted, as is ``GET ?queries=``.  Answers come from the same matcher, alert sink
and audit log as ``/match``.  The preview is HTML built from listed data: every
value is escaped.
"""

from __future__ import annotations

import html
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from followthemoney import model, registry
from followthemoney.property import Property
from followthemoney.schema import Schema
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from redline.match.types import SCREENABLE_SCHEMAS
from redline.service.access import Viewer
from redline.service.api import DatasetPath
from redline.service.context import Services, services_of, snapshot_of
from redline.service.extend import extend_rows, propose_properties
from redline.service.principal import Principal
from redline.service.screening import bad_request, parse_example, screen_and_record
from redline.service.state import Snapshot
from redline.store.schema import entity as entity_table

router = APIRouter(tags=["Reconciliation"])

DEFAULT_TYPE = "LegalEntity"
SUGGEST_LIMIT = 20


class ReconProperty(BaseModel):
    model_config = ConfigDict(extra="ignore")

    pid: str = Field(max_length=200)
    v: str | int | float | dict[str, Any] | list[str | int | float | dict[str, Any]]


class ReconQuery(BaseModel):
    """One query of a batch (spec 0.2, "Structure of a reconciliation query")."""

    model_config = ConfigDict(extra="ignore")

    query: str | None = Field(None, max_length=1000)
    type: str | list[str] | None = None
    limit: int = Field(5, ge=1, le=100)
    properties: list[ReconProperty] = Field(default_factory=list, max_length=50)
    type_strict: str | None = None


def _schema_type(schema: Schema) -> dict[str, str]:
    return {"id": schema.name, "name": schema.plural or schema.label}


def _screenable() -> list[Schema]:
    return [s for name in SCREENABLE_SCHEMAS if (s := model.get(name)) is not None]


def manifest(request: Request, dataset: str) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    service = f"{base}/reconcile/{dataset}"
    return {
        "versions": ["0.2"],
        "name": f"redline sanctions screening ({dataset})",
        "identifierSpace": f"{base}/entities/",
        "schemaSpace": "https://followthemoney.tech/explorer/schemata/",
        "documentation": f"{base}/docs",
        "batchSize": 10,
        "view": {"url": f"{base}/entities/{{{{id}}}}"},
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": 430, "height": 300},
        "suggest": {
            kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "defaultTypes": [_schema_type(s) for s in _screenable()],
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/extend/propose"},
            "property_settings": [
                {
                    "name": "limit",
                    "label": "Limit",
                    "type": "number",
                    "default": 0,
                    "help_text": "Values to return per entity (0: all).",
                }
            ],
        },
    }


@router.get("/reconcile/{dataset}", summary="Reconciliation manifest (or GET queries)")
def reconcile_get(
    request: Request,
    dataset: DatasetPath,
    principal: Viewer,
    queries: Annotated[str | None, Query(description="JSON-encoded query batch")] = None,
    extend: Annotated[str | None, Query(description="JSON-encoded extension request")] = None,
) -> dict[str, Any]:
    """The service manifest; with ``queries=`` the answers to a query batch, with
    ``extend=`` the property values of reconciled entities."""
    services = services_of(request)
    snapshot = snapshot_of(request)
    sources = services.dataset_sources(dataset, snapshot)
    if extend is not None:
        return extend_rows(snapshot, extend)
    if queries is not None:
        return answer_batch(services, snapshot, principal, dataset, sources, queries)
    return manifest(request, dataset)


_POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"queries": {"type": "string"}, "extend": {"type": "string"}},
                    "description": "`queries` (a JSON query batch) or `extend` (JSON).",
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"queries": {"type": "object"}, "extend": {"type": "object"}},
                }
            },
        },
    }
}


@router.post("/reconcile/{dataset}", summary="Reconciliation queries", openapi_extra=_POST_BODY)
async def reconcile_post(request: Request, dataset: DatasetPath, principal: Viewer) -> Any:
    """Answer a batch of reconciliation queries, or a data extension request (``extend``).

    Both as OpenRefine sends them (form fields holding JSON) or as a JSON body.
    """
    services = services_of(request)
    snapshot = snapshot_of(request)
    sources = services.dataset_sources(dataset, snapshot)
    field, raw = await _posted(request)
    if field == "extend":
        extended = await run_in_threadpool(extend_rows, snapshot, raw)
        return JSONResponse(extended)
    result = await run_in_threadpool(
        answer_batch, services, snapshot, principal, dataset, sources, raw
    )
    return JSONResponse(result)


async def _posted(request: Request) -> tuple[str, str | dict[str, Any]]:
    """Which request was posted (``queries`` or ``extend``) and its JSON (text or parsed)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, Any]
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        fields = {k: v for k, v in form.items() if k in _FIELDS and isinstance(v, str)}
    elif content_type == "application/json" or not content_type:
        raw = await request.body()
        if not raw.strip():
            raise bad_request("queries: required, as a form field or in a JSON body.")
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise bad_request(f"body: not valid JSON ({exc}).") from exc
        if not isinstance(body, dict):
            raise bad_request("queries: the JSON body must be an object with 'queries'.")
        fields = {k: v for k, v in body.items() if k in _FIELDS}
    else:
        raise bad_request(f"Unsupported content type {content_type!r}: send form data or JSON.")
    for name in _FIELDS:
        value = fields.get(name)
        if value is None:
            continue
        if not isinstance(value, str | dict):
            raise bad_request(f"{name}: must be a JSON object (or its text).")
        return name, value
    raise bad_request("queries: required (or extend), as a form field or in a JSON body.")


_FIELDS = ("queries", "extend")


def answer_batch(
    services: Services,
    snapshot: Snapshot,
    principal: Principal,
    dataset: str,
    sources: Any,
    raw: str | dict[str, Any],
) -> dict[str, Any]:
    """Validate a whole batch first (a bad query refuses the batch), then answer it."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"queries: not valid JSON ({exc}).") from exc
    if not isinstance(raw, dict) or not raw:
        raise bad_request("queries: must be a non-empty object of named queries.")
    max_batch = services.settings.service.max_batch
    if len(raw) > max_batch:
        raise bad_request(f"Too many queries in one batch (limit: {max_batch})")
    batch: dict[str, ReconQuery] = {}
    for key, value in raw.items():
        try:
            batch[key] = ReconQuery.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in (key, *first["loc"]))
            raise bad_request(f"queries.{where}: {first['msg']}") from None
    threshold = snapshot.screener.config.match_threshold
    cutoff = snapshot.screener.config.possible_threshold
    answers = {}
    for key, query in batch.items():
        schema, properties = _example(query)
        parsed = parse_example(schema, properties, where=f"queries.{key}")
        screened = screen_and_record(
            services,
            snapshot,
            principal,
            parsed,
            endpoint="reconcile",
            dataset=dataset,
            sources=sources,
            limit=query.limit,
            cutoff=cutoff,
            threshold=threshold,
            extra={"query_key": key},
        )
        answers[key] = {"result": [_candidate(r) for r in screened.results]}
    return answers


def _example(query: ReconQuery) -> tuple[str, dict[str, list[str]]]:
    """The query as an FtM example: its type, ``query`` as a name, properties by pid."""
    types = [query.type] if isinstance(query.type, str) else list(query.type or [])
    schema_name = types[0] if types else DEFAULT_TYPE
    schema = model.get(schema_name)
    properties: dict[str, list[str]] = {}
    if query.query and query.query.strip():
        properties["name"] = [query.query]
    for item in query.properties:
        prop = _property(schema, item.pid)
        if prop is None:
            continue
        values = item.v if isinstance(item.v, list) else [item.v]
        for value in values:
            text = value.get("id") if isinstance(value, dict) else value
            if isinstance(text, str | int | float) and not isinstance(text, bool):
                properties.setdefault(prop.name, []).append(str(text))
    return schema_name, properties


def _property(schema: Schema | None, pid: str) -> Property | None:
    """A property by plain name (``birthDate``) or qualified name (``Person:birthDate``)."""
    if ":" in pid:
        try:
            prop: Property | None = model.get_qname(pid)
        except (KeyError, ValueError):
            return None
        if prop is None or schema is None or not schema.is_a(prop.schema):
            return None
        return prop
    return schema.get(pid) if schema is not None else None


def _candidate(result: dict[str, Any]) -> dict[str, Any]:
    schema = model.get(result["schema"])
    kind = _schema_type(schema) if schema is not None else {"id": result["schema"]}
    return {
        "id": result["id"],
        "name": result["caption"],
        "description": ", ".join(result["datasets"]),
        "score": result["score"],
        "match": result["match"],
        "type": [kind],
        "features": [{"id": name, "value": value} for name, value in result["features"].items()],
    }


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
                notable = [_schema_type(schema)] if schema is not None else []
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
        {**_schema_type(s), "description": s.description or s.label}
        for s in _screenable()
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
    for schema in _screenable():
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


@router.get(
    "/reconcile/{dataset}/extend/propose", summary="Properties to fetch for a type (extension)"
)
def extend_propose(
    request: Request,
    dataset: DatasetPath,
    _principal: Viewer,
    type: Annotated[str, Query(max_length=100, description="FtM schema")] = DEFAULT_TYPE,
    limit: Annotated[int, Query(ge=0, le=500, description="0: all")] = 0,
) -> dict[str, Any]:
    services_of(request).dataset_sources(dataset, snapshot_of(request))
    return propose_properties(type, limit)
