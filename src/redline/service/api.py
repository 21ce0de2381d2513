"""The yente-compatible endpoints: /match, /search, /entities, /catalog, /algorithms.

Handlers are plain ``def``: screening is CPU work over an in-memory index and the
store is synchronous, so FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from followthemoney import model, registry

from redline.match.types import SCREENABLE_SCHEMAS, Match
from redline.service.access import Viewer
from redline.service.context import services_of, snapshot_of
from redline.service.models import (
    CatalogResponse,
    EntityMatchQuery,
    EntityMatchResponse,
    EntityResponse,
    ErrorResponse,
    SearchResponse,
)
from redline.service.render import entity_json, seen_dates
from redline.service.screening import bad_request, parse_example, screen_and_record
from redline.service.state import Snapshot
from redline.sources import all_sources

router = APIRouter()

#: Algorithm names yente accepts; redline answers all of them with its own matcher.
ALGORITHMS = (
    "best",
    "redline",
    "logic-v2",
    "logic-v1",
    "name-based",
    "name-qualified",
    "ofac",
    "regression-v1",
    "er-unstable",
)
MATCHER_NAME = "redline"
#: Lowest score /search returns (a text search shows looser hits than screening).
SEARCH_FLOOR = 0.5
MAX_MATCHES = 500
_NONE: list[str] = []
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "Invalid query"},
    404: {"model": ErrorResponse, "description": "No such dataset"},
}

DatasetPath = Annotated[
    str,
    Path(
        description="`default` (every list), a source name or a configured collection.",
        examples=["default"],
    ),
]


def _scope(
    sources: Collection[str] | None,
    snapshot: Snapshot,
    include: list[str],
    exclude: list[str],
) -> Collection[str] | None:
    """The dataset's sources narrowed by yente's ``include_dataset``/``exclude_dataset``."""
    if not include and not exclude:
        return sources
    scope = set(snapshot.versions) if sources is None else set(sources)
    if include:
        scope &= set(include)
    return frozenset(scope - set(exclude))


def _result_filter(
    snapshot: Snapshot, exclude_schema: list[str], topics: list[str]
) -> Callable[[Match], bool] | None:
    """yente's ``exclude_schema`` and ``topics`` filters, as a predicate on matches."""
    if not exclude_schema and not topics:
        return None
    excluded, wanted = set(exclude_schema), set(topics)

    def keep(match: Match) -> bool:
        if match.schema in excluded:
            return False
        if wanted:
            info = snapshot.screener.entity_info(match.entity_id)
            return info is not None and not wanted.isdisjoint(info.topics)
        return True

    return keep


def _algorithm(name: str) -> str:
    cleaned = name.strip().lower()
    if cleaned not in ALGORITHMS:
        raise bad_request(f"Invalid algorithm: {name!r}; one of {', '.join(ALGORITHMS)}.")
    return cleaned


@router.post(
    "/match/{dataset}",
    summary="Query by example matcher",
    tags=["Matching"],
    response_model=EntityMatchResponse,
    responses=_ERRORS,
)
def match(
    request: Request,
    response: Response,
    body: EntityMatchQuery,
    dataset: DatasetPath,
    principal: Viewer,
    limit: Annotated[int, Query(ge=1, le=MAX_MATCHES, title="Results per query")] = 5,
    threshold: Annotated[
        float | None,
        Query(ge=0.0, le=1.0, title="Score from which a result is flagged `match: true`"),
    ] = None,
    cutoff: Annotated[
        float | None,
        Query(ge=0.0, le=1.0, title="Lowest score returned (default: the possible threshold)"),
    ] = None,
    algorithm: Annotated[str, Query(title=f"One of {', '.join(ALGORITHMS)}")] = "best",
    include_dataset: Annotated[
        list[str], Query(title="Only screen these sources (within the dataset)")
    ] = _NONE,
    exclude_dataset: Annotated[list[str], Query(title="Do not screen these sources")] = _NONE,
    exclude_schema: Annotated[
        list[str], Query(title="Leave out results of these entity types")
    ] = _NONE,
    topics: Annotated[
        list[str], Query(title="Only results with any of these topics (e.g. sanction)")
    ] = _NONE,
) -> dict[str, Any]:
    """Screen a batch of example entities (yente's ``/match``).

    Results are returned from ``min(cutoff, threshold)`` up; ``match`` is true from
    ``threshold`` (default: redline's match threshold).  Each query is audited and its
    hits raised as alerts; results suppressed as known false positives are left out.
    """
    services = services_of(request)
    snapshot = snapshot_of(request)
    sources = _scope(
        services.dataset_sources(dataset, snapshot), snapshot, include_dataset, exclude_dataset
    )
    keep = _result_filter(snapshot, exclude_schema, topics)
    requested = _algorithm(algorithm)
    if body.config:
        key = next(iter(body.config))
        raise bad_request(f"Invalid configuration parameter: {key} for algorithm {MATCHER_NAME}")
    if not body.queries:
        raise bad_request("No queries provided.")
    max_batch = services.settings.service.max_batch
    if len(body.queries) > max_batch:
        raise bad_request(f"Too many queries in one batch (limit: {max_batch})")
    config = snapshot.screener.config
    threshold = config.match_threshold if threshold is None else threshold
    cutoff = min(config.possible_threshold if cutoff is None else cutoff, threshold)
    parsed = {
        key: parse_example(
            example.schema_, example.properties, where=f"queries.{key}", id=example.id
        )
        for key, example in body.queries.items()
    }
    responses = {}
    for key, query in parsed.items():
        screened = screen_and_record(
            services,
            snapshot,
            principal,
            query,
            endpoint="match",
            dataset=dataset,
            sources=sources,
            limit=limit,
            cutoff=cutoff,
            threshold=threshold,
            extra={"query_key": key, "algorithm": requested},
            keep=keep,
        )
        responses[key] = {
            "status": 200,
            "results": screened.results,
            "total": {"value": screened.total, "relation": "eq"},
            "query": query.echo,
        }
    response.headers["x-batch-size"] = str(len(responses))
    return {
        "responses": responses,
        "matcher": {
            "name": MATCHER_NAME,
            "requested": requested,
            "description": "redline's multilingual name matcher with birth date, "
            "country and identifier features (every algorithm name maps to it).",
            "match_threshold": config.match_threshold,
            "possible_threshold": config.possible_threshold,
        },
        "limit": limit,
        "versions": snapshot.version_ids,
    }


@router.get(
    "/search/{dataset}",
    summary="Simple entity search",
    tags=["Matching"],
    response_model=SearchResponse,
    responses=_ERRORS,
)
def search(
    request: Request,
    dataset: DatasetPath,
    principal: Viewer,
    q: Annotated[str, Query(title="Name to search for", max_length=500)] = "",
    schema: Annotated[str, Query(title="Type of entity to find")] = "Thing",
    limit: Annotated[int, Query(ge=1, le=MAX_MATCHES, title="Results to return")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_MATCHES, title="Results to skip")] = 0,
) -> dict[str, Any]:
    """Find listed entities by a name (yente's ``/search``), ranked by the matcher."""
    services = services_of(request)
    snapshot = snapshot_of(request)
    sources = services.dataset_sources(dataset, snapshot)
    if model.get(schema) is None:
        raise bad_request(f"Invalid schema: schema={schema!r}")
    if not q.strip():
        raise bad_request("Give a name to search for: q must not be empty.")
    parsed = parse_example(schema, {"name": [q]}, where="q")
    screened = screen_and_record(
        services,
        snapshot,
        principal,
        parsed,
        endpoint="search",
        dataset=dataset,
        sources=sources,
        limit=offset + limit,
        cutoff=SEARCH_FLOOR,
        threshold=snapshot.screener.config.match_threshold,
    )
    page = screened.results[offset:]
    return {
        "limit": limit,
        "offset": offset,
        "total": {"value": screened.total, "relation": "eq"},
        "results": page,
        "facets": _facets(screened.results),
        "versions": snapshot.version_ids,
    }


def _facets(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts over the returned results (yente counts over all hits of its index)."""
    datasets: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    for result in results:
        datasets.update(result["datasets"])
        found = {c for p in ("country", "nationality") for c in result["properties"].get(p, [])}
        countries.update(found)
    titles = {name: source.title for name, source in all_sources().items()}
    return {
        "datasets": {
            "label": "Data sources",
            "values": [
                {"name": n, "label": titles.get(n, n), "count": c}
                for n, c in datasets.most_common()
            ],
        },
        "countries": {
            "label": "Countries",
            "values": [
                {"name": n, "label": registry.country.caption(n) or n, "count": c}
                for n, c in countries.most_common()
            ],
        },
    }


@router.get(
    "/entities/{entity_id}",
    tags=["Data access"],
    response_model=EntityResponse,
    responses={404: {"model": ErrorResponse, "description": "Entity not found"}},
)
def fetch_entity(
    request: Request,
    entity_id: Annotated[str, Path(description="ID of the entity", max_length=255)],
    _principal: Viewer,
) -> dict[str, Any]:
    """One listed entity as FollowTheMoney JSON, from the list versions being served."""
    snapshot = snapshot_of(request)
    store = snapshot.screener.store
    served = {info.id for info in snapshot.versions.values()}
    for _info, stored in reversed(store.entity_history(entity_id)):
        if stored.version_id in served:
            upto = {s: v.id for s, v in snapshot.versions.items()}
            seen = seen_dates(store, [entity_id], upto).get(entity_id, (None, None))
            return entity_json(stored, seen)
    raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such entity!")


@router.get("/catalog", tags=["Data access"], response_model=CatalogResponse)
def catalog(request: Request, _principal: Viewer) -> dict[str, Any]:
    """The lists being served: version, publication date, counts; and the collections."""
    services = services_of(request)
    snapshot = snapshot_of(request)
    sources = all_sources()
    datasets = []
    for name, info in sorted(snapshot.versions.items()):
        source = sources.get(name)
        datasets.append(
            {
                "name": name,
                "title": source.title if source is not None else name,
                "publisher": source.publisher if source is not None else None,
                "version": info.seq,
                "published": info.published,
                "loaded_at": info.loaded_at.isoformat(),
                "entity_count": info.entity_count,
                "target_count": info.target_count,
                "counts": info.counts,
            }
        )
    return {
        "datasets": datasets,
        "collections": services.settings.collections,
        "current": sorted(snapshot.versions),
        "outdated": [],
        "index_stale": snapshot.screener.store.state_token() != snapshot.token,
        "index_version": snapshot.token,
    }


@router.get("/algorithms", tags=["Matching"])
def algorithms(request: Request, _principal: Viewer) -> dict[str, Any]:
    """The algorithm names /match accepts (all answered by redline's matcher)."""
    config = snapshot_of(request).screener.config
    return {
        "algorithms": [{"name": name, "description": "redline matcher"} for name in ALGORITHMS],
        "default": "best",
        "best": MATCHER_NAME,
        "schemata": list(SCREENABLE_SCHEMAS),
        "match_threshold": config.match_threshold,
        "possible_threshold": config.possible_threshold,
    }
