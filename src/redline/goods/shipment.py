"""What one row of a shipment or order file says, once read and checked.

The batch layer reads files into these; the rules here judge them.  Everything a
rule needs is in a :class:`ShipmentFacts`: the row as read, each party's
screening hits, each goods control-list hit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Party roles, in the order reports list them.
ROLES = (
    "buyer",
    "consignee",
    "end_user",
    "intermediate_consignee",
    "notify_party",
    "forwarder",
    "bank",
)

RISK_LEVELS = ("clear", "review", "block")


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2, lower case, when known
    address: str | None = None


@dataclass(frozen=True)
class Goods:
    hs_code: str | None = None  # digits only, normalised (e.g. "854231")
    description: str | None = None
    quantity: str | None = None
    value: str | None = None
    currency: str | None = None


@dataclass(frozen=True)
class Route:
    origin: str | None = None  # ISO alpha-2, lower case
    transit: tuple[str, ...] = ()
    destination: str | None = None


@dataclass(frozen=True)
class Shipment:
    """One input row, read and normalised.  ``columns`` keeps every input value as is."""

    row_id: str
    line: int
    columns: dict[str, str]
    parties: tuple[Party, ...] = ()
    goods: Goods = field(default_factory=Goods)
    route: Route = field(default_factory=Route)
    #: Problems found while reading the row (unknown country, malformed HS code...):
    #: the row is still screened with what could be read, and the problems reported.
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartyHit:
    """A party that resembles a listed entity (from :class:`redline.match.Screener`)."""

    role: str
    party_name: str
    entity_id: str
    source: str
    schema: str
    caption: str
    score: float
    decision: str  # match | possible
    topics: tuple[str, ...]
    programs: tuple[str, ...]  # e.g. the CSL list codes EL, MEU
    explanation: dict[str, Any]
    #: How closely the party's address matches a listed address, 0..1, if compared.
    address_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": "party",
            "role": self.role,
            "party": self.party_name,
            "entity_id": self.entity_id,
            "source": self.source,
            "schema": self.schema,
            "caption": self.caption,
            "score": round(self.score, 4),
            "decision": self.decision,
            "explanation": self.explanation,
        }
        if self.programs:
            data["programs"] = list(self.programs)
        if self.address_score is not None:
            data["address_score"] = round(self.address_score, 3)
        return data


@dataclass(frozen=True)
class GoodsHit:
    """An HS code on a control list."""

    list_name: str  # e.g. "CHPL"
    hs_code: str
    matched_prefix: str
    tier: str | None
    description: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "goods",
            "list": self.list_name,
            "hs_code": self.hs_code,
            "matched": self.matched_prefix,
            "tier": self.tier,
            "description": self.description,
        }


@dataclass(frozen=True)
class ShipmentFacts:
    shipment: Shipment
    party_hits: tuple[PartyHit, ...] = ()
    goods_hits: tuple[GoodsHit, ...] = ()


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    severity: str  # review | block
    detail: str


@dataclass(frozen=True)
class Verdict:
    """The outcome for one row."""

    shipment: Shipment
    risk: str  # clear | review | block
    rules: tuple[RuleResult, ...]
    party_hits: tuple[PartyHit, ...]
    goods_hits: tuple[GoodsHit, ...]

    def hits_payload(self) -> list[dict[str, Any]]:
        return [h.to_dict() for h in self.party_hits] + [h.to_dict() for h in self.goods_hits]
