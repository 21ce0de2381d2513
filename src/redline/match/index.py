"""Candidate retrieval: an inverted index of name keys, so a query never scores every name.

Each listed name is reduced to keys: character trigrams of its romanised,
phonetically folded tokens (typos and spelling variants share most trigrams),
consonant skeletons (Arabic script without vowels), and rigour name symbols
(Дмитрий and Dmitriy share one).  Keys are weighted by inverse document
frequency; a query sums the weights of the keys it shares with each name (numpy
over the posting arrays), normalised by both names' key mass, and keeps the best.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Final, NamedTuple, cast

import numpy as np
import numpy.typing as npt

from redline.match.addresses import AddressIndex
from redline.match.compare import NameProfile, name_profile
from redline.match.features import (
    COUNTRY_PROPS,
    IDENTIFIER_PROPS,
    normalise_country,
    normalise_date,
    normalise_identifier,
)
from redline.match.names import (
    FORM_WORD_SET,
    GENERIC_WORDS,
    KIND_WEIGHTS,
    PARTICLE,
    PreparedName,
    Token,
    prepare_name,
)
from redline.match.text import consonants, phonetic, waw_skeletons

#: Bump when the index layout or name preparation changes (invalidates saved indexes).
INDEX_FORMAT = 62

NAME_PROPS: Final = ("name", "alias", "previousName", "weakAlias", "abbreviation")

# Schema classes used to keep a Person query off vessels and companies.
PERSON, ORG, VESSEL, AIRPLANE, OTHER = 0, 1, 2, 3, 4
_SCHEMA_CLASS: Final = {
    "Person": PERSON,
    "Organization": ORG,
    "Company": ORG,
    "PublicBody": ORG,
    "Vessel": VESSEL,
    "Airplane": AIRPLANE,
}
# Which listed classes a query of each schema may match.  LegalEntity (and no
# schema) is compatible with people and organisations alike.
_COMPATIBLE: Final = {
    "Person": {PERSON, OTHER},
    "Organization": {ORG, OTHER},
    "Company": {ORG, OTHER},
    "PublicBody": {ORG, OTHER},
    "LegalEntity": {PERSON, ORG, OTHER},
    "Vessel": {VESSEL, OTHER},
    "Airplane": {AIRPLANE, OTHER},
}


def schema_class(schema: str) -> int:
    return _SCHEMA_CLASS.get(schema, OTHER)


def has_company_forms(schema: str | None) -> bool:
    """Whether names of this schema may carry company forms (LLC, JSC...): not a
    vessel's or an aircraft's (EP-IAG, SA-1 are registrations, not forms)."""
    return schema not in ("Vessel", "Airplane")


def person_flag(schema: str | None) -> bool | None:
    """How to read names of this schema: as a person's (True), an organisation's or
    object's (False), or unknown (None)."""
    if schema == "Person":
        return True
    if schema in (None, "", "LegalEntity", "Thing"):
        return None
    return False


class IndexedEntity(NamedTuple):
    """What scoring needs of one listed subject (a named tuple: fast to unpickle)."""

    entity_id: str
    source: str
    source_id: str | None
    schema: str
    caption: str
    birth_dates: tuple[str, ...]
    countries: frozenset[str]
    identifiers: Mapping[str, str]
    topics: tuple[str, ...]
    #: Programme names and codes (e.g. the CSL list codes EL, MEU).
    programs: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()


class IndexedName(NamedTuple):
    entity: int
    prop: str
    name: PreparedName
    #: The name as listed (``name.original`` may be a variant derived from it).
    listed: str


@dataclass
class EntityRecord:
    """Input to :meth:`NameIndex.build`: an entity's data as plain values."""

    entity_id: str
    source: str
    source_id: str | None
    schema: str
    caption: str
    properties: Mapping[str, list[str]]


@dataclass
class NameIndex:
    entities: list[IndexedEntity]
    names: list[IndexedName]
    postings: dict[str, npt.NDArray[np.int32]]
    key_weights: dict[str, float]
    inv_norm: npt.NDArray[np.float32]
    inv_consonant_norm: npt.NDArray[np.float32]
    name_entity: npt.NDArray[np.int32]
    name_class: npt.NDArray[np.int8]
    #: Each name's source, as a position in ``sources``: lets a query ask one list.
    name_source: npt.NDArray[np.int16]
    sources: list[str]
    token_df: dict[str, int]
    identifiers: dict[str, list[int]]
    entity_names: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: rigour name symbols of every listed token, by its romanised form.
    vocabulary: dict[str, frozenset[str]] = field(default_factory=dict)
    #: Name positions by their romanised text: an exact spelling is always a candidate.
    exact: dict[str, list[int]] = field(default_factory=dict)
    address_index: AddressIndex = field(default_factory=AddressIndex)
    #: Each name's comparison profile (``profiles[i]`` is of ``names[i]``), made once.
    profiles: list[NameProfile] = field(default_factory=list)
    state: str = ""
    format: int = INDEX_FORMAT
    _weights: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    _masks: dict[tuple[bool, frozenset[int] | None], npt.NDArray[np.float64]] = field(
        default_factory=dict, repr=False
    )

    # -- building ---------------------------------------------------------

    @classmethod
    def build(cls, records: Iterable[EntityRecord], state: str = "") -> NameIndex:
        entities: list[IndexedEntity] = []
        names: list[IndexedName] = []
        entity_names: dict[str, tuple[int, int]] = {}
        identifiers: dict[str, list[int]] = defaultdict(list)
        for record in records:
            index = len(entities)
            props = record.properties
            person = person_flag(record.schema)
            forms = has_company_forms(record.schema)
            start = len(names)
            seen: set[str] = set()
            for prop in NAME_PROPS:
                for value in props.get(prop, []):
                    if value in seen:
                        continue
                    seen.add(value)
                    for variant in name_variants(value):
                        prepared = prepare_name(variant, person, forms=forms)
                        if prepared is not None:
                            names.append(IndexedName(index, prop, prepared, value))
            if len(names) == start:
                continue
            entity_names[record.entity_id] = (start, len(names))
            ids: dict[str, str] = {}
            for prop in IDENTIFIER_PROPS:
                for value in props.get(prop, []):
                    cleaned = normalise_identifier(value)
                    if cleaned is not None:
                        ids[cleaned] = f"{prop} {value}"
                        identifiers[cleaned].append(index)
            countries = {
                code
                for prop in COUNTRY_PROPS
                for value in props.get(prop, [])
                if (code := normalise_country(value))
            }
            dates = tuple(
                sorted({d for v in props.get("birthDate", []) if (d := normalise_date(v))})
            )
            entities.append(
                IndexedEntity(
                    entity_id=record.entity_id,
                    source=record.source,
                    source_id=record.source_id,
                    schema=record.schema,
                    caption=record.caption,
                    birth_dates=dates,
                    countries=frozenset(countries),
                    identifiers=ids,
                    topics=tuple(props.get("topics", [])),
                    programs=tuple(
                        dict.fromkeys([*props.get("programId", []), *props.get("program", [])])
                    ),
                    addresses=tuple(dict.fromkeys(props.get("address", []))),
                )
            )
        # Share one object per distinct token: far fewer objects to save and load.
        interned: dict[Token, Token] = {}
        names = [
            item._replace(
                name=item.name._replace(
                    tokens=tuple(interned.setdefault(t, t) for t in item.name.tokens)
                )
            )
            for item in names
        ]
        return cls._finish(entities, names, dict(identifiers), entity_names, state)

    @classmethod
    def _finish(
        cls,
        entities: list[IndexedEntity],
        names: list[IndexedName],
        identifiers: dict[str, list[int]],
        entity_names: dict[str, tuple[int, int]],
        state: str,
    ) -> NameIndex:
        raw: dict[str, list[int]] = defaultdict(list)
        token_df: dict[str, int] = defaultdict(int)
        vocabulary: dict[str, set[str]] = defaultdict(set)
        exact: dict[str, list[int]] = defaultdict(list)
        name_keys: list[set[str]] = []
        for position, item in enumerate(names):
            keys = name_keys_of(item.name)
            name_keys.append(keys)
            for key in keys:
                raw[key].append(position)
            for phon in {t.phon for t in item.name.tokens}:
                token_df[phon] += 1
            for token in item.name.tokens:
                if token.symbols:
                    vocabulary[token.latin].update(token.symbols)
            exact[item.name.latin].append(position)
        total = max(len(names), 1)
        key_weights = {key: math.log(1 + total / len(post)) for key, post in raw.items()}
        norms = np.array(
            [math.sqrt(sum(key_weights[k] for k in keys)) or 1.0 for keys in name_keys],
            dtype=np.float32,
        )
        consonant_norms = np.array(
            [
                math.sqrt(sum(key_weights[k] for k in keys if k.startswith(_CONSONANT_KEYS))) or 1.0
                for keys in name_keys
            ],
            dtype=np.float32,
        )
        sources = sorted({e.source for e in entities})
        source_code = {source: code for code, source in enumerate(sources)}
        return cls(
            entities=entities,
            names=names,
            postings={k: np.array(v, dtype=np.int32) for k, v in raw.items()},
            key_weights=key_weights,
            inv_norm=(1.0 / norms).astype(np.float32),
            inv_consonant_norm=(1.0 / consonant_norms).astype(np.float32),
            name_entity=np.array([n.entity for n in names], dtype=np.int32),
            name_class=np.array(
                [schema_class(entities[n.entity].schema) for n in names], dtype=np.int8
            ),
            name_source=np.array(
                [source_code[entities[n.entity].source] for n in names], dtype=np.int16
            ),
            sources=sources,
            token_df=dict(token_df),
            identifiers=identifiers,
            entity_names=entity_names,
            vocabulary={k: frozenset(v) for k, v in vocabulary.items()},
            exact=dict(exact),
            address_index=AddressIndex.build(
                (i, address) for i, e in enumerate(entities) for address in e.addresses
            ),
            # The uncached function: building fills no cache the queries will not use.
            profiles=[name_profile.__wrapped__(n.name.tokens) for n in names],
            state=state,
        )

    # -- querying ---------------------------------------------------------

    def attach_symbols(self, name: PreparedName) -> PreparedName:
        """``name`` with the name symbols its tokens have on the lists."""
        tokens = tuple(
            t._replace(symbols=t.symbols | found) if (found := self.vocabulary.get(t.latin)) else t
            for t in name.tokens
        )
        return name._replace(tokens=tokens)

    def token_weight(self, token: Token) -> float:
        """Kind weight damped by how many listed names contain the token."""
        key = (token.phon, token.kind)
        weight = self._weights.get(key)
        if weight is None:
            base = KIND_WEIGHTS[token.kind]
            df = self.token_df.get(token.phon, 0)
            weight = base if df <= 20 else base * max(0.45, 1.0 - 0.2 * math.log10(df / 20))
            self._weights[key] = weight
        return weight

    def retrieve(
        self,
        names: Iterable[PreparedName],
        schema: str | None,
        *,
        limit: int,
        exclude: Mapping[str, set[str]] | None = None,
        consonants_only: bool = False,
        sources: Collection[str] | None = None,
        floor: float = 0.0,
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """The ``limit`` best name positions for the query names, best first, and their
        retrieval scores: two arrays.

        ``consonants_only`` matches on consonant and symbol keys alone: how a name
        written without vowels (Arabic script) finds its Latin renderings, which the
        same name in Arabic script would otherwise outrank on every trigram.
        Names whose retrieval score is below ``floor`` are never returned.
        """
        nothing = (np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float64))
        if not self.names:
            return nothing
        query_mass = 0.0
        postings: list[npt.NDArray[np.int32]] = []
        weights: list[float] = []
        for name in names:
            for key in name_keys_of(name):
                if consonants_only and not key.startswith(_CONSONANT_KEYS):
                    continue
                weight = self.key_weights.get(key)
                if weight is None:
                    query_mass += math.log(1 + len(self.names))
                    continue
                query_mass += weight
                postings.append(self.postings[key])
                weights.append(weight)
        if query_mass <= 0 or not postings:
            return nothing
        # One pass in C over every posting (a weighted bincount) rather than one
        # fancy-indexed addition per key: half the time of the accumulation.
        lengths = np.fromiter((len(p) for p in postings), dtype=np.int64, count=len(postings))
        scores = cast(
            "npt.NDArray[np.float64]",  # with weights, bincount sums floats
            np.bincount(
                np.concatenate(postings),
                weights=np.asarray(weights).repeat(lengths),
                minlength=len(self.names),
            ),
        )
        scale = 1.0 / math.sqrt(query_mass)
        # Whole-array arithmetic, then a cut at the floor: the names that share only a
        # common trigram ("ich", "an$") with the query are tens of thousands, and
        # picking the few above the floor out of a dense mask is far cheaper than
        # gathering, filtering and ranking all of them.
        allowed = _COMPATIBLE.get(schema or "")
        scores *= self._scaling(consonants_only, frozenset(allowed) if allowed else None)
        if sources is not None:
            scores *= np.isin(self.name_source, self.source_codes(sources))
        if exclude:
            hidden = list(self._hidden(exclude))
            if hidden:
                scores[hidden] = 0.0
        # Array methods rather than numpy's functions of the same names, which are
        # Python wrappers around them: a tenth of retrieval's time went into those.
        hit = (scores >= max(floor / scale, 1e-9)).nonzero()[0]
        if hit.size == 0:
            return nothing
        values = scores[hit]
        count = min(limit, values.size)
        if count < values.size:
            top = (-values).argpartition(count - 1)[:count]
            top = top[(-values[top]).argsort(kind="stable")]
        else:
            top = (-values).argsort(kind="stable")
        return hit[top], values[top] * scale

    def retrieve_entities(
        self,
        names: Iterable[PreparedName],
        schema: str | None,
        *,
        entities: int,
        names_per_entity: int = 2,
        pool: int = 300,
        exclude: Mapping[str, set[str]] | None = None,
        sources: Collection[str] | None = None,
        floor: float = 0.0,
    ) -> list[tuple[int, float, list[int]]]:
        """The best ``entities`` as (entity, best retrieval score, its best name positions).

        Ranking entities rather than names keeps one subject listed by four
        publishers under twenty aliases from crowding every other candidate out.
        """
        names = list(names)
        grouped: dict[int, tuple[float, list[int]]] = {}
        allowed = _COMPATIBLE.get(schema or "")
        hidden = self._hidden(exclude) if exclude else set()
        for name in names:
            for position in self.exact.get(name.latin, []):
                entity = int(self.name_entity[position])
                if (
                    position in hidden
                    or (allowed is not None and int(self.name_class[position]) not in allowed)
                    or (sources is not None and self.entities[entity].source not in sources)
                ):
                    continue
                exact_positions = grouped.setdefault(entity, (1.0, []))[1]
                if position not in exact_positions:
                    exact_positions.append(position)
        passes = [(entities, False)]
        if any(t.vowelless for name in names for t in name.tokens):
            passes.append((entities + entities // 2, True))
        for cap, consonants_only in passes:
            found_positions, found_scores = self.retrieve(
                names,
                schema,
                limit=pool,
                exclude=exclude,
                consonants_only=consonants_only,
                sources=sources,
                floor=floor,
            )
            if found_positions.size == 0:
                continue
            for position, score, entity in zip(
                found_positions.tolist(),
                found_scores.tolist(),
                self.name_entity[found_positions].tolist(),
                strict=True,
            ):
                found = grouped.get(entity)
                if found is None:
                    if len(grouped) >= cap:
                        continue
                    grouped[entity] = (score, [position])
                elif (
                    len(found[1]) < names_per_entity
                    and position not in found[1]
                    and not self._same_words(position, found[1])
                ):
                    found[1].append(position)
        return [(entity, best, positions) for entity, (best, positions) in grouped.items()]

    def _same_words(self, position: int, positions: list[int]) -> bool:
        """Whether the name at ``position`` has the words of one of ``positions``:
        "OOO BALTEKH" after "OBSHCHESTVO ... BALTEKH" would take the place of the
        entity's other spelling ("LLC BALTECH") and tell scoring nothing new."""
        tokens = self.names[position].name.tokens
        return any(self.names[p].name.tokens == tokens for p in positions)

    def _scaling(
        self, consonants_only: bool, allowed: frozenset[int] | None
    ) -> npt.NDArray[np.float64]:
        """Each name's inverse key mass, zero where its schema class is not allowed:
        one array per kind of query, made once, so a query multiplies once."""
        key = (consonants_only, allowed)
        scaling = self._masks.get(key)
        if scaling is None:
            # In float64, as the bincount's sums are: no cast of 62,000 values per query.
            norms = self.inv_consonant_norm if consonants_only else self.inv_norm
            scaling = norms.astype(np.float64)
            if consonants_only:
                # The pass looks for Latin renderings: names in Arabic script, which
                # share every consonant key of a common name (محمد), would fill it.
                scaling *= np.fromiter(
                    (not any(t.vowelless for t in n.name.tokens) for n in self.names),
                    dtype=np.float64,
                    count=len(self.names),
                )
            if allowed is not None:
                scaling *= np.isin(self.name_class, list(allowed))
            self._masks[key] = scaling
        return scaling

    def source_codes(self, sources: Collection[str]) -> list[int]:
        return [code for code, source in enumerate(self.sources) if source in sources]

    def _hidden(self, exclude: Mapping[str, set[str]]) -> set[int]:
        return {
            position
            for entity_id, hidden in exclude.items()
            if (span := self.entity_names.get(entity_id)) is not None
            for position in range(*span)
            if self.names[position].listed in hidden
        }

    def by_identifier(self, values: Iterable[str]) -> list[int]:
        found: list[int] = []
        for value in values:
            cleaned = normalise_identifier(value)
            if cleaned is not None:
                found.extend(self.identifiers.get(cleaned, []))
        return found


_BRACKETED: Final = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*")


def name_variants(value: str) -> list[str]:
    """The listed name, and the name without its bracketed parts when it has any.

    Lists append remarks and acronyms in brackets: "Abdel Ilah Sabri (false identity
    related to ...)", "GENERAL DEPARTMENT OF ATOMIC ENERGY (GDAE)".  The name itself
    must be findable without them.
    """
    variants = [value]
    stripped = _BRACKETED.sub(" ", value).strip()
    if stripped and stripped != value.strip():
        variants.append(stripped)
        # The acronym in brackets is a name of its own: YMI for "YAZD METALLURGY
        # INDUSTRIES (YMI)", FDLR for "FORCES DEMOCRATIQUES ... (FDLR)"; two letters
        # (LJ, HK) say too little.
        # A bracketed generic word or company form ("ELLISSA SAL (HOLDING)", "(LIMITED)")
        # is no name of its own: as one, it would match every firm of that kind.
        variants.extend(
            acronym
            for acronym in _ACRONYM.findall(value)
            if sum(c.isalpha() for c in acronym) >= 3
            and acronym.casefold() not in GENERIC_WORDS
            and acronym.casefold() not in FORM_WORD_SET
        )
    return variants


_ACRONYM: Final = re.compile(r"[(\[]\s*([A-Z][A-Z0-9&.\-]{1,9})\s*[)\]]")


#: Key prefixes that survive the loss of vowels: consonant skeletons and trigrams,
#: (not name symbols: an Arabic name carries many more than its Latin renderings).
_CONSONANT_KEYS: Final = ("c:", "k")


def name_keys_of(name: PreparedName) -> set[str]:
    keys: set[str] = set()
    for token in name.tokens:
        keys.update(_token_keys(token))
    for a, b in pairwise(name.tokens):
        if a.vowelless and b.vowelless and a.kind != PARTICLE and b.kind != PARTICLE:
            # Persian and Pashto write compound names apart that Latin lists write as
            # one word: ولی جان is WALIJAN, گل آغا is Gulagha.
            joined = consonants(phonetic(a.latin + b.latin))
            if len(joined) >= 3:
                keys.add(f"c:{joined}")
    return keys


_VOWEL_RUN: Final = re.compile(r"[aeiou]+")
_DIGRAPH: Final = re.compile(r"([td])h")
_KEY_FOLD: Final = str.maketrans({"g": "k", "v": None})


def _token_keys(token: Token) -> list[str]:
    if token.kind == PARTICLE:
        return []
    keys = [f"s:{s}" for s in token.symbols]
    phon = token.phon
    if len(phon) <= 2:
        keys.append(f"t:{phon}")
    else:
        padded = f"^{phon}$"
        keys.extend(padded[i : i + 3] for i in range(len(padded) - 2))
    cons = token.cons
    # The skeleton with the letters that Latin renderings of Arabic and Persian names
    # spell several ways as one: ق is q, k, g or gh (باقری: Bagheri; قاسم: Ghasem), so
    # g and k meet; و is w, v or a long vowel (فدوی: Fadavi; موسوی: Mousavi), so v goes.
    folded = cons.translate(_KEY_FOLD)
    if len(cons) >= 2:
        keys.append(f"c:{cons}")
        # Consonant trigrams, of the folded skeleton: where Arabic script leaves out
        # the short vowels, the consonants are what a Latin rendering shares with it
        # (mhmd ~ muhamad; بکر ~ BAGHERI as much as BAQERI).
        padded = f"^{folded}$"
        keys.extend("k" + padded[i : i + 3] for i in range(len(padded) - 2))
    # And the folded skeleton whole: an extra key, so names spelt alike still share
    # all the rest.
    if folded != cons and len(folded) >= 2:
        keys.append(f"c:{folded}")
    if len(cons) < 2 and len(phon) >= 3:
        # A name of one consonant and long vowels (Ali, Naini, Essa) has no consonant
        # key to find it by; where its vowels stand is the next best thing, and is
        # written in Arabic script too (نائینی: naiini, Naini).
        keys.append("kv:" + _VOWEL_RUN.sub("a", phon))
    if token.vowelless:
        # و read as the consonant its Latin renderings often write (فدوی: Fadavi).
        keys.extend(f"c:{w}" for w in waw_skeletons(token.latin) if len(w) >= 2 and w != cons)
        # ت or د before ح or ه romanise as "th", "dh", which the phonetic key reads as
        # one letter; Latin renderings put a vowel between (الاتحاد: al-Ittihad).
        apart = consonants(phonetic(_DIGRAPH.sub(r"\1ah", token.latin)))
        if apart != cons and len(apart) >= 2:
            keys.append(f"c:{apart}")
    return keys
