"""Property tests of ``Screener.screen`` over every real list (hypothesis).

* Screening never raises, whatever the input: arbitrary Unicode (control characters,
  combining marks, bidirectional and zero-width marks, any script), empty and
  whitespace-only names, very long names, any schema, any birth date, country and
  identifier strings; and what it returns is well formed (sorted by score, scores in
  [0, 1] and above the floor, decisions as the config decides).
* A listed name finds its own entry: screening the exact listed name with its
  entity's schema returns that entity with the top score (ties allowed) and decision
  ``match``.
"""

from __future__ import annotations

import json
import math
import random
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redline.match import Match, Query, Screener
from redline.match.index import NameIndex
from redline.match.types import SCREENABLE_SCHEMAS

SAMPLE_SEED = 20240611
#: Listed (entity, name) pairs the listed-name properties draw from.
STRONG_SAMPLE = 2000
WEAK_SAMPLE = 500
LONG = 10_000

# --------------------------------------------------------------------------- strategies

#: Characters that break naive text handling: combining marks, zero-width and
#: bidirectional controls, odd spaces, C0/C1 controls, NUL, BOM, a lone Hangul jamo.
TRICKY = (
    "\u0301\u0308\u0327\u0338\u034f\u0651\u064b\u20dd"  # combining (Mn, Me)
    "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width, soft hyphen
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi
    "\u00a0\u2000\u2007\u2028\u2029\u3000\t\n\r\x0b\x0c"  # spaces and breaks
    "\x00\x01\x1b\x7f\x85\x9f"  # controls
    "\u1100\u3164\ufffd\U0001f600\U000e0041"  # jamo, filler, replacement, emoji, tag
)
#: Letters of the scripts the lists use, and punctuation names carry.
LETTERS = (
    "abcxyzABCXYZßİıŁłøÆéñçğş"
    "АБВГжщЁёЯїєҚ"
    "محمدعليأبوةىئ"
    "王李张有限公司北京贸易"
    "김박조선"
    "אבגΑΒΓαβγกขক১"
    "0123456789 ,.-'’()&/|\"_@#"
)
WHITESPACE = " \t\n\r\x0b\x0c\u00a0\u1680\u2000\u2003\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

any_text = st.text()  # every code point but surrogates, controls included
tricky_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(TRICKY),
        st.sampled_from(LETTERS),
        st.characters(categories=("Mn", "Me", "Cf", "Cc", "Zs")),
    ),
    max_size=60,
)
namelike_text = st.text(alphabet=st.sampled_from(LETTERS + TRICKY[:20]), max_size=40)
whitespace_text = st.text(alphabet=st.sampled_from(WHITESPACE), max_size=12)
#: No letter, digit or symbol: spaces, breaks, zero-width and bidi marks, nothing.
blank_text = st.text(
    alphabet=st.sampled_from(WHITESPACE + "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202e"),
    max_size=12,
)
name_text = st.one_of(any_text, tricky_text, namelike_text, whitespace_text, st.just(""))
attribute_text = st.one_of(
    any_text,
    st.sampled_from(["", " ", "1970", "1970-05", "1970-05-17", "0000-00-00", "99999", "RU", "xx"]),
    st.sampled_from(["Russia", "Iran, Islamic Republic of", "AB1234567", "IMO 9123456"]),
)
schemas = st.one_of(st.none(), st.sampled_from(SCREENABLE_SCHEMAS))


@st.composite
def queries(draw: st.DrawFn, names: st.SearchStrategy[str] = name_text) -> Query:
    """Any query: zero to three names, any schema, any attribute strings."""
    return Query(
        names=tuple(draw(st.lists(names, max_size=3))),
        schema=draw(schemas),
        birth_dates=tuple(draw(st.lists(attribute_text, max_size=2))),
        countries=tuple(draw(st.lists(attribute_text, max_size=2))),
        identifiers=tuple(draw(st.lists(attribute_text, max_size=2))),
    )


def _repeat(unit: str) -> str:
    return (unit * (LONG // max(len(unit), 1) + 1))[:LONG]


#: Names of 10,000 characters: a random snippet repeated, or random text of that size.
long_names = st.one_of(
    st.text(min_size=1, max_size=40).map(_repeat),
    namelike_text.filter(bool).map(_repeat),
    st.randoms(use_true_random=False).map(
        lambda r: "".join(r.choice(LETTERS + TRICKY) for _ in range(LONG))
    ),
)

# --------------------------------------------------------------------------- checks


def check_well_formed(
    screener: Screener, matches: list[Match], *, limit: int, threshold: float | None
) -> None:
    """What any ``screen()`` answer must satisfy."""
    floor = screener.config.possible_threshold if threshold is None else threshold
    assert isinstance(matches, list)
    assert len(matches) <= limit
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True), scores
    ids = [m.entity_id for m in matches]
    assert len(ids) == len(set(ids)), ids
    for match in matches:
        assert isinstance(match, Match)
        assert math.isfinite(match.score), match
        assert 0.0 <= match.score <= 1.0, match
        assert match.score >= floor, match
        assert match.decision == screener.config.decide(match.score), match
        json.dumps(match.to_dict(), ensure_ascii=False)  # what screen-file writes


# --------------------------------------------------------------------------- never crashes


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    query=queries(),
    limit=st.integers(min_value=1, max_value=25),
    threshold=st.sampled_from([None, 0.0, 0.5]),
)
def test_screen_never_raises_and_is_well_formed(
    screener: Screener, query: Query, limit: int, threshold: float | None
) -> None:
    matches = screener.screen(query, limit=limit, threshold=threshold)
    check_well_formed(screener, matches, limit=limit, threshold=threshold)
    candidates = screener.candidates(query)
    assert all(isinstance(c, str) for c in candidates)


@settings(max_examples=60, deadline=None)
@given(names=st.lists(blank_text, min_size=1, max_size=3), schema=schemas)
def test_blank_names_return_nothing(
    screener: Screener, names: list[str], schema: str | None
) -> None:
    """Names of spaces, zero-width and bidi marks only are nothing to screen (no error)."""
    matches = screener.screen(Query(names=tuple(names), schema=schema), threshold=0.0)
    assert matches == []
    assert screener.candidates(Query(names=tuple(names), schema=schema)) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=long_names, schema=schemas, threshold=st.sampled_from([None, 0.0]))
def test_very_long_names(
    screener: Screener, name: str, schema: str | None, threshold: float | None
) -> None:
    assert len(name) == LONG
    query = Query(names=(name,), schema=schema, birth_dates=(name,), identifiers=(name,))
    matches = screener.screen(query, threshold=threshold)
    check_well_formed(screener, matches, limit=10, threshold=threshold)


# --------------------------------------------------------------------------- listed names


class Listed(NamedTuple):
    """One listed name of a target entity (printed by hypothesis when a property fails)."""

    entity_id: str
    schema: str
    prop: str
    name: str


class Sample(list[Listed]):
    """The listed names a test draws from (short repr: hypothesis prints test arguments)."""

    def __repr__(self) -> str:
        return f"<{len(self)} listed names, seed {SAMPLE_SEED}>"


def listed_sample(index: NameIndex, *, weak: bool, size: int) -> Sample:
    """A fixed, seeded sample of the index's (entity, name) pairs: strong names or weak aliases."""
    pairs = [
        Listed(entity.entity_id, entity.schema, item.prop, item.name.original)
        for item in index.names
        if (item.prop == "weakAlias") == weak
        and (entity := index.entities[item.entity]).schema in SCREENABLE_SCHEMAS
    ]
    rng = random.Random(SAMPLE_SEED)
    return Sample(rng.sample(pairs, min(size, len(pairs))))


@pytest.fixture(scope="module")
def strong_names(screener: Screener) -> Sample:
    return listed_sample(screener.index, weak=False, size=STRONG_SAMPLE)


@pytest.fixture(scope="module")
def weak_aliases(screener: Screener) -> Sample:
    return listed_sample(screener.index, weak=True, size=WEAK_SAMPLE)


def check_finds_itself(screener: Screener, listed: Listed) -> None:
    matches = screener.screen(Query(names=(listed.name,), schema=listed.schema), limit=100)
    top = [(m.entity_id, m.matched_name, round(m.score, 4)) for m in matches[:3]]
    own = [m for m in matches if m.entity_id == listed.entity_id]
    assert own, f"{listed} not returned; top: {top}"
    assert own[0].score == matches[0].score, f"{listed} scored {own[0].score:.4f}; top: {top}"
    assert own[0].decision == "match", f"{listed}: {own[0].decision} at {own[0].score:.4f}"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_listed_name_finds_its_entity_on_top(
    screener: Screener, strong_names: Sample, data: st.DataObject
) -> None:
    """``name``, ``alias``, ``previousName``, ``abbreviation`` values."""
    check_finds_itself(screener, data.draw(st.sampled_from(strong_names), label="listed"))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_listed_weak_alias_finds_its_entity_on_top(
    screener: Screener, weak_aliases: Sample, data: st.DataObject
) -> None:
    """``weakAlias`` values (the publishers' low-quality aliases) are listed names too."""
    check_finds_itself(screener, data.draw(st.sampled_from(weak_aliases), label="listed"))
