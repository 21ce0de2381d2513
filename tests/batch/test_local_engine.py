"""The local engine's shared lookups: each distinct party and address is screened once,
whichever worker gets it, and the verdicts are those of screening row by row."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.batch import engine
from redline.batch.engine import ShipmentScreener, run_local
from redline.batch.reader import open_shipments
from redline.goods.shipment import Shipment
from redline.match import Screener

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "shipments.csv"


@pytest.fixture(scope="module")
def shipments() -> list[Shipment]:
    with open_shipments(EXAMPLE) as reader:
        rows = list(reader)
    # Twice over, reversed the second time: the same parties come back in other blocks.
    return rows + rows[::-1]


def test_lookups_are_distinct_and_forgotten_only_when_not_needed(
    screener: Screener, shipments: list[Shipment]
) -> None:
    worker = ShipmentScreener(screener)
    lookups = worker.lookups(shipments)
    assert len(lookups) == len(set(lookups))
    parties = {(p.name, p.country) for s in shipments for p in s.parties}
    addresses = {p.address for s in shipments for p in s.parties if p.address}
    assert len(lookups) == len(parties) + len(addresses)

    first = shipments[:10]
    found = worker.lookups(first)
    worker.remember(found, [worker.look_up(item) for item in found])
    assert worker.lookups(first) == []  # remembered
    assert set(worker.lookups(shipments)) == set(lookups) - set(found)

    worker.forget_except(shipments[:3])
    kept = {(p.name, p.country) for s in shipments[:3] for p in s.parties}
    kept |= {p.address for s in shipments[:3] for p in s.parties if p.address}
    assert worker.remembered == len(kept)
    assert worker.lookups(shipments[:3]) == []


def test_two_workers_in_small_blocks_give_the_verdicts_of_one(
    screener: Screener, shipments: list[Shipment], monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = list(run_local(ShipmentScreener(screener), shipments, workers=1))
    # Blocks of 40 rows and a memory of 30 lookups: many blocks, lookups asked while
    # earlier ones are still out, and the memory trimmed between blocks.
    monkeypatch.setattr(engine, "BLOCK_ROWS", 40)
    monkeypatch.setattr(engine, "_CACHE_SIZE", 15)
    seen: list[str] = []
    parallel = list(
        run_local(
            ShipmentScreener(screener),
            shipments,
            workers=2,
            on_verdict=lambda v: seen.append(v.shipment.row_id),
        )
    )
    assert [v.shipment.row_id for v in parallel] == [s.row_id for s in shipments] == seen
    assert parallel == serial
    assert {v.risk for v in parallel} == {"block", "review", "clear"}
