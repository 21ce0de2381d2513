"""Fixtures for the batch tests: files built in tmp_path, verdicts built by hand."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest

from redline.goods.shipment import (
    Goods,
    GoodsHit,
    Party,
    PartyHit,
    Route,
    RuleResult,
    Shipment,
    Verdict,
)

#: A name a hostile or careless input file may hold: it must never run in the report.
SCRIPT_NAME = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">'


def write_csv(path: Path, rows: Sequence[Sequence[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def party_hit(
    role: str, name: str, *, score: float = 0.97, caption: str = "ACME TRADING LLC"
) -> PartyHit:
    return PartyHit(
        role=role,
        party_name=name,
        entity_id="ofac-12345",
        source="us_ofac_sdn",
        schema="Company",
        caption=caption,
        score=score,
        decision="match" if score >= 0.9 else "possible",
        topics=("sanction",),
        programs=("RUSSIA-EO14024",),
        explanation={"name": {"score": score, "matched": caption}},
    )


def goods_hit(code: str = "854231", tier: str = "1") -> GoodsHit:
    return GoodsHit(
        list_name="CHPL",
        hs_code=code,
        matched_prefix=code[:6],
        tier=tier,
        description="Processors and controllers",
    )


def verdict(
    row_id: str,
    *,
    line: int = 2,
    risk: str = "clear",
    buyer: str = "Harmless GmbH",
    destination: str | None = "de",
    rules: Sequence[tuple[str, str]] = (),
    party_hits: Sequence[PartyHit] = (),
    goods_hits: Sequence[GoodsHit] = (),
    problems: Sequence[str] = (),
    columns: dict[str, str] | None = None,
) -> Verdict:
    if columns is None:
        columns = {
            "row_id": row_id,
            "buyer_name": buyer,
            "destination_country": (destination or "").upper(),
            "hs_code": "8542.31",
        }
    shipment = Shipment(
        row_id=row_id,
        line=line,
        columns=columns,
        parties=(Party("buyer", buyer, destination),),
        goods=Goods(hs_code="854231", description="chips"),
        route=Route(origin="cn", destination=destination),
        problems=tuple(problems),
    )
    return Verdict(
        shipment=shipment,
        risk=risk,
        rules=tuple(
            RuleResult(rule_id, severity, f"{rule_id} fired") for rule_id, severity in rules
        ),
        party_hits=tuple(party_hits),
        goods_hits=tuple(goods_hits),
    )


def sample_verdicts() -> list[Verdict]:
    """Five rows: two block, one review, two clear; one with a hostile party name."""
    return [
        verdict(
            "R1",
            line=2,
            risk="block",
            buyer="Acme Trading LLC",
            destination="ru",
            rules=(("party.sanctioned", "block"), ("goods.chpl", "review")),
            party_hits=(party_hit("buyer", "Acme Trading LLC"),),
            goods_hits=(goods_hit(),),
        ),
        verdict(
            "R2",
            line=3,
            risk="review",
            buyer="Kolibri Logistics",
            destination="kg",
            rules=(("route.diversion", "review"),),
            goods_hits=(goods_hit("854232", "2"),),
            problems=("transit_countries: unknown country 'Narnia'",),
        ),
        verdict("R3", line=4, risk="clear", buyer="Harmless GmbH", destination="de"),
        verdict(
            "R4",
            line=5,
            risk="block",
            buyer=SCRIPT_NAME,
            destination="ir",
            rules=(("party.sanctioned", "block"),),
            party_hits=(party_hit("buyer", SCRIPT_NAME, caption="<b>Listed & Co</b>"),),
        ),
        verdict("R5", line=6, risk="clear", buyer="Nordic Parts AB", destination="se"),
    ]


@pytest.fixture
def verdicts() -> list[Verdict]:
    return sample_verdicts()
