"""OpenRefine reconciliation: the W3C Reconciliation Service API, version 0.2.

OpenRefine posts ``queries=<JSON>`` form-encoded; other clients send JSON.  Both are
accepted, as is ``GET ?queries=``.  Answers come from the same matcher, alert sink
and audit log as ``/match``.  Suggest and preview live in :mod:`.suggest`, data
extension in :mod:`.extend`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from followthemoney import model
from followthemoney.property import Property
from followthemoney.schema import Schema
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from redline.match.types import SCREENABLE_SCHEMAS
from redline.service.access import Viewer
from redline.service.api import DatasetPath
from redline.service.context import Services, services_of, snapshot_of
from redline.service.extend import extend_rows, propose_properties
from redline.service.principal import Principal
from redline.service.screening import (
    bad_request,
    parse_example,
    parse_json,
    screen_and_record,
)
from redline.service.state import Snapshot

router = APIRouter(tags=["Reconciliation"])

DEFAULT_TYPE = "LegalEntity"


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


def schema_type(schema: Schema) -> dict[str, str]:
    return {"id": schema.name, "name": schema.plural or schema.label}


def screenable() -> list[Schema]:
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
        "defaultTypes": [schema_type(s) for s in screenable()],
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
        body = parse_json(raw, "body")
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
        raw = parse_json(raw, "queries")
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
    kind = schema_type(schema) if schema is not None else {"id": result["schema"]}
    return {
        "id": result["id"],
        "name": result["caption"],
        "description": ", ".join(result["datasets"]),
        "score": result["score"],
        "match": result["match"],
        "type": [kind],
        "features": [{"id": name, "value": value} for name, value in result["features"].items()],
    }


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
