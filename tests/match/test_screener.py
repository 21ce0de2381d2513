"""``Screener.screen`` on every real list: what a Match carries, decisions, features."""

from __future__ import annotations

import pytest

from redline.match import MatchConfig, Query, Screener
from tests.cli_home import MATCH_KEYS

pytestmark = pytest.mark.slow


def test_a_match_carries_its_listing_score_decision_and_explanation(screener: Screener) -> None:
    matches = screener.screen(Query.of("Vladimir Putin", schema="Person"))
    by_source = {m.source: m for m in matches}
    assert {"gb_hmt", "us_ofac_sdn"} <= set(by_source)
    ofac = by_source["us_ofac_sdn"]
    assert ofac.schema == "Person"
    assert ofac.caption == "PUTIN, Vladimir Vladimirovich"
    assert ofac.source_id  # the list's own id
    assert ofac.score == 1.0 and ofac.decision == "match"
    name = ofac.explanation["name"]
    assert {(p["query"], p["listed"]) for p in name["pairs"]} == {
        ("vladimir", "vladimir"),
        ("putin", "putin"),
    }
    assert ofac.explanation["query_name"] == "Vladimir Putin"
    assert ofac.explanation["matched_name"] == ofac.matched_name
    assert ofac.explanation["features"]["name"] == 1.0
    data = ofac.to_dict()
    assert set(data) == MATCH_KEYS


def test_cyrillic_query_names_its_transliteration(screener: Screener) -> None:
    matches = screener.screen(Query.of("Владимир Путин", schema="Person"))
    top = matches[0]
    assert "PUTIN" in top.caption.upper() and top.decision == "match"
    assert any("Cyrillic" in t for t in top.explanation["transformations"])


def test_birth_dates_raise_lower_and_partial(screener: Screener) -> None:
    def putin(birth_date: str | None) -> tuple[float, float | None]:
        query = Query.of("Vladimir Putin", schema="Person", birth_date=birth_date)
        found = screener.screen(query, threshold=0.0, limit=50)
        match = next(m for m in found if m.source == "us_ofac_sdn" and "PUTIN" in m.caption)
        feature = match.explanation["features"].get("birth_date")
        return match.score, feature["contribution"] if feature else None

    plain, none = putin(None)
    assert none is None
    _agree, agree = putin("1952-10-07")
    _year, year = putin("1952")
    conflict_score, conflict = putin("1980-01-01")
    assert agree is not None and year is not None and conflict is not None
    assert agree > year > 0 > conflict
    assert conflict_score < plain
    # A conflicting birth date takes an exact name below the alert threshold.
    alerts = screener.screen(Query.of("Vladimir Putin", schema="Person", birth_date="1980-01-01"))
    assert not [m for m in alerts if "PUTIN" in m.caption.upper()]


def test_an_identifier_is_decisive(screener: Screener) -> None:
    # IMO 8712362 is the vessel CHON MYONG 1 on the UK list; the name given is another.
    matches = screener.screen(Query.of("Unknown Ship", identifier="IMO 8712362"))
    top = matches[0]
    assert top.caption == "CHON MYONG 1"
    assert top.decision == "match"
    assert top.explanation["features"]["identifier"]["decisive"]


def test_schema_narrows_what_matches(screener: Screener) -> None:
    people = screener.screen(Query.of("Vladimir Putin", schema="Person"), threshold=0.0)
    # An entity of unknown kind (LegalEntity) may be either; a company or vessel not.
    assert people and {m.schema for m in people} <= {"Person", "LegalEntity"}
    vessels = screener.screen(Query.of("Vladimir Putin", schema="Vessel"), threshold=0.0)
    assert {m.schema for m in vessels} <= {"Vessel", "LegalEntity"}
    assert not [m for m in vessels if m.decision != "no_match"]


def test_generic_words_alone_raise_no_alert(screener: Screener) -> None:
    for name in ("Electronics Trading Limited", "International Technology Group Co., Ltd."):
        assert screener.screen(Query.of(name, schema="Company")) == []


def test_thresholds_are_configurable(screener: Screener) -> None:
    strict = Screener(
        screener.store,
        MatchConfig(match_threshold=0.99, possible_threshold=0.97),
        index_dir=screener.index_dir,  # the saved index of the same store: loaded, not built
    )
    query = Query.of("Vladimir Putim", schema="Person")  # one letter off: 0.93
    default = screener.screen(query)
    assert default and default[0].decision == "possible"
    assert strict.screen(query) == []
    assert strict.config.decide(0.98) == "possible" and strict.config.decide(0.5) == "no_match"


def test_limit_and_threshold(screener: Screener) -> None:
    query = Query.of("Vladimir Putin", schema="Person")
    assert len(screener.screen(query, limit=1)) == 1
    everything = screener.screen(query, threshold=0.0, limit=50)
    assert len(everything) > len(screener.screen(query))
    assert [m.score for m in everything] == sorted((m.score for m in everything), reverse=True)
