"""``Screener.screen(sources=...)`` searches the named lists only."""

from __future__ import annotations

from redline.match import Query, Screener


def test_sources_restrict_every_result(screener: Screener) -> None:
    query = Query.of("Vladimir Putin", schema="Person")
    everywhere = screener.screen(query, limit=20)
    assert {m.source for m in everywhere} > {"gb_hmt"}
    only_uk = screener.screen(query, limit=20, sources={"gb_hmt"})
    assert only_uk, "the UK list names Putin"
    assert {m.source for m in only_uk} == {"gb_hmt"}
    assert {m.entity_id for m in only_uk} <= {m.entity_id for m in everywhere} | {
        m.entity_id for m in only_uk
    }


def test_unknown_source_finds_nothing(screener: Screener) -> None:
    assert screener.screen(Query.of("Vladimir Putin"), sources={"no_such_list"}) == []


def test_identifier_hits_respect_sources(screener: Screener) -> None:
    # An identifier held by entities of one source only: asking another list finds nothing.
    index = screener.index
    value, entity = next(
        (value, positions[0])
        for value, positions in index.identifiers.items()
        if len(value) >= 7 and len({index.entities[p].source for p in positions}) == 1
    )
    source = index.entities[entity].source
    found = screener.screen(Query.of("x", identifier=value), threshold=0.0)
    assert index.entities[entity].entity_id in {m.entity_id for m in found}
    other = next(s for s in index.sources if s != source)
    restricted = screener.screen(Query.of("x", identifier=value), threshold=0.0, sources={other})
    assert index.entities[entity].entity_id not in {m.entity_id for m in restricted}
    assert all(m.source == other for m in restricted)


def test_bracketed_acronym_is_a_name_of_its_own() -> None:
    from redline.match.index import name_variants

    variants = name_variants("YAZD METALLURGY INDUSTRIES (YMI)")
    assert variants == ["YAZD METALLURGY INDUSTRIES (YMI)", "YAZD METALLURGY INDUSTRIES", "YMI"]
    # Two letters say too little; remarks in brackets are no acronym.
    assert name_variants("BEACON SHENGDA (LJ)")[-1] == "BEACON SHENGDA"
    assert len(name_variants("Abdel Ilah Sabri (false identity)")) == 2
