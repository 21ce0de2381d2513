"""Screening shipment rows: parties against the lists, goods against control lists,
then the red-flag rules.  One :class:`ShipmentScreener` does a row; the engines run
it over a file, locally on all cores or on Spark (:mod:`redline.batch.spark`).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from redline.batch.lookahead import Lookahead, collector_off
from redline.goods.hs import ControlList, load_chpl, load_control_list, match_lists
from redline.goods.rules import Rule, evaluate, load_rules
from redline.goods.shipment import Party, PartyHit, Shipment, ShipmentFacts, Verdict
from redline.match import Match, Query, Screener
from redline.match.index import IndexedEntity

#: Address similarity from which an address resemblance is reported at all; the
#: rules decide from which score it matters (``party_address_listed.min_score``).
ADDRESS_FLOOR = 0.6
#: Distinct parties and addresses remembered per worker before the memory is reset.
_CACHE_SIZE = 50_000
#: Rows the local engine reads ahead as one block: their distinct parties and
#: addresses are looked up once, on the workers, and the block's verdicts then made.
BLOCK_ROWS = 1024
#: Blocks looked up ahead of the one whose verdicts are being made.
BLOCKS_AHEAD = 2

#: A party to screen, (name, country), or an address to match, as one job.
PartyKey = tuple[str, str | None]
Lookup = tuple[str, str, str | None]  # ("party", name, country) or ("address", text, None)


@dataclass(frozen=True)
class BatchOptions:
    """What a batch run applies besides the lists: rules and control lists."""

    rules_files: tuple[Path, ...] = ()
    disabled_rules: tuple[str, ...] = ()
    control_lists: tuple[Path, ...] = ()
    #: Most listed entities reported per party.
    party_limit: int = 5


class ShipmentScreener:
    """Turns one :class:`Shipment` into a :class:`Verdict`."""

    def __init__(self, screener: Screener, options: BatchOptions | None = None) -> None:
        self.screener = screener
        self.options = options or BatchOptions()
        self.rules: list[Rule] = load_rules(
            extra_files=self.options.rules_files, disabled=self.options.disabled_rules
        )
        self._match_cache: dict[tuple[str, str | None], list[Match]] = {}
        self._address_cache: dict[str, list[tuple[IndexedEntity, float, str]]] = {}
        self.lists: list[ControlList] = [
            load_chpl(),
            *(load_control_list(path, path.stem) for path in self.options.control_lists),
        ]

    def facts(self, shipment: Shipment) -> ShipmentFacts:
        party_hits: list[PartyHit] = []
        for party in shipment.parties:
            party_hits.extend(self._party_hits(party))
        goods_hits = (
            match_lists(shipment.goods.hs_code, self.lists) if shipment.goods.hs_code else []
        )
        return ShipmentFacts(shipment, tuple(party_hits), tuple(goods_hits))

    def verdict(self, shipment: Shipment) -> Verdict:
        return evaluate(self.facts(shipment), self.rules)

    def _matches(self, name: str, country: str | None) -> list[Match]:
        """Screening results for a party, remembered: order files name the same
        counterparties again and again."""
        key = (name, country)
        found = self._match_cache.get(key)
        if found is None:
            # Parties to a shipment are people and organisations: a buyer called
            # "Conrad Electronic" must not hit the vessel CONRAD.
            query = Query.of(name, schema="LegalEntity", country=country)
            found = self.screener.screen(query, limit=self.options.party_limit)
            if len(self._match_cache) >= _CACHE_SIZE:
                self._match_cache.clear()
            self._match_cache[key] = found
        return found

    def _addresses(self, address: str) -> list[tuple[IndexedEntity, float, str]]:
        found = self._address_cache.get(address)
        if found is None:
            found = self.screener.match_address(address, floor=ADDRESS_FLOOR)
            if len(self._address_cache) >= _CACHE_SIZE:
                self._address_cache.clear()
            self._address_cache[address] = found
        return found

    def lookups(self, shipments: Iterable[Shipment]) -> list[Lookup]:
        """The distinct party screenings and address matches ``shipments`` need that
        are not remembered yet, in first-seen order."""
        found: dict[Lookup, None] = {}
        for shipment in shipments:
            for party in shipment.parties:
                if (party.name, party.country) not in self._match_cache:
                    found[("party", party.name, party.country)] = None
                if party.address and party.address not in self._address_cache:
                    found[("address", party.address, None)] = None
        return list(found)

    def look_up(self, lookup: Lookup) -> object:
        """One lookup's result (what :meth:`remember` takes back)."""
        kind, text, country = lookup
        if kind == "party":
            return self._matches(text, country)
        return self._addresses(text)

    def remember(self, lookups: Iterable[Lookup], results: Iterable[object]) -> None:
        """Keep results looked up elsewhere (by worker processes)."""
        for (kind, text, country), result in zip(lookups, results, strict=True):
            if kind == "party":
                self._match_cache[(text, country)] = result  # type: ignore[assignment]
            else:
                self._address_cache[text] = result  # type: ignore[assignment]

    def forget_except(self, shipments: Iterable[Shipment]) -> None:
        """Drop what is remembered, but what ``shipments`` need (bounds memory)."""
        parties: dict[PartyKey, list[Match]] = {}
        addresses: dict[str, list[tuple[IndexedEntity, float, str]]] = {}
        for shipment in shipments:
            for party in shipment.parties:
                key = (party.name, party.country)
                if key in self._match_cache:
                    parties[key] = self._match_cache[key]
                if party.address and party.address in self._address_cache:
                    addresses[party.address] = self._address_cache[party.address]
        self._match_cache = parties
        self._address_cache = addresses

    @property
    def remembered(self) -> int:
        return len(self._match_cache) + len(self._address_cache)

    def _party_hits(self, party: Party) -> list[PartyHit]:
        hits: dict[str, PartyHit] = {}
        for match in self._matches(party.name, party.country):
            hits[match.entity_id] = self._hit(party, match)
        if party.address:
            for entity, score, listed in self._addresses(party.address):
                known = hits.get(entity.entity_id)
                if known is not None:
                    hits[entity.entity_id] = _with_address(known, score, listed)
                    continue
                hits[entity.entity_id] = PartyHit(
                    role=party.role,
                    party_name=party.name,
                    entity_id=entity.entity_id,
                    source=entity.source,
                    schema=entity.schema,
                    caption=entity.caption,
                    score=0.0,
                    decision="no_match",
                    topics=entity.topics,
                    programs=entity.programs,
                    explanation={"address": {"listed": listed, "similarity": round(score, 3)}},
                    address_score=score,
                )
        return list(hits.values())

    def _hit(self, party: Party, match: Match) -> PartyHit:
        info = self.screener.entity_info(match.entity_id)
        return PartyHit(
            role=party.role,
            party_name=party.name,
            entity_id=match.entity_id,
            source=match.source,
            schema=match.schema,
            caption=match.caption,
            score=match.score,
            decision=match.decision,
            topics=info.topics if info else (),
            programs=info.programs if info else (),
            explanation=match.explanation,
        )


def _with_address(hit: PartyHit, score: float, listed: str) -> PartyHit:
    explanation = {**hit.explanation, "address": {"listed": listed, "similarity": round(score, 3)}}
    return PartyHit(
        role=hit.role,
        party_name=hit.party_name,
        entity_id=hit.entity_id,
        source=hit.source,
        schema=hit.schema,
        caption=hit.caption,
        score=hit.score,
        decision=hit.decision,
        topics=hit.topics,
        programs=hit.programs,
        explanation=explanation,
        address_score=score,
    )


# --------------------------------------------------------------------------- local engine

_worker: ShipmentScreener | None = None


def _look_up(lookup: Lookup) -> object:
    assert _worker is not None
    return _worker.look_up(lookup)


def run_local(
    screener: ShipmentScreener,
    shipments: Iterable[Shipment],
    *,
    workers: int | None = None,
    on_verdict: Callable[[Verdict], None] | None = None,
) -> Iterator[Verdict]:
    """Verdicts for ``shipments``, in input order, screened on ``workers`` processes.

    Order files name the same counterparties again and again (a 100,000-row file of
    the benchmark holds 300,000 parties, 72,000 of them distinct).  So this process
    reads the rows in blocks, sends the workers each distinct party and address it
    has not seen yet (each looked up once, whichever worker gets it), and makes the
    block's verdicts from what came back, while the workers look up the next blocks.
    Workers are forked from this process and inherit ``screener`` with its loaded
    name index, so nothing is loaded twice.
    """
    global _worker
    count = workers or os.cpu_count() or 1
    if count <= 1 or not hasattr(os, "fork"):
        for shipment in shipments:
            verdict = screener.verdict(shipment)
            if on_verdict:
                on_verdict(verdict)
            yield verdict
        return
    _worker = screener
    with mp.get_context("fork").Pool(count, initializer=collector_off) as pool:
        ahead: Lookahead[Shipment, Lookup, object] = Lookahead(
            pool, _look_up, workers=count, block_rows=BLOCK_ROWS, ahead=BLOCKS_AHEAD
        )
        for block, lookups, results in ahead.blocks(shipments, screener.lookups):
            screener.remember(lookups, results)
            for shipment in block:
                verdict = screener.verdict(shipment)
                if on_verdict:
                    on_verdict(verdict)
                yield verdict
            if screener.remembered > 2 * _CACHE_SIZE:
                screener.forget_except(ahead.waiting())
