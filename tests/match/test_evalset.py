"""The dev evaluation set generator (bench/evalset.py): invariants of the cases it builds.

Matcher quality is not asserted here; this only checks that every case means what
its class says, on a small set (a few cases per class, fixed seed) built from the
real lists.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from bench.evalset import (
    CLASSES,
    CROSS_SCRIPT,
    NAME_PROPS,
    NEGATIVE_CLASSES,
    Case,
    Context,
    build_cases,
    build_context,
    find_form,
    fold_homoglyphs,
    is_latin,
    name_keys,
    norm,
    publisher_family,
    script_of,
)
from rapidfuzz.distance import OSA

from redline.store import Store

pytestmark = pytest.mark.slow

PER_CLASS = 6
SEED = 7
PERTURBATIONS = (
    "typo",
    "translit_variant",
    "reorder",
    "dropped_middle",
    "spacing",
    "org_form",
    "homoglyph",
)


@pytest.fixture(scope="module")
def context(loaded_store: Store) -> Context:
    return build_context(loaded_store)


@pytest.fixture(scope="module")
def cases(context: Context) -> list[Case]:
    return build_cases(context, per_class=PER_CLASS, seed=SEED)


def _names(store: Store, entity_id: str) -> list[str]:
    stored = store.get_entity(entity_id)
    assert stored is not None, f"{entity_id} is not an active entity"
    props: dict[str, list[str]] = stored.data["properties"]
    return [value for prop in NAME_PROPS for value in props.get(prop, [])]


def _of(cases: list[Case], klass: str) -> list[Case]:
    return [c for c in cases if c.klass == klass]


def _letters(text: str) -> str:
    return re.sub(r"[\W_]", "", text.casefold())


def test_every_class_has_cases_with_unique_ids(cases: list[Case]) -> None:
    counts = Counter(c.klass for c in cases)
    assert set(counts) == set(CLASSES)
    for klass, count in counts.items():
        limit = PER_CLASS * 3 if klass == "negative_real" else PER_CLASS
        assert 1 <= count <= limit, klass
    assert len({c.case for c in cases}) == len(cases)


def test_same_seed_same_cases(context: Context, cases: list[Case]) -> None:
    again = build_cases(context, per_class=PER_CLASS, seed=SEED)
    assert [c.to_dict() for c in again] == [c.to_dict() for c in cases]
    other = build_cases(context, per_class=PER_CLASS, seed=SEED + 1)
    assert [c.to_dict() for c in other] != [c.to_dict() for c in cases]


def test_cases_serialise_to_the_documented_shape(cases: list[Case]) -> None:
    for case in cases:
        data: dict[str, Any] = json.loads(json.dumps(case.to_dict(), ensure_ascii=False))
        assert set(data) >= {"case", "class", "expect", "query", "exclude_names"}
        assert set(data["query"]) == {
            "names",
            "schema",
            "birth_dates",
            "countries",
            "identifiers",
        }
        assert data["query"]["names"] and all(n.strip() for n in data["query"]["names"])


def test_positives_expect_an_active_target(loaded_store: Store, cases: list[Case]) -> None:
    for case in cases:
        if case.klass in NEGATIVE_CLASSES:
            continue
        assert case.expect is not None, case.case
        stored = loaded_store.get_entity(case.expect)
        assert stored is not None and stored.is_target, case.case


def test_excluded_names_are_names_of_that_entity(loaded_store: Store, cases: list[Case]) -> None:
    for case in cases:
        for entity_id, hidden in case.exclude_names.items():
            listed = _names(loaded_store, entity_id)
            assert hidden, case.case
            assert set(hidden) <= set(listed), case.case
            if entity_id == case.expect:
                assert set(listed) - set(hidden), f"{case.case}: no name of the entity left"


def test_alias_hides_the_queried_alias(loaded_store: Store, cases: list[Case]) -> None:
    for case in _of(cases, "alias"):
        assert case.expect is not None
        query = case.names[0]
        assert query in _names(loaded_store, case.expect)
        assert query in case.exclude_names[case.expect]
        assert is_latin(query)


def test_cross_publisher_links_two_publishers(
    loaded_store: Store, context: Context, cases: list[Case]
) -> None:
    for case in _of(cases, "cross_publisher"):
        assert case.expect is not None
        source = context.by_id[str(case.meta["source_entity"])]
        expected = context.by_id[case.expect]
        assert source.family != expected.family
        assert publisher_family(source.source) != publisher_family(expected.source)
        query = case.names[0]
        assert query in source.all_names
        hidden = set(case.exclude_names.get(case.expect, []))
        visible = [n for n in _names(loaded_store, case.expect) if n not in hidden]
        assert not any(name_keys(query) & name_keys(n) for n in visible), case.case


def test_cross_script_queries_hide_the_script(loaded_store: Store, cases: list[Case]) -> None:
    for klass, script in CROSS_SCRIPT.items():
        for case in _of(cases, klass):
            assert case.expect is not None
            query = case.names[0]
            assert script_of(query) == script, case.case
            hidden = set(case.exclude_names.get(case.expect, []))
            visible = [n for n in _names(loaded_store, case.expect) if n not in hidden]
            assert not [n for n in visible if script_of(n) == script], case.case
            assert any(is_latin(n) for n in visible), case.case


def test_perturbations_change_a_listed_name(loaded_store: Store, cases: list[Case]) -> None:
    for klass in PERTURBATIONS:
        for case in _of(cases, klass):
            assert case.expect is not None
            original = str(case.meta["original"])
            query = case.names[0]
            assert original in _names(loaded_store, case.expect), case.case
            assert query != original, case.case
            assert not case.exclude_names, case.case


def test_each_perturbation_is_of_its_kind(cases: list[Case]) -> None:
    for case in cases:
        if case.klass not in PERTURBATIONS:
            continue
        original, query = str(case.meta["original"]), case.names[0]
        if case.klass == "typo":
            assert OSA.distance(original, query) == 1, case.case
        elif case.klass == "spacing":
            assert _letters(original) == _letters(query), case.case
        elif case.klass == "homoglyph":
            assert fold_homoglyphs(query) == norm(original), case.case
        elif case.klass == "reorder":
            assert sorted(norm(query).split()) == sorted(norm(original).split()), case.case
        elif case.klass == "dropped_middle":
            kept, full = norm(query).split(), norm(original).split()
            assert len(kept) < len(full) and Counter(kept) <= Counter(full), case.case
        elif case.klass == "org_form":
            assert find_form(query) is not None and norm(query) != norm(original), case.case
        elif case.klass == "translit_variant":
            assert norm(query) != norm(original), case.case


def test_negatives_are_not_listed_names(context: Context, cases: list[Case]) -> None:
    for klass in NEGATIVE_CLASSES:
        for case in _of(cases, klass):
            assert case.expect is None and not case.exclude_names, case.case
            assert not context.is_listed(case.names[0]), case.case
            assert case.schema in ("Person", "Company"), case.case
    for case in _of(cases, "negative_near_miss"):
        assert norm(case.names[0]) != norm(str(case.meta["original"])), case.case
