"""Build the dev evaluation set for name matching from the store's real listed entities.

Deterministic (seeded): the same store and seed give the same cases.  Writes one JSON
case per line to ``bench/results/evalset.jsonl``::

    {"case": "typo-0001", "class": "typo", "expect": "<entity id>" | null,
     "query": {"names": [...], "schema": ..., "birth_dates": [...], "countries": [...],
               "identifiers": [...]},
     "exclude_names": {"<entity id>": ["<listed name hidden for this query>", ...]},
     "meta": {...how the case was made...}}

Positive classes (``expect`` is the entity that must be alerted):

* ``alias``: one listed Latin-script alias, hidden from its own entity, where another
  name of the entity remains and resembles it (noms de guerre with no resemblance to
  any remaining name are left out: no name matcher can find them).
* ``cross_publisher``: the same subject listed by two publishers, linked by exact birth
  date + shared name tokens, or by a shared identifier (passport, IMO, INN...); the
  query is publisher A's spelling, the expected entity is publisher B's.
* ``cross_script_cyrillic`` / ``_arabic`` / ``_chinese``: a listed name in that script;
  the expected entity is a linked Latin-script entry of another publisher (OFAC
  preferred) or, without a link, the same entity; either way every name of the
  expected entity in the query's script is hidden.
* perturbations of a listed Latin name: ``typo``, ``translit_variant``, ``reorder``,
  ``dropped_middle``, ``spacing``, ``org_form``, ``homoglyph``.

Negative classes (``expect`` is null; any alert is a false alert):

* ``negative_real``: real, unlisted companies and people from ``bench/negatives.py``;
* ``negative_near_miss``: a listed company name with its distinctive token(s) replaced
  by another real word (generic words and the form stay), or a listed person with a
  different surname.

Queries carry the name and the schema; cross-publisher and cross-script queries also
carry the source record's birth dates, as a screening request would.

Run from the project root::

    python bench/evalset.py                 # store loaded from ../shared/data into a temp dir
    python bench/evalset.py --home DIR      # or an existing redline home (loaded if empty)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from normality import ascii_text
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz
from rigour.text import metaphone

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.negatives import (  # noqa: E402
    COMPANIES,
    NEAR_MISS_SURNAMES,
    NEAR_MISS_WORDS,
    PEOPLE,
)

from redline.store import Store  # noqa: E402

DEFAULT_DATA_DIR = PROJECT_ROOT / ".." / "shared" / "data"
DEFAULT_OUT = PROJECT_ROOT / "bench" / "results" / "evalset.jsonl"
DEFAULT_SEED = 20240503
DEFAULT_PER_CLASS = 250

POSITIVE_CLASSES = (
    "alias",
    "cross_publisher",
    "cross_script_cyrillic",
    "cross_script_arabic",
    "cross_script_chinese",
    "typo",
    "translit_variant",
    "reorder",
    "dropped_middle",
    "spacing",
    "org_form",
    "homoglyph",
)
NEGATIVE_CLASSES = ("negative_real", "negative_near_miss")
CLASSES = POSITIVE_CLASSES + NEGATIVE_CLASSES
CROSS_SCRIPT = {
    "cross_script_cyrillic": "cyrillic",
    "cross_script_arabic": "arabic",
    "cross_script_chinese": "han",
}

NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
STRONG_NAME_PROPS = ("name", "alias", "previousName")
ID_PROPS = (
    "passportNumber",
    "idNumber",
    "imoNumber",
    "mmsi",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "taxNumber",
    "swiftBic",
    "leiCode",
    "isinCode",
)
#: Identifiers that name a hull, not a party: a renamed vessel keeps them.
NAMELESS_ID_PROPS = frozenset({"imoNumber", "mmsi"})

T = TypeVar("T")

# --------------------------------------------------------------------------- text helpers

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def norm(text: str) -> str:
    """Case-folded, without marks, punctuation or extra spaces; keeps every script."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    stripped = "".join(
        c for c in decomposed if unicodedata.category(c) not in ("Mn", "Me", "Cf", "Cc")
    )
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped)).strip()


@lru_cache(maxsize=1 << 18)
def ascii_norm(text: str) -> str:
    """``norm`` romanised to lower-case ASCII words."""
    return norm(ascii_text(norm(text)) or "")


@lru_cache(maxsize=1 << 18)
def name_keys(text: str) -> frozenset[str]:
    """Keys under which two names count as *the same listed name* (exact after normalisation)."""
    keys = {norm(text)}
    ascii_key = ascii_norm(text)
    if ascii_key:
        keys.add(ascii_key)
        keys.add(" ".join(sorted(ascii_key.split())))
    keys.discard("")
    return frozenset(keys)


def sound_keys(text: str) -> frozenset[str]:
    """Metaphone keys of a name's distinctive words (two letters or more; not generic
    words, company-form words or particles)."""
    return frozenset(
        key
        for word in ascii_norm(text).split()
        if len(word) >= 2
        and word not in GENERIC_WORDS
        and word not in _FORM_WORDS
        and word not in PARTICLE_WORDS
        and (key := metaphone(word))
    )


def _long_single(text: str) -> bool:
    words = [w for w in ascii_norm(text).split() if w not in GENERIC_WORDS | _FORM_WORDS]
    return len(words) == 1 and len(words[0]) >= 5


def _single_word(text: str) -> str:
    return next(w for w in ascii_norm(text).split() if w not in GENERIC_WORDS | _FORM_WORDS)


def letters_script(char: str) -> str | None:
    """The script of one letter: latin, cyrillic, arabic, han, or another script's name."""
    if not char.isalpha():
        return None
    name = unicodedata.name(char, "")
    if name.startswith("LATIN") or name.startswith("MODIFIER LETTER"):
        return "latin"
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("ARABIC"):
        return "arabic"
    if name.startswith("CJK"):
        return "han"
    return name.split(" ")[0].lower() or None


def script_of(text: str) -> str | None:
    """The one script all letters of ``text`` are in (None if mixed or fewer than 2 letters)."""
    scripts = [s for s in (letters_script(c) for c in text) if s is not None]
    if len(scripts) < 2 or len(set(scripts)) != 1:
        return None
    return scripts[0]


def is_latin(text: str) -> bool:
    return script_of(text) == "latin"


def name_tokens(text: str) -> list[str]:
    """ASCII word tokens of three or more letters, without name particles."""
    return [t for t in ascii_norm(text).split() if len(t) >= 3 and t not in PARTICLES]


def match_case(template: str, word: str) -> str:
    """``word`` in the letter case style of ``template`` (UPPER, Title or lower)."""
    letters = [c for c in template if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) > 1:
        return word.upper()
    if letters and letters[0].isupper():
        return word[:1].upper() + word[1:]
    if letters and letters[0].islower():
        return word.lower()
    return word


def similarity(a: str, b: str) -> float:
    """Token-set similarity of two names' ASCII forms, 0..100."""
    return float(fuzz.token_set_ratio(ascii_norm(a), ascii_norm(b)))


#: Name particles that carry no identity of their own.
PARTICLE_WORDS = frozenset(
    "al el ad ar as ash at az an bin ben ibn bint abu abou um umm de da di du del della dos "
    "das van von der den la le ter ould mr mrs dr haji hajji sheikh shaykh mullah maulavi "
    "qari general".split()
)


def _distinctive(name: str) -> list[str]:
    return [
        t
        for t in name_tokens(name)
        if len(t) >= 2 and t not in GENERIC_WORDS and t not in PARTICLE_WORDS
    ]


def _tokens_agree(a: str, b: str) -> bool:
    if a == b or (len(a) >= 3 and metaphone(a) == metaphone(b)):
        return True
    shorter = min(len(a), len(b))
    if shorter >= 4 and (a.startswith(b) or b.startswith(a)):
        return True
    return shorter >= 3 and fuzz.ratio(a, b) >= 75


def related(a: str, b: str) -> bool:
    """Whether two names of one subject are spellings of one name, not two different names.

    Judged independently of redline's matcher: at least two thirds of the distinctive
    words of the shorter name (not generic words such as "Bank", not particles such as
    "al" or "bin") agree with words of the other (same word, same metaphone key, one a
    prefix of the other, or a fuzz ratio of 75 or more), or the two read alike as a
    whole (token sort ratio of 85 or more, for joined or split words).  Noms de guerre
    ("Abu Qatada" for "Omar Mahmoud Uthman"), maiden names, renamed ships and
    translations ("Jaunā tautas armija" for "New People's Army") are different names:
    no name matcher can be asked to connect them.
    """
    tokens_a, tokens_b = _distinctive(a), _distinctive(b)
    if tokens_a and tokens_b:
        shorter, longer = sorted((tokens_a, tokens_b), key=len)
        agreeing = sum(1 for t in shorter if any(_tokens_agree(t, u) for u in longer))
        if agreeing >= max(1, math.ceil(len(shorter) * 2 / 3)):
            return True
    return fuzz.token_sort_ratio(ascii_norm(a), ascii_norm(b)) >= 85


# --------------------------------------------------------------------------- the listed subjects


@dataclass(frozen=True)
class Subject:
    """The parts of one active listed entity the generator needs."""

    id: str
    source: str
    schema: str
    caption: str
    names: tuple[str, ...]  # ``name`` values
    aliases: tuple[str, ...]  # ``alias`` and ``previousName`` values
    weak: tuple[str, ...]  # ``weakAlias`` values
    birth_dates: tuple[str, ...]
    countries: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...]  # (property, normalised value)

    @property
    def strong_names(self) -> tuple[str, ...]:
        return _unique(self.names + self.aliases)

    @property
    def all_names(self) -> tuple[str, ...]:
        return _unique(self.names + self.aliases + self.weak)

    @property
    def is_person(self) -> bool:
        return self.schema == "Person"

    @property
    def family(self) -> str:
        return publisher_family(self.source)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def publisher_family(source: str) -> str:
    """Sources published by the same body (the OFAC SDN and non-SDN lists) count as one."""
    return "us_ofac" if source.startswith("us_ofac") else source


def normalise_identifier(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def load_subjects(store: Store) -> list[Subject]:
    """Every active target entity, ordered by source then id."""
    subjects: list[Subject] = []
    for stored in store.iter_active_entities(targets_only=True):
        props: dict[str, list[str]] = stored.data.get("properties", {})

        def values(*names: str, _props: dict[str, list[str]] = props) -> tuple[str, ...]:
            found: list[str] = []
            for prop in names:
                found.extend(v for v in _props.get(prop, []) if v and v.strip())
            return _unique(found)

        identifiers = tuple(
            (prop, ident)
            for prop in ID_PROPS
            for value in props.get(prop, [])
            if len(ident := normalise_identifier(value)) >= 6
        )
        subjects.append(
            Subject(
                id=stored.entity_id,
                source=stored.source,
                schema=stored.schema,
                caption=stored.caption,
                names=values("name"),
                aliases=values("alias", "previousName"),
                weak=values("weakAlias"),
                birth_dates=values("birthDate"),
                countries=values("country", "nationality", "citizenship"),
                identifiers=identifiers,
            )
        )
    subjects.sort(key=lambda s: (s.source, s.id))
    return subjects


# --------------------------------------------------------------------------- cross-publisher links


@dataclass(frozen=True)
class Link:
    """Two entities of different publishers that are the same subject."""

    a: str
    b: str
    basis: str  # "birth_date+name" or "identifier:<property>"


def _compatible(a: Subject, b: Subject) -> bool:
    if a.is_person or b.is_person:
        return a.is_person and b.is_person
    if "Vessel" in (a.schema, b.schema) or "Airplane" in (a.schema, b.schema):
        return a.schema == b.schema
    return True


def _names_agree(a: Subject, b: Subject, *, strict: bool) -> bool:
    a_names = [n for n in a.strong_names if is_latin(n)]
    b_names = [n for n in b.strong_names if is_latin(n)]
    if not a_names or not b_names:
        return False
    a_tokens = {t for n in a_names for t in name_tokens(n)}
    b_tokens = {t for n in b_names for t in name_tokens(n)}
    shared = a_tokens & b_tokens
    best = max(
        fuzz.token_sort_ratio(ascii_norm(x), ascii_norm(y)) for x in a_names for y in b_names
    )
    if strict:
        return len(shared) >= 2 or (len(shared) == 1 and best >= 80)
    return bool(shared) or best >= 70


def find_links(subjects: Sequence[Subject]) -> list[Link]:
    """Pairs of entities of two publishers that are one subject.

    Persons: the same exact birth date (YYYY-MM-DD) and two shared name tokens (or one
    and a close full name).  Anyone: a shared identifier of six or more characters, with
    at least one shared name token (not needed for IMO/MMSI: ships get renamed).
    """
    found: dict[tuple[str, str], str] = {}

    def add(a: Subject, b: Subject, basis: str) -> None:
        if a.family == b.family or not _compatible(a, b):
            return
        key = (a.id, b.id) if a.id < b.id else (b.id, a.id)
        found.setdefault(key, basis)

    by_date: dict[str, list[Subject]] = defaultdict(list)
    by_ident: dict[tuple[str, str], list[Subject]] = defaultdict(list)
    for subject in subjects:
        if subject.is_person:
            for value in subject.birth_dates:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    by_date[value].append(subject)
        for prop, ident in subject.identifiers:
            kind = "vessel" if prop in NAMELESS_ID_PROPS else "party"
            by_ident[(kind, ident)].append(subject)

    for group in by_date.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.family != b.family and _names_agree(a, b, strict=True):
                    add(a, b, "birth_date+name")
    for (kind, _ident), group in sorted(by_ident.items()):
        if len(group) > 6:  # a shared placeholder number, not an identifier
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.id == b.id:
                    continue
                props = sorted({p for p, v in a.identifiers if v == _ident})
                if kind == "vessel" or _names_agree(a, b, strict=False):
                    add(a, b, f"identifier:{props[0] if props else 'id'}")
    return [Link(a, b, basis) for (a, b), basis in sorted(found.items())]


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    """One evaluation case."""

    klass: str
    expect: str | None
    names: list[str]
    schema: str | None
    birth_dates: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    exclude_names: dict[str, list[str]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    case: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "class": self.klass,
            "expect": self.expect,
            "query": {
                "names": self.names,
                "schema": self.schema,
                "birth_dates": self.birth_dates,
                "countries": self.countries,
                "identifiers": self.identifiers,
            },
            "exclude_names": self.exclude_names,
            "meta": self.meta,
        }


@dataclass
class Context:
    """What every class generator reads: the subjects, their links, the listed names."""

    subjects: list[Subject]
    links: list[Link]
    by_id: dict[str, Subject] = field(init=False)
    listed_keys: set[str] = field(init=False)
    token_df: Counter[str] = field(init=False)
    vocab: Counter[str] = field(init=False)
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {s.id: s for s in self.subjects}
        self.listed_keys = set()
        self.token_df = Counter()
        self.vocab = Counter()
        self._sound_postings: dict[str, set[int]] = defaultdict(set)
        self._sound_names: set[frozenset[str]] = set()
        #: Listed names made of one distinctive word of 5+ letters ("NOVATEK"), exact.
        self._single_words: set[str] = set()
        counter = itertools.count()
        for subject in self.subjects:
            for name in subject.all_names:
                keys = sound_keys(name)
                if len(keys) == 1 and _long_single(name):
                    self._single_words.add(_single_word(name))
                if len(keys) >= 2:
                    self._sound_names.add(keys)
                    number = next(counter)
                    for key in keys:
                        self._sound_postings[key].add(number)
        for subject in self.subjects:
            self.vocab.update(t for n in subject.strong_names for t in ascii_norm(n).split())
            for name in subject.all_names:
                self.listed_keys |= name_keys(name)
            if not subject.is_person:
                self.token_df.update(
                    {t for n in subject.strong_names for t in ascii_norm(n).split()}
                )

    def is_listed(self, name: str) -> bool:
        return bool(name_keys(name) & self.listed_keys)

    def shares_full_name(self, name: str) -> bool:
        """Whether ``name`` contains a whole listed name, or a listed name contains it.

        Judged by sound keys of distinctive words (metaphone, not redline's own
        folding): "Sergei Korolev" inside "Sergey Borisovich Korolev", "Adib Shaban
        Mansour" containing the listed alias "Adib Shaban", "Novatek Microelectronics
        Corp." containing the listed "OAO NOVATEK".  Such a name is the
        listed name with words added or left out, an alert any analyst expects, so it
        cannot serve as a negative.
        """
        keys = sound_keys(name)
        if not keys:
            return False
        if len(keys) >= 2:
            postings = [self._sound_postings.get(k, set()) for k in keys]
            if set.intersection(*postings):
                return True
        words = {w for w in ascii_norm(name).split() if len(w) >= 5}
        if words & self._single_words:
            return True
        return any(
            frozenset(combo) in self._sound_names
            for size in range(2, len(keys) + 1)
            for combo in itertools.combinations(sorted(keys), size)
        )

    def linked(self) -> dict[str, list[tuple[str, str]]]:
        """Entity id -> [(linked entity id, basis)]."""
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for link in self.links:
            out[link.a].append((link.b, link.basis))
            out[link.b].append((link.a, link.basis))
        return out


def stratified(items: Sequence[T], key: Callable[[T], Any], n: int, rng: random.Random) -> list[T]:
    """Up to ``n`` items, taken in turn from each stratum (source, schema...) in random order."""
    strata: dict[Any, list[T]] = defaultdict(list)
    for item in items:
        strata[key(item)].append(item)
    order = sorted(strata, key=str)
    for name in order:
        rng.shuffle(strata[name])
    chosen: list[T] = []
    while len(chosen) < n and any(strata[name] for name in order):
        for name in order:
            if strata[name] and len(chosen) < n:
                chosen.append(strata[name].pop())
    return chosen


def _stratum(subject: Subject) -> tuple[str, str]:
    group = subject.schema if subject.schema in ("Person", "Vessel", "Airplane") else "Org"
    return (subject.source, group)


def _same_key_names(subject: Subject, query: str) -> list[str]:
    """The entity's listed names that are the query after normalisation."""
    keys = name_keys(query)
    return [n for n in subject.all_names if name_keys(n) & keys]


def usable_query(name: str, person: bool) -> bool:
    """A Latin-script name fit to be typed into a screening form.

    Leaves out publishers' packed lists (``A; B; C``) and, for people, annotated names
    (``Encep Nurjaman (birth name)``) and lone given names (``Ignace``).
    """
    if not is_latin(name) or ";" in name:
        return False
    return not (person and ("(" in name or len(name_tokens(name)) < 2))


def _primary(subject: Subject) -> str | None:
    for name in subject.names:
        if usable_query(name, subject.is_person):
            return name
    return None


# --------------------------------------------------------------------------- alias


def gen_alias(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool: list[Case] = []
    unrelated = 0
    for subject in ctx.subjects:
        extra = subject.names[1:] + subject.aliases
        options: list[Case] = []
        for alias in extra:
            if not usable_query(alias, subject.is_person):
                continue
            hidden = _same_key_names(subject, alias)
            remaining = [n for n in subject.strong_names if n not in hidden]
            if not remaining:
                continue
            if not any(related(alias, r) for r in remaining):
                unrelated += 1
                continue
            options.append(
                Case(
                    "alias",
                    subject.id,
                    [alias],
                    subject.schema,
                    exclude_names={subject.id: hidden},
                    meta={
                        "source": subject.source,
                        "similarity": max(similarity(alias, r) for r in remaining),
                    },
                )
            )
        if options:
            pool.append(rng.choice(options))
    ctx.stats["alias_unrelated_skipped"] = unrelated
    return stratified(pool, lambda c: _stratum(ctx.by_id[str(c.expect)]), n, rng)


# --------------------------------------------------------------------------- cross-publisher


def gen_cross_publisher(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    different: list[Case] = []
    shared: list[Case] = []
    for link in ctx.links:
        for a_id, b_id in ((link.a, link.b), (link.b, link.a)):
            a, b = ctx.by_id[a_id], ctx.by_id[b_id]
            b_keys = {k for name in b.all_names for k in name_keys(name)}
            a_names = [x for x in a.strong_names if usable_query(x, a.is_person)]
            fresh = [x for x in a_names if not (name_keys(x) & b_keys)]
            schema = a.schema if a.schema == b.schema else _common_schema(a, b)
            meta = {"source": a.source, "source_entity": a.id, "link": link.basis}
            b_latin = [x for x in b.strong_names if is_latin(x)]
            scored = sorted(
                (
                    (max(similarity(x, y) for y in b_latin), x)
                    for x in fresh
                    if any(related(x, y) for y in b_latin)
                ),
                key=lambda item: (-item[0], item[1] not in a.names),
            )
            if scored:
                query = scored[0][1]
                different.append(
                    Case(
                        "cross_publisher",
                        b.id,
                        [query],
                        schema,
                        birth_dates=list(a.birth_dates),
                        meta={**meta, "spelling": "different", "similarity": scored[0][0]},
                    )
                )
            elif a_names:
                query = a_names[0]
                hidden = _same_key_names(b, query)
                remaining = [x for x in b.strong_names if x not in hidden]
                if any(related(query, x) for x in remaining):
                    shared.append(
                        Case(
                            "cross_publisher",
                            b.id,
                            [query],
                            schema,
                            birth_dates=list(a.birth_dates),
                            exclude_names={b.id: hidden},
                            meta={**meta, "spelling": "same_hidden"},
                        )
                    )
    ctx.stats["cross_publisher_links"] = len(ctx.links)
    ctx.stats["cross_publisher_link_basis"] = dict(
        Counter(lnk.basis.split(":")[0] for lnk in ctx.links)
    )
    ctx.stats["cross_publisher_source_pairs"] = dict(
        Counter(
            "+".join(sorted((ctx.by_id[lnk.a].source, ctx.by_id[lnk.b].source)))
            for lnk in ctx.links
        )
    )

    def key(c: Case) -> tuple[str, str]:
        return (str(c.meta["source"]), ctx.by_id[str(c.expect)].source)

    chosen = _one_per_subject(stratified(different, key, len(different), rng))[:n]
    if len(chosen) < n:
        extra = _one_per_subject(stratified(shared, key, len(shared), rng))
        seen = {str(c.meta["source_entity"]) for c in chosen} | {str(c.expect) for c in chosen}
        for c in extra:
            if len(chosen) >= n:
                break
            if str(c.meta["source_entity"]) not in seen and str(c.expect) not in seen:
                chosen.append(c)
                seen |= {str(c.meta["source_entity"]), str(c.expect)}
    return chosen


def _one_per_subject(cases: list[Case]) -> list[Case]:
    """Keep the first case of each linked pair (either direction)."""
    seen: set[str] = set()
    out: list[Case] = []
    for c in cases:
        pair = "|".join(sorted((str(c.meta["source_entity"]), str(c.expect))))
        if pair not in seen:
            seen.add(pair)
            out.append(c)
    return out


def _common_schema(a: Subject, b: Subject) -> str:
    if a.is_person:
        return "Person"
    if a.schema in ("Vessel", "Airplane"):
        return a.schema
    return "LegalEntity"


# --------------------------------------------------------------------------- cross-script


def gen_cross_script(klass: str) -> Callable[[Context, random.Random, int], list[Case]]:
    script = CROSS_SCRIPT[klass]

    def generate(ctx: Context, rng: random.Random, n: int) -> list[Case]:
        linked = ctx.linked()
        pool: list[Case] = []
        translations = 0
        for subject in ctx.subjects:
            originals = [x for x in subject.all_names if script_of(x) == script]
            if not originals:
                continue
            query = rng.choice(originals)
            targets: list[tuple[Subject, str]] = []
            for other_id, basis in linked.get(subject.id, []):
                other = ctx.by_id[other_id]
                if any(is_latin(x) for x in other.strong_names):
                    targets.append((other, basis))
            targets.sort(key=lambda t: (t[0].family != "us_ofac", t[0].source, t[0].id))
            if targets:
                expected, basis = targets[0]
            else:
                expected, basis = subject, "same_entity"
            hidden = [x for x in expected.all_names if script_of(x) == script]
            latin = [x for x in expected.strong_names if x not in hidden and is_latin(x)]
            if not latin:
                continue
            if not transliterated(query, latin, script, organisation=not subject.is_person):
                translations += 1
                continue
            pool.append(
                Case(
                    klass,
                    expected.id,
                    [query],
                    subject.schema
                    if subject.schema == expected.schema
                    else _common_schema(subject, expected),
                    birth_dates=list(subject.birth_dates),
                    exclude_names={expected.id: hidden} if hidden else {},
                    meta={"source": subject.source, "source_entity": subject.id, "link": basis},
                )
            )
        ctx.stats[f"{klass}_translations_skipped"] = translations
        ctx.stats[f"{klass}_linked"] = sum(1 for c in pool if c.meta["link"] != "same_entity")
        return stratified(
            pool, lambda c: (c.meta["source"], c.meta["link"] == "same_entity"), n, rng
        )

    return generate


_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}  # fmt: skip
#: Words of a company form or an organisation type, left out of the resemblance test.
_FORM_WORDS = frozenset(
    {
        "ooo", "ao", "oao", "pao", "zao", "tov", "obshchestvo", "aktsionernoe", "s",
        "ogranichennoy", "ogranichennoi", "otvetstvennostyu", "otkrytoe", "zakrytoe",
        "publichnoe", "organizatsiya", "kompaniya",
    }
)  # fmt: skip


def romanise(text: str) -> str:
    """Lower-case ASCII reading: own Cyrillic table (Kh, Ts, Ch), pinyin for Han, ICU else."""
    script = script_of(text)
    if script == "han":
        return " ".join(lazy_pinyin(text, errors="ignore"))
    if script == "cyrillic":
        text = "".join(_CYRILLIC.get(c, c) for c in text.lower())
    return ascii_norm(text)


def skeleton(text: str) -> str:
    """Romanised consonant skeleton, to tell a transliteration from a translation."""
    words = []
    for word in romanise(text).split():
        if word in _FORM_WORDS:
            continue
        word = re.sub(r"[aeiouy]", "", word.replace("w", "v").replace("q", "k"))
        if word:
            words.append(word)
    return " ".join(words)


def transliterated(
    query: str, latin: Sequence[str], script: str, *, organisation: bool = False
) -> bool:
    """Whether ``query`` reads as a transliteration of one of the ``latin`` names.

    Translated names (the EU's Bulgarian "Армията на праведните" for "Lashkar-e-Tayyiba",
    the UK's Chinese "中国控股有限公司" for "Sino Holdings Group") cannot be matched by
    reading them out, so the cross-script classes leave them out.  Han: a distinctive
    Latin token is found in the query's pinyin.  Other scripts: at least half of the
    query's tokens (company forms aside), or the whole name, have a consonant skeleton
    close to the Latin one's; for organisations two thirds of them, since a translated
    body's name still shares its proper nouns with the Latin one ("الدولة الإسلامية في
    العراق والشام - اليمن" for "Islamic State in Iraq and the Levant - Yemen": Iraq,
    Yemen, and an Islam-like skeleton, but no reading of the rest).
    """
    if script == "han":
        pinyin = romanise(query).replace(" ", "")
        tokens = {t for x in latin for t in ascii_norm(x).split()}
        return any(len(t) >= 4 and t not in GENERIC_WORDS and t in pinyin for t in tokens)
    query_skeletons = [t for t in skeleton(query).split() if len(t) >= 2]
    if not query_skeletons:
        return False
    joined = "".join(query_skeletons)
    for name in latin:
        latin_skeletons = [t for t in skeleton(name).split() if t]
        if not latin_skeletons:
            continue
        if fuzz.ratio(joined, "".join(latin_skeletons)) >= 70:
            return True
        matched = sum(
            1 for q in query_skeletons if max(fuzz.ratio(q, t) for t in latin_skeletons) >= 60
        )
        needed = (2 * len(query_skeletons) + 2) // 3 if organisation else len(query_skeletons) / 2
        if matched >= needed:
            return True
    return False


# --------------------------------------------------------------------------- perturbations

PARTICLES = frozenset(
    {
        "al", "el", "ul", "ud", "bin", "ibn", "bint", "abu", "abd", "ould", "ben", "de", "da",
        "del", "der", "den", "van", "von", "la", "le", "di", "du", "dos", "das", "do", "ter",
        "y", "e", "and", "of", "abo", "abou", "bou", "abdul", "abdel", "abdal", "abdur", "abdu",
    }
)  # fmt: skip
_WORD = re.compile(r"\S+")


def person_units(name: str) -> tuple[list[str], list[str]] | None:
    """(surname units, given-name units) for ``LAST, First`` names; else (units, [])."""

    def units(text: str) -> list[str]:
        out: list[str] = []
        pending = ""
        for token in text.split():
            if token.lower().strip(".") in PARTICLES:
                pending = f"{pending} {token}".strip()
                continue
            out.append(f"{pending} {token}".strip())
            pending = ""
        if pending:
            if out:
                out[-1] = f"{out[-1]} {pending}"
            else:
                out.append(pending)
        return out

    if name.count(",") == 1:
        surname, given = (p.strip() for p in name.split(","))
        if not surname or not given:
            return None
        return units(surname), units(given)
    if "," in name:
        return None
    return units(name), []


def _perturbation_pool(
    ctx: Context, accept: Callable[[Subject, str], bool], *, latin: bool = True
) -> list[tuple[Subject, str]]:
    pool: list[tuple[Subject, str]] = []
    for subject in ctx.subjects:
        primary = _primary(subject) if latin else (subject.names[0] if subject.names else None)
        if primary and accept(subject, primary):
            pool.append((subject, primary))
    return pool


Perturb = Callable[[Subject, str, random.Random, str], tuple[str, str] | None]


def _perturbed_cases(
    ctx: Context,
    klass: str,
    pool: list[tuple[Subject, str]],
    perturb: Perturb,
    rng: random.Random,
    n: int,
    kinds: Callable[[Subject, str], Iterable[str]] | None = None,
) -> list[Case]:
    """Up to ``n`` perturbed names, one per entity, spread over sources and schemas.

    With ``kinds`` (the kinds of change a name allows), the kinds take turns, so that
    a common kind (joining two words) does not crowd out rarer ones (hyphens).
    """
    by_kind: dict[str, list[tuple[Subject, str]]] = defaultdict(list)
    for subject, name in pool:
        for kind in kinds(subject, name) if kinds is not None else ("",):
            by_kind[kind].append((subject, name))
    queues = {
        kind: stratified(items, lambda item: _stratum(item[0]), len(items), rng)
        for kind, items in sorted(by_kind.items())
    }
    order: list[tuple[Subject, str, str]] = []
    while any(queues.values()):
        for kind, queue in queues.items():
            if queue:
                subject, name = queue.pop(0)
                order.append((subject, name, kind))
    chosen: list[Case] = []
    used: set[str] = set()
    for subject, original, kind in order:
        if len(chosen) >= n:
            break
        if subject.id in used:
            continue
        result = perturb(subject, original, rng, kind)
        if result is None:
            continue
        query, variant = result
        if query == original or norm(query) == "":
            continue
        used.add(subject.id)
        chosen.append(
            Case(
                klass,
                subject.id,
                [query],
                subject.schema,
                meta={"source": subject.source, "original": original, "variant": variant},
            )
        )
    return chosen


# typo -----------------------------------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def make_typo(name: str, rng: random.Random) -> tuple[str, str] | None:
    """One edit (substitution, deletion, insertion, transposition) in a token of 5+ letters."""
    spans = [m for m in _WORD.finditer(name) if sum(c.isalpha() for c in m.group()) >= 5]
    spans = [m for m in spans if m.group().isalpha()]
    if not spans:
        return None
    match = rng.choice(spans)
    token = match.group()
    upper = token.isupper()
    op = rng.choice(("substitute", "delete", "insert", "transpose"))
    pos = rng.randrange(1, len(token))  # rarely the first letter in real typos

    def letter(avoid: str) -> str:
        choice = rng.choice([c for c in _LETTERS if c != avoid.lower()])
        return choice.upper() if upper else choice

    if op == "substitute":
        new = token[:pos] + letter(token[pos]) + token[pos + 1 :]
    elif op == "delete":
        new = token[:pos] + token[pos + 1 :]
    elif op == "insert":
        new = token[:pos] + letter("") + token[pos:]
    else:
        pos = min(pos, len(token) - 2)
        if token[pos] == token[pos + 1]:
            return None
        new = token[:pos] + token[pos + 1] + token[pos] + token[pos + 2 :]
    if new == token:
        return None
    return name[: match.start()] + new + name[match.end() :], op


def gen_typo(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool = _perturbation_pool(ctx, lambda _s, name: make_typo(name, random.Random(0)) is not None)
    return _perturbed_cases(ctx, "typo", pool, lambda _s, name, r, _k: make_typo(name, r), rng, n)


# translit_variant -----------------------------------------------------------

TRANSLIT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("dmitriy", "dmitry", "dmitrii", "dmitri"),
    ("yevgeny", "evgeny", "yevgeniy", "evgeniy", "evgenii", "evgeni"),
    ("yevgeniya", "evgeniya", "evgenia"),
    ("mohammed", "muhammad", "mohamad", "mohammad", "muhammed", "mohamed", "mukhammad"),
    ("ahmed", "ahmad"),
    ("mahmoud", "mahmud", "mahmood"),
    ("hussein", "husain", "hussain", "husayn", "hosein"),
    ("hassan", "hasan"),
    ("abdullah", "abdallah", "abdulla"),
    ("yusuf", "yousef", "youssef", "yusef"),
    ("osama", "usama"),
    ("omar", "umar"),
    ("othman", "uthman", "osman"),
    ("mustafa", "mustapha", "moustafa"),
    ("ibrahim", "ebrahim"),
    ("ismail", "ismael"),
    ("khalid", "khaled"),
    ("said", "saeed", "saied"),
    ("abu", "abou"),
    ("jamal", "gamal"),
    ("aleksandr", "alexander", "aleksander", "alexandr"),
    ("aleksey", "alexey", "aleksei", "alexei"),
    ("andrey", "andrei"),
    ("sergey", "sergei", "sergii", "serhiy"),
    ("yuriy", "yuri", "yury", "iurii"),
    ("nikolay", "nikolai"),
    ("vyacheslav", "viacheslav"),
    ("vitaliy", "vitaly", "vitalii"),
    ("anatoliy", "anatoly", "anatolii"),
    ("valeriy", "valery", "valerii"),
    ("gennadiy", "gennady", "gennadii"),
    ("arkadiy", "arkady", "arkadii"),
    ("grigoriy", "grigory", "grigorii"),
    ("tatyana", "tatiana"),
    ("natalya", "natalia"),
    ("yuliya", "yulia", "iuliia"),
    ("pyotr", "petr"),
    ("fyodor", "fedor"),
    ("mikhail", "mikhael"),
    ("zhou", "chou"),
    ("zhao", "chao"),
)
_TRANSLIT_INDEX = {word: group for group in TRANSLIT_GROUPS for word in group}

#: (pattern on a lower-case token, replacement, label) for spelling-scheme variants.
TRANSLIT_RULES: tuple[tuple[str, str, str], ...] = (
    (r"^kh", "h", "kh->h"),
    (r"(?<=[aeiou])kh", "h", "kh->h"),
    (r"^yev", "ev", "yev->ev"),
    (r"^ye", "e", "ye->e"),
    (r"iy$", "y", "iy->y"),
    (r"ii$", "iy", "ii->iy"),
    (r"(?<=[^aeiouy])ya", "ia", "ya->ia"),
    (r"(?<=[^aeiouy])yu", "iu", "yu->iu"),
    (r"ou", "u", "ou->u"),
    (r"ee", "i", "ee->i"),
    (r"oo", "u", "oo->u"),
    (r"zh", "j", "zh->j"),
    (r"shch", "sch", "shch->sch"),
    (r"^q", "k", "q->k"),
    (r"ph", "f", "ph->f"),
    (r"ov$", "off", "ov->off"),
    (r"ei$", "ey", "ei->ey"),
    (r"ey$", "ei", "ey->ei"),
    (r"aa", "a", "aa->a"),
    (r"dh", "z", "dh->z"),
    (r"ts", "tz", "ts->tz"),
    (r"(?<=[aeiou])j(?=[aeiou])", "dj", "j->dj"),
)
#: Rules over the whole name (Abdul Rahman / Abd al-Rahman / Abdel Rahman, al-/el-).
PHRASE_RULES: tuple[tuple[str, str, str], ...] = (
    (r"\bAbdul[ -]?(?=\w)", "Abd al-", "abdul->abd al-"),
    (r"\bAbd[ -]al[ -](?=\w)", "Abdul ", "abd al-->abdul"),
    (r"\bAbd[ -]el[ -]?(?=\w)", "Abdel", "abd el->abdel"),
    (r"\bAbdel[ -]?(?=\w)", "Abdul ", "abdel->abdul"),
    (r"\bal-(?=\w)", "el-", "al-->el-"),
    (r"\bel-(?=\w)", "al-", "el-->al-"),
)


def translit_options(name: str, *, rules: bool = True) -> list[tuple[str, str, bool]]:
    """Every (variant, label, is_known_name_variant) of ``name``.

    ``rules``: also spelling-scheme rules (kh->h, ou->u...), which only make sense on
    transliterated names, not on English words such as a vessel's "SOUTH HILL".
    """
    out: list[tuple[str, str, bool]] = []
    for match in _WORD.finditer(name):
        token = match.group()
        lower = token.lower()
        group = _TRANSLIT_INDEX.get(lower)
        if group is not None:
            for other in group:
                if other != lower:
                    new = name[: match.start()] + match_case(token, other) + name[match.end() :]
                    out.append((new, f"{lower}->{other}", True))
        if not rules or not token.isalpha() or len(token) < 3 or lower in GENERIC_WORDS:
            continue
        for pattern, repl, label in TRANSLIT_RULES:
            changed = re.sub(pattern, repl, lower, count=1)
            if changed != lower and len(changed) >= 2:
                new = name[: match.start()] + match_case(token, changed) + name[match.end() :]
                out.append((new, label, False))
    for pattern, repl, label in PHRASE_RULES:
        flags = re.IGNORECASE
        found = re.search(pattern, name, flags)
        if found is None:
            continue
        replacement = match_case(found.group() or name, repl)
        changed = re.sub(pattern, replacement.replace("\\", "\\\\"), name, count=1, flags=flags)
        if changed != name:
            out.append((changed, label, True))
    return [(v, label, known) for v, label, known in out if norm(v) != norm(name)]


def translit_kind(label: str, known: bool) -> str:
    """``name`` (Dmitriy/Dmitry), ``article`` (Abdul/Abd al-, al-/el-) or ``scheme`` (kh->h)."""
    if not known:
        return "scheme"
    return "article" if label.startswith(("abd", "al-", "el-")) else "name"


def make_translit(
    name: str, rng: random.Random, *, rules: bool = True, kind: str = ""
) -> tuple[str, str] | None:
    options = translit_options(name, rules=rules)
    if kind:
        options = [o for o in options if translit_kind(o[1], o[2]) == kind]
    if not options:
        return None
    pick = rng.choice(options)
    return pick[0], pick[1]


def gen_translit(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    def rules(subject: Subject) -> bool:
        return subject.schema not in ("Vessel", "Airplane")

    def kinds(subject: Subject, name: str) -> set[str]:
        options = translit_options(name, rules=rules(subject))
        found = {translit_kind(label, known) for _v, label, known in options}
        # Known name variants are what lists differ by most: give them two turns.
        return found | ({"name2"} if "name" in found else set())

    pool = _perturbation_pool(ctx, lambda s, name: bool(translit_options(name, rules=rules(s))))
    return _perturbed_cases(
        ctx,
        "translit_variant",
        pool,
        lambda s, name, r, k: make_translit(name, r, rules=rules(s), kind=k.rstrip("2")),
        rng,
        n,
        kinds,
    )


# reorder and dropped_middle ------------------------------------------------


def make_reorder(name: str, rng: random.Random) -> tuple[str, str] | None:
    parsed = person_units(name)
    if parsed is None:
        return None
    surname, given = parsed
    if given:  # "LAST, First Middle"
        options = [
            (" ".join(given + surname), "comma_to_given_first"),
            (" ".join(surname + given), "comma_dropped"),
        ]
    else:
        if len(surname) < 2:
            return None
        units = surname
        options = [
            (f"{units[-1]}, {' '.join(units[:-1])}", "surname_first_comma"),
            (" ".join([units[-1], *units[:-1]]), "surname_first"),
        ]
        if len(units) >= 3:
            options.append((" ".join([*units[1:], units[0]]), "first_to_last"))
    options = [(q, v) for q, v in options if q != name]
    return rng.choice(options) if options else None


def make_dropped_middle(name: str, rng: random.Random) -> tuple[str, str] | None:
    parsed = person_units(name)
    if parsed is None:
        return None
    surname, given = parsed
    if given:
        if len(given) < 2:
            return None
        drop = rng.randrange(1, len(given))
        kept = given[:drop] + given[drop + 1 :]
        return f"{' '.join(surname)}, {' '.join(kept)}", f"dropped:{given[drop]}"
    if len(surname) < 3:
        return None
    drop = rng.randrange(1, len(surname) - 1)
    kept = surname[:drop] + surname[drop + 1 :]
    return " ".join(kept), f"dropped:{surname[drop]}"


def _person_tokens(name: str) -> int:
    return len([t for t in re.split(r"[\s,]+", name) if t])


def gen_reorder(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool = _perturbation_pool(
        ctx, lambda s, name: s.is_person and make_reorder(name, random.Random(0)) is not None
    )
    return _perturbed_cases(
        ctx, "reorder", pool, lambda _s, name, r, _k: make_reorder(name, r), rng, n
    )


def gen_dropped_middle(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool = _perturbation_pool(
        ctx,
        lambda s, name: (
            s.is_person
            and _person_tokens(name) >= 3
            and make_dropped_middle(name, random.Random(0)) is not None
        ),
    )
    return _perturbed_cases(
        ctx, "dropped_middle", pool, lambda _s, name, r, _k: make_dropped_middle(name, r), rng, n
    )


# spacing --------------------------------------------------------------------

_JOINABLE_PREFIXES = frozenset({"al", "el", "abu", "abd", "abdul", "bin", "ibn", "de", "van", "ul"})


def spacing_options(name: str, vocab: Mapping[str, int]) -> list[tuple[str, str]]:
    """Variants of ``name`` that only move spaces and hyphens.

    Hyphens to spaces or removed; a particle joined to or hyphenated with the next
    word; two short words joined; a word split where both halves are words of the
    lists' vocabulary (``vocab``: token counts), as "Hongkong" -> "Hong Kong".
    """
    out: list[tuple[str, str]] = []
    for match in re.finditer(r"(?<=[^\W\d_])-(?=[^\W\d_])", name):
        i = match.start()
        out.append((name[:i] + " " + name[i + 1 :], "hyphen_to_space"))
        out.append((name[:i] + name[i + 1 :], "hyphen_removed"))
    tokens = list(_WORD.finditer(name))
    for left, right in itertools.pairwise(tokens):
        a, b = left.group(), right.group()
        if not (a.isalpha() and b.isalpha()):
            continue
        joined = name[: left.end()] + name[right.start() :]
        if a.lower() in _JOINABLE_PREFIXES:
            out.append((joined, "prefix_joined"))
            out.append((name[: left.end()] + "-" + name[right.start() :], "space_to_hyphen"))
        elif len(a) + len(b) <= 14:
            out.append((joined, "tokens_joined"))
    for match in tokens:
        token = match.group()
        if token.isalpha() and len(token) >= 6:
            cut = _split_point(token, vocab)
            if cut:
                new = token[:cut] + " " + token[cut:]
                out.append((name[: match.start()] + new + name[match.end() :], "token_split"))
    return [(q, v) for q, v in out if q != name]


def _split_point(token: str, vocab: Mapping[str, int]) -> int | None:
    """Where ``token`` splits into a particle or a listed word and another listed word."""
    lower = token.lower()
    for i in range(2, len(lower) - 2):
        head, tail = lower[:i], lower[i:]
        if len(tail) < 3:
            continue
        if head in _JOINABLE_PREFIXES and vocab.get(tail, 0) >= 2:
            return i
        if len(head) >= 3 and vocab.get(head, 0) >= 3 and vocab.get(tail, 0) >= 3:
            return i
    return None


def make_spacing(
    name: str, rng: random.Random, vocab: Mapping[str, int], kind: str = ""
) -> tuple[str, str] | None:
    options = [o for o in spacing_options(name, vocab) if not kind or o[1] == kind]
    return rng.choice(options) if options else None


def gen_spacing(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool = _perturbation_pool(ctx, lambda _s, name: bool(spacing_options(name, ctx.vocab)))
    return _perturbed_cases(
        ctx,
        "spacing",
        pool,
        lambda _s, name, r, k: make_spacing(name, r, ctx.vocab, k),
        rng,
        n,
        lambda _s, name: {label for _q, label in spacing_options(name, ctx.vocab)},
    )


# org_form -------------------------------------------------------------------

FORM_GROUPS: tuple[tuple[str, ...], ...] = (
    (
        "Limited Liability Company", "LLC", "L.L.C.", "OOO", "ООО",
        "Obshchestvo s Ogranichennoi Otvetstvennostyu",
        "Общество с ограниченной ответственностью", "TOV",
    ),
    ("Joint Stock Company", "JSC", "AO", "АО", "Aktsionernoe Obshchestvo", "Акционерное общество"),
    ("Open Joint Stock Company", "OJSC", "OAO", "ОАО", "Otkrytoe Aktsionernoe Obshchestvo"),
    ("Public Joint Stock Company", "PJSC", "PAO", "ПАО", "Publichnoe Aktsionernoe Obshchestvo"),
    ("Closed Joint Stock Company", "CJSC", "ZAO", "ЗАО", "Zakrytoe Aktsionernoe Obshchestvo"),
    ("Co., Ltd.", "Co. Ltd", "Company Limited", "Co., Limited", "Limited Company", "有限公司"),
    ("Limited", "Ltd", "Ltd."),
    ("Gesellschaft mit beschränkter Haftung", "GmbH", "Gesellschaft mbH"),
    ("Corporation", "Corp.", "Corp"),
    ("Incorporated", "Inc.", "Inc"),
    ("Company", "Co.", "Co"),
    ("Public Limited Company", "PLC"),
    ("Sociedad Anónima", "S.A.", "SA"),
    ("Free Zone Establishment", "FZE"),
    ("Free Zone Company", "FZCO", "FZC"),
    ("Free Zone Limited Liability Company", "FZ-LLC", "FZ LLC"),
    ("Private Limited", "Pvt. Ltd.", "Pvt Ltd", "(Pvt) Ltd"),
    ("Sendirian Berhad", "Sdn. Bhd.", "Sdn Bhd"),
    ("Pte. Ltd.", "Pte Ltd"),
    ("Anonim Şirketi", "A.Ş.", "AŞ", "A.S."),
    ("Limited Şirketi", "Ltd. Şti.", "Ltd Sti"),
    ("Limited Liability Partnership", "LLP"),
)  # fmt: skip
#: Forms written before the name (Russian and Ukrainian practice).
PREFIX_FORMS = frozenset(
    f.casefold()
    for f in {
        "OOO", "ООО", "TOV", "AO", "АО", "OAO", "ОАО", "PAO", "ПАО", "ZAO", "ЗАО",
        "Obshchestvo s Ogranichennoi Otvetstvennostyu", "Общество с ограниченной ответственностью",
        "Aktsionernoe Obshchestvo", "Акционерное общество", "Otkrytoe Aktsionernoe Obshchestvo",
        "Publichnoe Aktsionernoe Obshchestvo", "Zakrytoe Aktsionernoe Obshchestvo",
    }
)  # fmt: skip


def _form_pattern(surface: str) -> str:
    parts = [re.escape(p.rstrip(".")) + r"\.?" for p in re.split(r"[\s,]+", surface) if p]
    body = r"[\s,]*".join(parts)
    return rf"(?<![\w.]){body}(?!\w)"


_FORMS = sorted(
    (
        (surface, gi, re.compile(_form_pattern(surface), re.IGNORECASE))
        for gi, group in enumerate(FORM_GROUPS)
        for surface in group
    ),
    key=lambda item: -len(item[0]),
)


_EDGE = " ,.;:()[]\"'“”«»„"
#: Every word of a company form, ASCII-folded ("limited", "liability", "ooo", "sa"...).
_FORM_WORDS = frozenset(
    word for group in FORM_GROUPS for surface in group for word in ascii_norm(surface).split()
)


def find_form(name: str) -> tuple[re.Match[str], int, str] | None:
    """The longest company form at the start or end of ``name``: (match, group, surface).

    Forms inside a name are not forms ("S.A." in "named after S.A. Khristianovich").
    """
    best: tuple[re.Match[str], int, str] | None = None
    for surface, group, pattern in _FORMS:
        for match in pattern.finditer(name):
            at_edge = not name[: match.start()].strip(_EDGE) or not name[match.end() :].strip(_EDGE)
            if not at_edge:
                continue
            if best is None or len(match.group()) > len(best[0].group()):
                best = (match, group, surface)
    return best


def make_org_form(name: str, rng: random.Random) -> tuple[str, str] | None:
    found = find_form(name)
    if found is None:
        return None
    match, group, _surface = found
    options = [s for s in FORM_GROUPS[group] if norm(s) != norm(match.group())]
    if not options:
        return None
    new = rng.choice(options)
    if new.isascii():
        new = match_case(name, new) if name.isupper() else new
    before, after = name[: match.start()].rstrip(" ,"), name[match.end() :].strip(" ,")
    if not before and not after:
        return None
    at_end = not after or after in {")", "."}
    at_start = not before
    prefix = new.casefold() in PREFIX_FORMS
    if prefix and at_end and before:
        query = f"{new} {before}"
    elif at_start and not prefix and after:
        query = f"{after} {new}"
    elif at_end:
        sep = "" if new == "有限公司" else " "
        query = f"{before}{sep}{new}"
    else:
        query = f"{before} {new} {after}".strip()
    query = _SPACES.sub(" ", query).strip()
    return (query, f"{match.group()}->{new}") if norm(query) != norm(name) else None


def gen_org_form(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool = _perturbation_pool(
        ctx,
        lambda s, name: not s.is_person and find_form(name) is not None,
        latin=False,
    )

    def kinds(_subject: Subject, name: str) -> set[str]:
        found = find_form(name)
        return {f"{found[1]:02d}"} if found is not None else set()

    return _perturbed_cases(
        ctx, "org_form", pool, lambda _s, name, r, _k: make_org_form(name, r), rng, n, kinds
    )


# homoglyph ------------------------------------------------------------------

CYRILLIC_LOOKALIKES = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і",
    "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р",
    "C": "С", "T": "Т", "X": "Х", "I": "І",
}  # fmt: skip
INVISIBLES = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060")
DIACRITICS = {
    "a": "áàâäã", "e": "éèêë", "i": "íìîï", "o": "óòôöõ", "u": "úùûü", "n": "ñ", "c": "çč",
    "s": "şš", "g": "ğ", "z": "ž", "A": "ÁÂÄ", "E": "ÉÈ", "I": "Íİ", "O": "ÓÖ", "U": "ÚÜ",
    "S": "ŞŠ", "C": "ÇČ", "N": "Ñ",
}  # fmt: skip
HOMOGLYPH_VARIANTS = ("cyrillic", "invisible", "case", "diacritics", "mixed")


def make_homoglyph(name: str, rng: random.Random, variant: str) -> tuple[str, str] | None:
    kinds = [variant] if variant != "mixed" else rng.sample(HOMOGLYPH_VARIANTS[:4], 2)
    text = name
    for kind in kinds:
        text = _apply_homoglyph(text, rng, kind)
    return (text, variant) if text != name else None


def _apply_homoglyph(text: str, rng: random.Random, kind: str) -> str:
    chars = list(text)
    if kind == "cyrillic":
        spots = [i for i, c in enumerate(chars) if c in CYRILLIC_LOOKALIKES]
        for i in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
            chars[i] = CYRILLIC_LOOKALIKES[chars[i]]
    elif kind == "invisible":
        spots = [i for i in range(1, len(chars)) if chars[i - 1].isalpha() and chars[i].isalpha()]
        for i in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 2))), reverse=True):
            chars.insert(i, rng.choice(INVISIBLES))
    elif kind == "case":
        style = rng.choice(("lower", "upper", "alternating", "title"))
        if style == "lower":
            return text.lower() if text.lower() != text else text.title()
        if style == "upper":
            return text.upper() if text.upper() != text else text.lower()
        if style == "title":
            return text.title() if text.title() != text else text.swapcase()
        return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(text))
    elif kind == "diacritics":
        spots = [i for i, c in enumerate(chars) if c in DIACRITICS]
        for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
            chars[i] = rng.choice(DIACRITICS[chars[i]])
    return "".join(chars)


def fold_homoglyphs(text: str) -> str:
    """Undo every homoglyph perturbation: for the generator's own invariant checks."""
    back = {v: k for k, v in CYRILLIC_LOOKALIKES.items()}
    text = "".join(back.get(c, c) for c in text if c not in INVISIBLES)
    return norm(text)


def gen_homoglyph(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    pool = _perturbation_pool(ctx, lambda _s, name: sum(c.isalpha() for c in name) >= 4)
    counter = iter(range(10**9))

    def perturb(_s: Subject, name: str, r: random.Random, _k: str) -> tuple[str, str] | None:
        variant = HOMOGLYPH_VARIANTS[next(counter) % len(HOMOGLYPH_VARIANTS)]
        return make_homoglyph(name, r, variant)

    return _perturbed_cases(ctx, "homoglyph", pool, perturb, rng, n)


# --------------------------------------------------------------------------- negatives


def gen_negative_real(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    cases: list[Case] = []
    dropped: list[str] = []
    for schema, names in (("Company", COMPANIES), ("Person", PEOPLE)):
        for name in names:
            if ctx.is_listed(name) or ctx.shares_full_name(name):
                dropped.append(name)
                continue
            cases.append(Case("negative_real", None, [name], schema, meta={"kind": schema}))
    ctx.stats["negative_real_dropped_as_listed"] = dropped
    rng.shuffle(cases)
    return cases[:n]


GENERIC_WORDS = frozenset(
    {
        "hong", "kong", "china", "chinese", "shenzhen", "shanghai", "beijing", "guangzhou", "dubai",
        "uae", "emirates", "moscow", "russia", "russian", "iran", "iranian", "tehran", "turkey",
        "istanbul", "international", "global", "general", "trading", "trade", "technology",
        "technologies", "tech", "electronics", "electronic", "electric", "group", "holding",
        "holdings", "industrial", "industries", "industry", "import", "export", "logistics",
        "company", "co", "ltd", "limited", "llc", "jsc", "corporation", "corp", "inc", "the", "of",
        "and", "for", "services", "service", "engineering", "development", "investment",
        "investments", "bank", "science", "scientific", "equipment", "systems", "system", "supply",
        "supplies", "materials", "machinery", "energy", "oil", "gas", "petroleum", "shipping",
        "marine", "maritime", "transport", "airlines", "aviation", "air", "construction",
        "petrochemical", "chemical", "chemicals", "steel", "metal", "metals", "mining",
        "commercial", "finance", "financial", "exchange", "research", "institute", "center",
        "centre", "production", "manufacturing", "factory", "plant", "foundation", "organization",
        "organisation", "national", "state", "joint", "stock", "public", "enterprise",
        "enterprises", "partners", "solutions", "resources", "network", "networks",
        "communications", "telecom", "digital", "software", "consulting", "management", "agency",
        "office", "branch", "department", "ministry", "new", "world", "east", "west", "north",
        "south", "middle", "asia", "europe", "america", "africa", "gulf", "pacific",
    }
)  # fmt: skip


def make_org_near_miss(ctx: Context, name: str, rng: random.Random) -> tuple[str, str] | None:
    tokens = list(_WORD.finditer(name))
    distinctive = []
    generic = 0
    for match in tokens:
        word = ascii_norm(match.group())
        if not word:
            continue
        is_form = find_form(match.group()) is not None
        if word in GENERIC_WORDS or is_form or ctx.token_df[word] >= 25 or len(word) <= 2:
            generic += 1
        elif match.group().isalpha():
            distinctive.append(match)
        else:
            return None
    if not distinctive or generic == 0 or len(distinctive) > 2:
        return None
    text = name
    replaced = []
    for match in sorted(distinctive, key=lambda m: -m.start()):
        original = match.group()
        candidates = [
            w
            for w in NEAR_MISS_WORDS
            if fuzz.ratio(w.lower(), original.lower()) < 50
            and w.lower()[:2] != original.lower()[:2]
            # a replacement that is itself a listed name's word would make a real hit
            and ctx.vocab[ascii_norm(w)] == 0
        ]
        word = match_case(original, rng.choice(candidates))
        text = text[: match.start()] + word + text[match.end() :]
        replaced.append(f"{original}->{word}")
    return text, ";".join(reversed(replaced))


def make_person_near_miss(name: str, rng: random.Random) -> tuple[str, str] | None:
    parsed = person_units(name)
    if parsed is None:
        return None
    surname, given = parsed
    if given:
        if len(surname) != 1 or not given:
            return None
        old = surname[0]
    else:
        if not 2 <= len(surname) <= 4:
            return None
        given, old = surname[:-1], surname[-1]
    core = old.split()[-1]
    if len(core) < 3 or not core.isalpha() or core.lower() in {"jr", "sr", "iii"}:
        return None
    candidates = [
        s
        for s in NEAR_MISS_SURNAMES
        if fuzz.ratio(ascii_norm(s), ascii_norm(core)) < 50
        and ascii_norm(s)[:2] != ascii_norm(core)[:2]
    ]
    new = match_case(core, rng.choice(candidates))
    query = f"{new}, {' '.join(given)}" if "," in name else " ".join([*given, new])
    return query, f"{old}->{new}"


def gen_negative_near_miss(ctx: Context, rng: random.Random, n: int) -> list[Case]:
    orgs = _perturbation_pool(
        ctx, lambda s, _name: s.schema in ("Organization", "Company", "PublicBody")
    )
    people = _perturbation_pool(ctx, lambda s, _name: s.is_person)
    out: list[Case] = []
    for pool, share, make in (
        (orgs, n - n * 2 // 5, lambda name, r: make_org_near_miss(ctx, name, r)),
        (people, n * 2 // 5, make_person_near_miss),
    ):
        made = 0
        for subject, original in stratified(pool, lambda item: _stratum(item[0]), len(pool), rng):
            if made >= share:
                break
            result = make(original, rng)
            if result is None or ctx.is_listed(result[0]) or ctx.shares_full_name(result[0]):
                ctx.stats["negative_near_miss_dropped"] = ctx.stats.get(
                    "negative_near_miss_dropped", 0
                ) + (result is not None)
                continue
            out.append(
                Case(
                    "negative_near_miss",
                    None,
                    [result[0]],
                    "Person" if subject.is_person else "Company",
                    meta={
                        "source": subject.source,
                        "near": subject.id,
                        "original": original,
                        "variant": result[1],
                    },
                )
            )
            made += 1
    return out


# --------------------------------------------------------------------------- build and write

GENERATORS: dict[str, Callable[[Context, random.Random, int], list[Case]]] = {
    "alias": gen_alias,
    "cross_publisher": gen_cross_publisher,
    "cross_script_cyrillic": gen_cross_script("cross_script_cyrillic"),
    "cross_script_arabic": gen_cross_script("cross_script_arabic"),
    "cross_script_chinese": gen_cross_script("cross_script_chinese"),
    "typo": gen_typo,
    "translit_variant": gen_translit,
    "reorder": gen_reorder,
    "dropped_middle": gen_dropped_middle,
    "spacing": gen_spacing,
    "org_form": gen_org_form,
    "homoglyph": gen_homoglyph,
    "negative_real": gen_negative_real,
    "negative_near_miss": gen_negative_near_miss,
}


def build_context(store: Store) -> Context:
    subjects = load_subjects(store)
    return Context(subjects, find_links(subjects))


def build_cases(
    ctx: Context,
    *,
    per_class: int = DEFAULT_PER_CLASS,
    seed: int = DEFAULT_SEED,
    classes: Iterable[str] = CLASSES,
) -> list[Case]:
    """Every class's cases, numbered ``<class>-0001``...; one RNG per class, seeded."""
    cases: list[Case] = []
    for klass in classes:
        rng = random.Random(f"{seed}:{klass}")
        limit = per_class * 3 if klass == "negative_real" else per_class
        made = GENERATORS[klass](ctx, rng, limit)
        for i, case in enumerate(made, 1):
            case.case = f"{klass}-{i:04d}"
            cases.append(case)
    return cases


def write_cases(cases: Iterable[Case], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for case in cases:
            handle.write(json.dumps(case.to_dict(), ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
    return count


def read_cases(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def open_store(home: Path | None, data_dir: Path = DEFAULT_DATA_DIR) -> tuple[Store, Path]:
    """The store in ``home`` (a temp folder when None), loaded from ``data_dir`` if empty."""
    from redline.settings import Settings
    from redline.sources import all_sources
    from redline.store.update import update_from_dir

    folder = home if home is not None else Path(tempfile.mkdtemp(prefix="redline-eval-"))
    store = Store(Settings(home=folder).store_url)
    if not store.active_versions():
        if not data_dir.is_dir():
            raise SystemExit(f"data folder {data_dir} not found")
        for outcome in update_from_dir(store, data_dir, all_sources()):
            if outcome.error:
                print(f"warning: {outcome.source}: {outcome.error}", file=sys.stderr)
    return store, folder


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--home", type=Path, help="redline home with the store (default: temp)")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--per-class", type=int, default=DEFAULT_PER_CLASS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    store, _folder = open_store(args.home, args.data_dir)
    ctx = build_context(store)
    cases = build_cases(ctx, per_class=args.per_class, seed=args.seed)
    count = write_cases(cases, args.out)
    by_class = Counter(c.klass for c in cases)
    for klass in CLASSES:
        print(f"{klass:24} {by_class.get(klass, 0):5d}")
    print(f"{'total':24} {count:5d}  -> {args.out}")
    for key, value in ctx.stats.items():
        shown = len(value) if isinstance(value, list) else value
        print(f"  {key}: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
