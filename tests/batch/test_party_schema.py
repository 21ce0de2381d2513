"""Parties to a shipment are people or organisations, never vessels or aircraft."""

from __future__ import annotations

import pytest

from redline.batch.engine import ShipmentScreener
from redline.goods.shipment import Goods, Party, Route, Shipment
from redline.match import Query, Screener

pytestmark = pytest.mark.slow


def _shipment(buyer: str) -> Shipment:
    return Shipment(
        row_id="1",
        line=2,
        columns={},
        parties=(Party(role="buyer", name=buyer, country="de"),),
        goods=Goods(),
        route=Route(),
    )


def test_a_company_named_like_a_listed_vessel_is_not_hit(screener: Screener) -> None:
    index = screener.index
    vessel = next(
        e
        for e in index.entities
        if e.schema == "Vessel" and e.caption.isalpha() and len(e.caption) >= 6
    )
    # Screened with no schema, the bare name finds the vessel itself ...
    anything = screener.screen(Query.of(vessel.caption))
    assert vessel.entity_id in {m.entity_id for m in anything}
    # ... but as a buyer on a shipment it is read as a person or organisation.
    facts = ShipmentScreener(screener).facts(_shipment(f"{vessel.caption} GmbH"))
    assert all(hit.schema not in ("Vessel", "Airplane") for hit in facts.party_hits)
    assert vessel.entity_id not in {hit.entity_id for hit in facts.party_hits}
