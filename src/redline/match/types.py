"""The screening request and its answer: what a caller passes and gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Decision = Literal["match", "possible", "no_match"]

#: Schemas a query may name, as FollowTheMoney calls them.
SCREENABLE_SCHEMAS = (
    "Thing",
    "LegalEntity",
    "Person",
    "Organization",
    "Company",
    "PublicBody",
    "Vessel",
    "Airplane",
)


@dataclass(frozen=True)
class Query:
    """A counterparty to screen.

    ``schema`` narrows what it can match (a Person never matches a Vessel);
    ``None`` means any.  ``birth_dates`` may be partial (``1970`` or ``1970-05``).
    ``countries`` are ISO 3166-1 alpha-2 codes or country names.
    """

    names: tuple[str, ...]
    schema: str | None = None
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    id: str | None = None

    @classmethod
    def of(
        cls,
        name: str | list[str] | tuple[str, ...],
        *,
        schema: str | None = None,
        birth_date: str | list[str] | None = None,
        country: str | list[str] | None = None,
        identifier: str | list[str] | None = None,
        id: str | None = None,
    ) -> Query:
        """Convenience constructor accepting single values or lists."""
        return cls(
            names=_tuple(name),
            schema=schema or None,
            birth_dates=_tuple(birth_date),
            countries=_tuple(country),
            identifiers=_tuple(identifier),
            id=id,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"names": list(self.names), "schema": self.schema}
        if self.birth_dates:
            data["birth_dates"] = list(self.birth_dates)
        if self.countries:
            data["countries"] = list(self.countries)
        if self.identifiers:
            data["identifiers"] = list(self.identifiers)
        if self.id is not None:
            data["id"] = self.id
        return data


def _tuple(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    return tuple(v for v in value if v and v.strip())


@dataclass(frozen=True)
class Match:
    """One listed entity that resembles the query, with why."""

    entity_id: str
    source: str
    source_id: str | None
    schema: str
    caption: str
    matched_name: str
    query_name: str
    score: float
    decision: Decision
    explanation: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entity_id,
            "source": self.source,
            "source_id": self.source_id,
            "schema": self.schema,
            "caption": self.caption,
            "matched_name": self.matched_name,
            "score": round(self.score, 4),
            "decision": self.decision,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class MatchConfig:
    """Thresholds and effort of screening; defaults measured on the dev set.

    ``possible_threshold`` is where the dev set's false-alert rate on unlisted names
    falls below 1 % (bench/eval_matching.py, BENCHMARKS.md).
    """

    match_threshold: float = 0.94
    possible_threshold: float = 0.88
    #: Listed subjects retrieved from the index per query and scored.
    candidate_entities: int = 15
    #: Names of each retrieved subject scored, its best-retrieved first: a subject's
    #: other spellings and scripts score better than its best retrieved name often
    #: enough (four: 1.5 more hits in 1,000 on the dev set than two).
    names_per_entity: int = 4
    #: Retrieval scores (shared key mass, cosine-normalised) below this are not scored.
    retrieval_floor: float = 0.1

    def decide(self, score: float) -> Decision:
        if score >= self.match_threshold:
            return "match"
        if score >= self.possible_threshold:
            return "possible"
        return "no_match"
