"""From an API query to screened, alerted, audited results: shared by /match, /search
and /reconcile so that every way in is recorded the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, status
from followthemoney import model, registry
from followthemoney.schema import Schema

from redline.match.types import SCREENABLE_SCHEMAS, Match, Query
from redline.service.context import Services
from redline.service.principal import Principal
from redline.service.render import load_entities, scored_json, seen_dates
from redline.service.state import Snapshot

#: Name-like properties screened as names (FtM's ``name`` type).
_NAME_PARTS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
_COUNTRY_PROPS = ("country", "nationality", "citizenship", "jurisdiction", "mainCountry")
#: Largest number of results screened per query (totals count up to this).
MAX_SCREENED = 500
#: Values accepted per property of one query (each name costs a search).
MAX_VALUES = 50


@dataclass(frozen=True)
class ParsedQuery:
    """A query entity turned into a :class:`Query`, plus yente's echo of it."""

    query: Query
    echo: dict[str, Any]


def bad_request(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_400_BAD_REQUEST, detail=detail)


def parse_json(text: str | bytes, field: str) -> Any:
    """JSON sent by a client; 400 naming ``field`` when it is not (too deep included)."""
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"{field}: not valid JSON ({exc}).") from None
    except RecursionError:
        raise bad_request(f"{field}: JSON nested too deeply.") from None


def screenable_schema(name: str, where: str) -> Schema:
    """The FtM schema called ``name``, if redline can screen it (400 otherwise)."""
    schema = model.get(name)
    if schema is None:
        raise bad_request(f"Cannot parse example entity: {where}: unknown schema {name!r}.")
    if schema.name not in SCREENABLE_SCHEMAS:
        allowed = ", ".join(SCREENABLE_SCHEMAS)
        raise bad_request(
            f"Non-matchable schema for query: {where}: {schema.name} (use one of {allowed})."
        )
    return schema


def parse_example(
    schema_name: str,
    properties: dict[str, Any],
    *,
    where: str,
    id: str | None = None,
) -> ParsedQuery:
    """Clean an example's properties the FtM way (``Russia`` -> ``ru``) and build a Query.

    Unknown properties are ignored, as yente does.  A query with neither a name nor
    an identifier is refused: it cannot be screened, and an empty answer to it would
    read as "not listed".
    """
    schema = screenable_schema(schema_name, where)
    proxy = model.make_entity(schema.name)
    for prop_name, raw in properties.items():
        prop = schema.get(prop_name) if isinstance(prop_name, str) else None
        if prop is None:
            continue
        values = list(_values(raw))
        if len(values) > MAX_VALUES:
            raise bad_request(
                f"{where}.properties.{prop_name}: at most {MAX_VALUES} values per property."
            )
        for value in values:
            proxy.add(prop, value, cleaned=False, quiet=True, fuzzy=True)
    names = proxy.get_type_values(registry.name)
    if not names:
        parts = [p for part in _NAME_PARTS for p in proxy.get(part, quiet=True)]
        if parts:
            names = [" ".join(parts)]
    countries = [c for prop in _COUNTRY_PROPS for c in proxy.get(prop, quiet=True)]
    identifiers = proxy.get_type_values(registry.identifier)
    if not names and not identifiers:
        raise bad_request(
            f"Cannot parse example entity: {where}: give at least one name "
            "(properties.name) or identifier (e.g. properties.idNumber)."
        )
    query = Query(
        names=tuple(names),
        schema=schema.name,
        birth_dates=tuple(proxy.get("birthDate", quiet=True)),
        countries=tuple(countries),
        identifiers=tuple(identifiers),
        id=id,
    )
    echo = {"id": id, "schema": schema.name, "properties": dict(proxy.properties)}
    return ParsedQuery(query, echo)


def _values(raw: Any) -> Iterable[str]:
    """Property values as strings, as yente accepts them: one value or a list."""
    items = raw if isinstance(raw, list) else [raw]
    for item in items:
        if isinstance(item, bool) or item is None:
            continue
        if isinstance(item, str | int | float):
            text = str(item).strip()
            if text:
                yield text


@dataclass(frozen=True)
class Screened:
    """What one screened query returns to the caller."""

    results: list[dict[str, Any]]
    total: int
    matches: list[Match]


def screen_and_record(
    services: Services,
    snapshot: Snapshot,
    principal: Principal,
    parsed: ParsedQuery,
    *,
    endpoint: str,
    dataset: str,
    sources: Collection[str] | None,
    limit: int,
    cutoff: float,
    threshold: float,
    extra: dict[str, Any] | None = None,
    keep: Callable[[Match], bool] | None = None,
    origin: str = "api",
) -> Screened:
    """Screen one query, hand its hits to the alert sink, audit it, shape the results.

    Every hit at or above ``cutoff`` goes to :meth:`AlertSink.raise_alerts` (not only
    the first ``limit``): a caller's page size must not decide what gets reviewed.
    Results a remembered false positive suppresses are left out of the answer.
    ``keep`` narrows what is screened (schema, topics) before anything is alerted.
    ``origin`` tells the alerts where the screening came from (``workspace`` for the
    web pages).
    """
    matches = snapshot.screener.screen(
        parsed.query, limit=MAX_SCREENED, threshold=cutoff, sources=sources
    )
    if keep is not None:
        matches = [m for m in matches if keep(m)]
    versions = snapshot.version_ids
    query_record = parsed.query.to_dict()
    kept = list(services.alerts.raise_alerts(query_record, matches, versions, principal, origin))
    kept_ids = {m.entity_id for m in kept}
    page = kept[:limit]
    services.audit.record(
        "screening",
        principal,
        {
            "endpoint": endpoint,
            "dataset": dataset,
            "query": query_record,
            "cutoff": cutoff,
            "threshold": threshold,
            "limit": limit,
            "versions": versions,
            "results": [
                {"id": m.entity_id, "score": round(m.score, 4), "decision": m.decision}
                for m in matches
            ],
            "suppressed": [m.entity_id for m in matches if m.entity_id not in kept_ids],
            "returned": [m.entity_id for m in page],
            **(extra or {}),
        },
    )
    store = snapshot.screener.store
    stored = load_entities(store, snapshot, page)
    seen = seen_dates(store, stored, {s: v.id for s, v in snapshot.versions.items()})
    results = [
        scored_json(m, stored.get(m.entity_id), seen.get(m.entity_id, (None, None)), threshold)
        for m in page
    ]
    return Screened(results=results, total=len(kept), matches=page)
