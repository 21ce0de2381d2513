"""Birth dates, countries, identifiers and company types as score features."""

from __future__ import annotations

from redline.match.features import (
    BIRTH_AGREE_FULL,
    BIRTH_AGREE_YEAR,
    BIRTH_CONFLICT,
    BIRTH_NEAR,
    compare_birth_dates,
    compare_identifiers,
    org_type_contribution,
)


def contribution(query: str, listed: str) -> float:
    feature = compare_birth_dates([query], [listed])
    assert feature is not None
    return feature.contribution


def test_birth_dates_agree_conflict_and_partial() -> None:
    assert contribution("1962-12-26", "1962-12-26") == BIRTH_AGREE_FULL
    assert contribution("1962", "1962-12-26") == BIRTH_AGREE_YEAR
    assert contribution("1962-12", "1962-12-26") == BIRTH_AGREE_YEAR
    assert contribution("1963-12-26", "1962-12-26") == BIRTH_NEAR
    assert contribution("1970-01-01", "1962-12-26") == BIRTH_CONFLICT
    assert compare_birth_dates([], ["1962-12-26"]) is None


def test_a_miswritten_birth_date_is_no_conflict() -> None:
    # UN: خدادادی صغری born 1971-03-29; OFAC: KHODADADI, Soghra born 1971-03-27.
    feature = compare_birth_dates(["1971-03-29"], ["1971-03-27"])
    assert feature is not None and feature.contribution == BIRTH_AGREE_YEAR
    assert "slip in the day" in feature.detail
    # 03/04 read as 4 March by one list and 3 April by the other.
    assert contribution("1970-04-03", "1970-03-04") == BIRTH_AGREE_YEAR
    # Another month is no slip.
    assert contribution("1970-04-11", "1970-05-11") == BIRTH_NEAR


def test_identifier_is_decisive_and_company_types_add_little() -> None:
    feature = compare_identifiers(["IMO 9187629"], {"9187629": "imoNumber IMO 9187629"})
    assert feature is not None and feature.decisive
    assert org_type_contribution(frozenset({"llc"}), frozenset({"llc"})) > 0
    assert org_type_contribution(frozenset({"llc"}), frozenset({"jsc"})) < 0
    assert org_type_contribution(frozenset(), frozenset({"jsc"})) == 0
