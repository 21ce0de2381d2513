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


def test_bracketed_generic_word_is_no_acronym() -> None:
    from redline.match.index import name_variants

    # OFAC: ELLISSA SAL (HOLDING): as a name, "HOLDING" would match every holding firm.
    assert name_variants("ELLISSA SAL (HOLDING)") == ["ELLISSA SAL (HOLDING)", "ELLISSA SAL"]


def test_an_entity_offers_scoring_names_with_different_words() -> None:
    from redline.match.index import EntityRecord, NameIndex
    from redline.match.names import prepare_name

    # OFAC lists BALTECH LLC under both spellings; three names read "baltekh", one
    # "baltech".  Two names per entity are scored: they must not say the same thing.
    record = EntityRecord(
        entity_id="e1",
        source="test",
        source_id="1",
        schema="Company",
        caption="LLC BALTECH",
        properties={
            "name": ["OBSHCHESTVO S OGRANICHENNOY OTVETSTVENNOSTYU BALTEKH"],
            "alias": ["OOO BALTEKH", "BALTEKH OOO", "LLC BALTECH"],
        },
    )
    index = NameIndex.build([record])
    query = prepare_name("LLC BALTECYH", False, symbols=False)
    assert query is not None
    [(_entity, _score, positions)] = index.retrieve_entities([query], "Company", entities=5)
    words = [index.names[p].name.tokens for p in positions]
    assert len(words) == 2 and words[0] != words[1]
