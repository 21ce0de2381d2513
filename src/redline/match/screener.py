"""``Screener``: the library API for party screening over the store's active lists."""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from redline.match.compare import NameComparison, NameProfile, compare_names, name_profile
from redline.match.features import (
    MAX_FEATURE_GAIN,
    Feature,
    compare_birth_dates,
    compare_countries,
    compare_identifiers,
    compare_org_types,
    org_type_contribution,
)
from redline.match.index import (
    INDEX_FORMAT,
    EntityRecord,
    IndexedEntity,
    NameIndex,
    has_company_forms,
    name_variants,
    person_flag,
)
from redline.match.names import PreparedName, prepare_name
from redline.match.types import Match, MatchConfig, Query
from redline.settings import Settings
from redline.store import Store

#: A weak alias (low-quality, per the publisher) counts a little less.
WEAK_ALIAS_FACTOR: Final = 0.95
#: Score given to a subject whose identifier equals the query's, whatever the name.
IDENTIFIER_SCORE: Final = 0.97


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while the index's million small objects are
    made: it would scan them again and again (measured: 3.4 s to load instead of 1.1 s).
    Afterwards they are frozen out of later collections, which keeps query latency
    free of long GC pauses."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


#: Best name score of an entity's first two names from which its further retrieved
#: names are scored too (:meth:`Screener._score`).
_MORE_NAMES_FROM: Final = 0.45


class Screener:
    """Screens parties against the active versions of the lists in a store.

    The candidate index is built from the store on first use, saved beside it, and
    rebuilt when a list version changes (:meth:`refresh`).
    """

    def __init__(
        self,
        store: Store,
        config: MatchConfig | None = None,
        *,
        index_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.config = config or MatchConfig()
        self.index_dir = index_dir
        self._lock = threading.Lock()
        self.index = self._load_or_build(store.state_token())

    @classmethod
    def open(cls, settings: Settings, config: MatchConfig | None = None) -> Screener:
        return cls(Store.open(settings), config, index_dir=settings.home / "index")

    # -- index lifecycle --------------------------------------------------

    def refresh(self) -> bool:
        """Rebuild the index if a list version changed since it was built."""
        state = self.store.state_token()
        if state == self.index.state:
            return False
        with self._lock:
            if state != self.index.state:
                self.index = self._load_or_build(state)
        return True

    def _load_or_build(self, state: str) -> NameIndex:
        path = self._index_path(state)
        if path is not None and path.is_file():
            try:
                with path.open("rb") as handle, _no_gc():
                    loaded = pickle.load(handle)
                if isinstance(loaded, NameIndex) and loaded.format == INDEX_FORMAT:
                    return loaded
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
                pass  # a damaged or stale cache is rebuilt below
        with _no_gc():
            index = NameIndex.build(self._records(), state)
        if path is not None:
            self._save(index, path)
        return index

    def _index_path(self, state: str) -> Path | None:
        if self.index_dir is None:
            return None
        digest = hashlib.sha256(f"{INDEX_FORMAT}|{state}".encode()).hexdigest()[:16]
        return self.index_dir / f"names-{digest}.pickle"

    def _save(self, index: NameIndex, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for old in path.parent.glob("names-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)

    def _records(self) -> Iterator[EntityRecord]:
        for item in self.store.iter_active_entities(targets_only=True):
            yield EntityRecord(
                entity_id=item.entity_id,
                source=item.source,
                source_id=item.source_id,
                schema=item.schema,
                caption=item.caption,
                properties=item.data.get("properties", {}),
            )

    # -- screening --------------------------------------------------------

    def candidates(
        self,
        query: Query,
        *,
        limit: int | None = None,
        exclude_names: Mapping[str, set[str]] | None = None,
    ) -> list[str]:
        """Entity ids the index retrieves for ``query``, best first (before scoring)."""
        index = self.index
        prepared = self._prepare(query)
        seen: dict[str, None] = {}
        for position in index.by_identifier(query.identifiers):
            seen[index.entities[position].entity_id] = None
        hits = index.retrieve_entities(
            prepared,
            query.schema,
            entities=limit or self.config.candidate_entities,
            exclude=exclude_names,
        )
        for entity, _score, _positions in hits:
            seen[index.entities[entity].entity_id] = None
        return list(seen)

    def screen(
        self,
        query: Query,
        *,
        limit: int = 10,
        threshold: float | None = None,
        exclude_names: Mapping[str, set[str]] | None = None,
        sources: Collection[str] | None = None,
    ) -> list[Match]:
        """Listed subjects resembling ``query``, best first, scored and explained.

        ``threshold`` is the lowest score returned (default: the ``possible``
        threshold, so every alert and nothing else).  ``sources`` restricts the
        search to those lists (source names); ``None`` searches every list.
        """
        # The cyclic collector stays out of the call: a query makes and drops thousands
        # of small tuples, which set off collections that scan the caches of earlier
        # queries again and again (measured: a sixth of the CPU of screening).  Screening
        # makes next to no cyclic garbage (6 objects in 5,500 queries), and collections
        # resume after the call, on what it kept.  (Threads: the switch is per process;
        # at worst a collection runs during another thread's call, as before.)
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._screen(query, limit, threshold, exclude_names, sources)
        finally:
            if enabled:
                gc.enable()

    def _screen(
        self,
        query: Query,
        limit: int,
        threshold: float | None,
        exclude_names: Mapping[str, set[str]] | None,
        sources: Collection[str] | None,
    ) -> list[Match]:
        index = self.index
        floor = self.config.possible_threshold if threshold is None else threshold
        prepared = self._prepare(query)
        if not prepared and not query.identifiers:
            return []
        by_entity: dict[int, list[int]] = {}
        hits = index.retrieve_entities(
            prepared,
            query.schema,
            entities=self.config.candidate_entities,
            names_per_entity=self.config.names_per_entity,
            exclude=exclude_names,
            sources=sources,
            floor=self.config.retrieval_floor,
        )
        for entity, _retrieval, positions in hits:
            by_entity[entity] = positions
        for entity in index.by_identifier(query.identifiers):
            if sources is not None and index.entities[entity].source not in sources:
                continue
            if entity not in by_entity and index.entities[entity].entity_id in index.entity_names:
                start, end = index.entity_names[index.entities[entity].entity_id]
                by_entity[entity] = list(range(start, end))
        # Each query name's profile once, for all its comparisons.
        profiles = [name_profile(p.tokens) for p in prepared]
        matches = []
        for entity, positions in by_entity.items():
            match = self._score(
                index, query, prepared, index.entities[entity], positions, floor, profiles
            )
            if match is not None:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.entity_id))
        return matches[:limit]

    def match_address(
        self, text: str, *, limit: int = 3, floor: float = 0.5
    ) -> list[tuple[IndexedEntity, float, str]]:
        """Listed entities whose address resembles ``text``: (entity, similarity, address)."""
        index = self.index
        return [
            (index.entities[position], score, listed)
            for position, score, listed in index.address_index.match(text, limit=limit, floor=floor)
        ]

    def entity_info(self, entity_id: str) -> IndexedEntity | None:
        """What the index holds of a listed entity (programmes, topics, addresses...)."""
        span = self.index.entity_names.get(entity_id)
        if span is None:
            return None
        return self.index.entities[self.index.names[span[0]].entity]

    def _prepare(self, query: Query) -> list[PreparedName]:
        person = person_flag(query.schema)
        forms = has_company_forms(query.schema)
        prepared = [
            prepare_name(variant, person, symbols=False, forms=forms)
            for name in query.names
            if name
            for variant in name_variants(name)
        ]
        return [self.index.attach_symbols(p) for p in prepared if p is not None]

    def _score(
        self,
        index: NameIndex,
        query: Query,
        prepared: list[PreparedName],
        entity: IndexedEntity,
        positions: list[int],
        floor: float = 0.0,
        profiles: list[NameProfile] | None = None,
    ) -> Match | None:
        """The entity scored against the query, or ``None`` below ``floor`` (most
        candidates: their explanation is then never built)."""
        best: NameComparison | None = None
        best_pair: tuple[PreparedName, PreparedName, str] | None = None
        best_listed = entity.caption
        best_score = -1.0
        best_rank = -1.0
        # What a name must score for the entity to reach the floor, features aside
        # (an identifier can lift any name: then every comparison is exact).
        need = 0.0 if query.identifiers else floor - MAX_FEATURE_GAIN
        for rank_of_name, position in enumerate(positions):
            if rank_of_name >= 2 and best_score < _MORE_NAMES_FROM:
                # Names past the entity's two best retrieved ones are scored only when
                # those came near: a subject's other spelling or script then often
                # scores higher (Палестински ислямски джихад: the Czech name 0.49, the
                # English 0.88), while far candidates, most of them, cost no more.
                break
            listed = index.names[position]
            for k, name in enumerate(prepared):
                comparison = compare_names(
                    name,
                    listed.name,
                    index.token_weight,
                    need,
                    index.profiles[position],
                    profiles[k] if profiles is not None else None,
                )
                score = comparison.score
                if listed.prop == "weakAlias" and score < 1.0:
                    # A weak alias spelt exactly is a hit; a near spelling of one is less.
                    score *= WEAK_ALIAS_FACTOR
                # Between equally good names, prefer the one whose company form agrees.
                rank = score + org_type_contribution(name.org_types, listed.name.org_types)
                if rank > best_rank:
                    best, best_score, best_rank = comparison, score, rank
                    best_pair = (name, listed.name, listed.prop)
                    best_listed = listed.listed
        name_score = max(best_score, 0.0)
        if not query.identifiers and name_score + MAX_FEATURE_GAIN < floor:
            # No birth date, country or company type can lift it to the floor: most
            # candidates end here, without their features being compared.
            return None
        features = self._features(query, entity, best_pair)
        score = name_score + sum(f.contribution for f in features if not f.decisive)
        if any(f.decisive for f in features):
            score = max(score, IDENTIFIER_SCORE)
        score = min(max(score, 0.0), 1.0)
        if score < floor:
            return None
        explanation: dict[str, Any] = {
            "name": best.to_dict() if best is not None else None,
            "features": {"name": round(name_score, 3)} | {f.name: f.to_dict() for f in features},
        }
        if best_pair is not None:
            query_name, listed_name, prop = best_pair
            explanation["query_name"] = query_name.original
            explanation["matched_name"] = best_listed
            explanation["matched_property"] = prop
            explanation["transformations"] = sorted(
                set(query_name.transforms) | set(listed_name.transforms)
            )
        return Match(
            entity_id=entity.entity_id,
            source=entity.source,
            source_id=entity.source_id,
            schema=entity.schema,
            caption=entity.caption,
            matched_name=best_listed,
            query_name=best_pair[0].original if best_pair else "",
            score=score,
            decision=self.config.decide(score),
            explanation=explanation,
        )

    def _features(
        self,
        query: Query,
        entity: IndexedEntity,
        pair: tuple[PreparedName, PreparedName, str] | None,
    ) -> list[Feature]:
        found: list[Feature | None] = [
            compare_identifiers(query.identifiers, dict(entity.identifiers)),
            compare_countries(query.countries, entity.countries),
        ]
        if entity.schema in ("Person", "LegalEntity") and query.schema in (
            None,
            "Person",
            "LegalEntity",
        ):
            found.append(compare_birth_dates(query.birth_dates, entity.birth_dates))
        if pair is not None:
            found.append(compare_org_types(pair[0].org_types, pair[1].org_types))
        return [f for f in found if f is not None]
