"""Request and response bodies of the yente-compatible API (for validation and OpenAPI).

Field names follow yente's (``schema``, ``properties``, ``total.relation`` ...) so that
clients written for OpenSanctions' API work unchanged; redline adds ``decision``,
``explanation`` and the list ``versions`` every answer was computed from.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorResponse(BaseModel):
    detail: str = Field(..., examples=["Detailed error message"])


class EntityExample(BaseModel):
    """A query entity, as yente takes it: a schema and FtM properties."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(
        ..., examples=[{"name": ["John Doe"], "birthDate": ["1975-04-21"]}]
    )


class EntityMatchQuery(BaseModel):
    weights: dict[str, float] = Field(
        default_factory=dict, description="Accepted for yente compatibility; not used."
    )
    config: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="Algorithm configuration; redline's matcher has no such options.",
    )
    queries: dict[str, EntityExample]


class TotalSpec(BaseModel):
    value: int
    relation: str = "eq"


class EntityResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(..., alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str] = []
    referents: list[str] = []
    target: bool = False
    first_seen: str | None = None
    last_seen: str | None = None
    last_change: str | None = None


class FeatureExplanation(BaseModel):
    detail: str
    score: float


class ScoredEntityResponse(EntityResponse):
    score: float
    match: bool = Field(description="Whether the score reaches the request's threshold.")
    decision: str = Field(description="redline's verdict: match, possible or no_match.")
    features: dict[str, float] = Field(description="Contribution of each feature to the score.")
    explanations: dict[str, FeatureExplanation]
    explanation: dict[str, Any] = Field(description="redline's full explanation of the score.")


class EntityMatches(BaseModel):
    status: int = 200
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: dict[str, Any]


class MatcherInfo(BaseModel):
    name: str
    requested: str
    description: str
    match_threshold: float
    possible_threshold: float


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    matcher: MatcherInfo
    limit: int
    versions: dict[str, int] = Field(description="List version (per source) answering.")


class SearchFacetItem(BaseModel):
    name: str
    label: str
    count: int


class SearchFacet(BaseModel):
    label: str
    values: list[SearchFacetItem]


class SearchResponse(BaseModel):
    limit: int
    offset: int = 0
    total: TotalSpec
    results: list[EntityResponse]
    facets: dict[str, SearchFacet]
    versions: dict[str, int]


class CatalogSource(BaseModel):
    name: str
    title: str
    publisher: str | None
    version: int
    published: str | None
    loaded_at: str
    entity_count: int
    target_count: int
    counts: dict[str, int]


class CatalogResponse(BaseModel):
    datasets: list[CatalogSource]
    collections: dict[str, list[str]]
    current: list[str]
    outdated: list[str]
    index_stale: bool
    index_version: str


class StatusResponse(BaseModel):
    status: str = "ok"
