"""UN Security Council Consolidated List parser, on the real 2026-02-27 file."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy
from lxml import etree

from redline.sources.base import SourceError, SourceFiles
from redline.sources.un_sc import UN_SC, birth_dates
from redline.sources.util import is_target, source_id_of


@pytest.fixture(scope="module")
def un_file(shared_data: Path) -> Path:
    return shared_data / "un" / "consolidated.xml"


@pytest.fixture(scope="module")
def entities(un_file: Path) -> dict[str, EntityProxy]:
    files = UN_SC.detect(un_file.parent)
    assert files is not None
    return {proxy.id: proxy for proxy in UN_SC.parse(files) if proxy.id}


def files_for(path: Path) -> SourceFiles:
    return SourceFiles(source="un_sc", files=(path,), roles={"consolidated": path})


def props(proxy: EntityProxy) -> dict[str, list[str]]:
    return {prop: sorted(values) for prop, values in proxy.to_dict()["properties"].items()}


# --------------------------------------------------------------------------- whole file


def test_detect_and_published(un_file: Path) -> None:
    files = UN_SC.detect(un_file.parent)
    assert files is not None
    assert files.files == (un_file,)
    assert files.roles == {"consolidated": un_file}
    assert UN_SC.published(files) == date(2026, 2, 27)


def test_counts(entities: dict[str, EntityProxy]) -> None:
    targets = [p for p in entities.values() if is_target(p)]
    assert len(targets) == 1003
    assert Counter(p.schema.name for p in targets) == {"Person": 730, "Organization": 273}
    sanctions = [p for p in entities.values() if p.schema.name == "Sanction"]
    assert len(sanctions) == 1003
    assert {s.first("entity") for s in sanctions} == {t.id for t in targets}
    assert all(t.id == f"un_sc-{source_id_of(t)}" for t in targets)


def test_original_script_names_kept_as_aliases(
    un_file: Path, entities: dict[str, EntityProxy]
) -> None:
    """All 378 NAME_ORIGINAL_SCRIPT values end up among the aliases, unchanged but for
    white space: one (6908841) is wrapped over two lines with indentation."""
    originals: dict[str, str] = {}
    for record in etree.parse(str(un_file)).getroot().iter("INDIVIDUAL", "ENTITY"):
        text = record.findtext("NAME_ORIGINAL_SCRIPT")
        if text and text.strip():
            originals[record.findtext("DATAID") or ""] = " ".join(text.split())
    assert len(originals) == 378
    for data_id, original in originals.items():
        assert original in entities[f"un_sc-{data_id}"].get("alias"), data_id


def test_name_parts_never_become_given_or_family_names(
    entities: dict[str, EntityProxy],
) -> None:
    for proxy in entities.values():
        if proxy.schema.is_a("Person"):
            assert not proxy.get("firstName")
            assert not proxy.get("lastName")


# --------------------------------------------------------------------------- spot checks


def test_individual_with_arabic_name(entities: dict[str, EntityProxy]) -> None:
    """IQi.025: FIRST/SECOND_NAME, Arabic original script, exact DOB, passport."""
    target = entities["un_sc-6908072"]
    assert target.schema.name == "Person"
    assert target.context == {"source_id": "6908072", "target": True}
    assert props(target) == {
        "name": ["TARIQ AZIZ"],
        "alias": sorted(["طارق عزيز", "Tariq Mikhail Aziz"]),
        "birthDate": ["1936-07-01"],
        "birthPlace": ["Baghdad, Iraq", "Mosul, Iraq"],
        "birthCountry": ["iq"],
        "nationality": ["iq"],
        "passportNumber": ["No34409/129"],
        "program": ["Iraq"],
        "topics": ["sanction"],
    }
    sanction = entities["un_sc-6908072-sanction"]
    assert props(sanction) == {
        "entity": ["un_sc-6908072"],
        "authority": ["United Nations Security Council"],
        "authorityId": ["6908072", "IQi.025"],
        "unscId": ["IQi.025"],
        "program": ["Iraq"],
        "listingDate": ["2003-06-27"],
    }


def test_entity_with_aliases(entities: dict[str, EntityProxy]) -> None:
    """QDe.014: a.k.a. -> alias, f.k.a. -> previousName, Arabic name, six countries."""
    target = entities["un_sc-113995"]
    assert target.schema.name == "Organization"
    assert target.get("name") == ["THE ORGANIZATION OF AL-QAIDA IN THE ISLAMIC MAGHREB"]
    assert sorted(target.get("alias")) == sorted(
        ["تنظيم القا عدة ببلاد المغرب الاسلامي", "AQIM", "Al Qaïda au Maghreb islamique (AQMI)"]
    )
    assert sorted(target.get("previousName")) == [
        "Le Groupe Salafiste pour La Prédication et le Combat (GSPC)",
        "Salafist Group For Call and Combat",
    ]
    assert sorted(target.get("country")) == ["dz", "ma", "ml", "mr", "ne", "tn"]
    assert not target.get("address")  # country-only addresses are not address strings
    assert target.get("modifiedAt") == ["2020-11-24"]  # the latest of five LAST_DAY_UPDATED
    notes = target.first("notes")
    assert notes is not None and notes.startswith("Headed by Abdelmalek Droukdel (QDi.232).")
    sanction = entities["un_sc-113995-sanction"]
    assert sanction.get("unscId") == ["QDe.014"]
    assert sanction.get("listingDate") == ["2001-10-06"]
    assert sanction.get("program") == ["Al-Qaida"]


def test_entity_street_address(entities: dict[str, EntityProxy]) -> None:
    target = entities["un_sc-6908332"]
    assert (
        "Ibrahim Saeed Lootah Building, Al Ramool Street, P.O. Box 10631 & 638, Rashidiya, "
        "Dubai, United Arab Emirates"
    ) in target.get("address")
    assert "ae" in target.get("country")


def test_low_quality_alias_is_weak(entities: dict[str, EntityProxy]) -> None:
    target = entities["un_sc-6907995"]  # CDi.003 GASTON IYAMUREMYE
    assert target.get("weakAlias") == ["Rumuli"]
    assert sorted(target.get("alias")) == [
        "Byiringiro Victor Rumuli",
        "Michel Byiringiro",
        "Victor Rumuri",
    ]
    assert sorted(target.get("position")) == [
        "FDLR Interim President",
        "FDLR-FOCA 1st Vice-President",
        "FDLR-FOCA Major General",
    ]
    assert target.get("gender") == ["male"]
    assert target.get("address") == [
        "North Kivu Province, Democratic Republic of the Congo, as of June 2016"
    ]


def test_date_of_birth_shapes(entities: dict[str, EntityProxy]) -> None:
    # BETWEEN 1973 and 1974 -> both years (CDi.030 BOSCO TAGANDA)
    assert sorted(entities["un_sc-6908021"].get("birthDate")) == ["1973", "1974"]
    # EXACT with YEAR only (CDi.001 ERIC BADEGE)
    assert entities["un_sc-6907993"].get("birthDate") == ["1971"]
    # APPROXIMATELY 1977 (SEKA BALUKU)
    assert entities["un_sc-6908834"].get("birthDate") == ["1977"]
    # NOTE only, "Nov. 1973": an exact month and year
    assert entities["un_sc-6907996"].get("birthDate") == ["1973-11"]
    # NOTE only, "30-35 years old": no date, but the note is kept
    vague = entities["un_sc-6908703"]
    assert not vague.get("birthDate")
    assert "Date of birth: 30-35 years old" in vague.get("notes")


def test_birth_dates_helper() -> None:
    def dob(xml: str) -> tuple[list[str], str | None]:
        return birth_dates(
            etree.fromstring(f"<INDIVIDUAL_DATE_OF_BIRTH>{xml}</INDIVIDUAL_DATE_OF_BIRTH>")
        )

    assert dob("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1979-03-03</DATE>") == (
        ["1979-03-03"],
        None,
    )
    assert dob(
        "<TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1955</FROM_YEAR><TO_YEAR>1958</TO_YEAR><NOTE>Approximately</NOTE>"
    ) == (["1955", "1958"], None)
    assert dob("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>24/06/1402 (Hijri Calendar)</NOTE>") == (
        [],
        "24/06/1402 (Hijri Calendar)",
    )
    assert dob("<TYPE_OF_DATE/>") == ([], None)
    assert dob("<TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>2922</YEAR>") == ([], None)


def test_gender_from_comments(entities: dict[str, EntityProxy]) -> None:
    """Most records carry no GENDER element; their COMMENTS1 says 'Gender: male'."""
    genders = Counter(g for p in entities.values() for g in p.get("gender", quiet=True))
    assert genders == {"male": 94, "female": 3}


def test_documents(entities: dict[str, EntityProxy]) -> None:
    tantoush = entities["un_sc-111639"]  # one passport number given only in a NOTE
    assert tantoush.get("passportNumber") == ["203037"]
    assert any(
        n.startswith("Passport: Libyan passport number 347834") for n in tantoush.get("notes")
    )
    totals: Counter[str] = Counter()
    for proxy in entities.values():
        for prop in ("passportNumber", "idNumber"):
            totals[prop] += len(proxy.get(prop, quiet=True))
    assert totals == {"passportNumber": 309, "idNumber": 139}


# --------------------------------------------------------------------------- bad input


def test_truncated_file(un_file: Path, tmp_path: Path) -> None:
    data = un_file.read_bytes()
    broken = tmp_path / "consolidated.xml"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        list(UN_SC.parse(files_for(broken)))
    error = caught.value
    assert error.path == broken
    assert error.line is not None and error.line > 1000
    assert str(broken) in str(error) and f"line {error.line}" in str(error)
    assert "malformed XML" in str(error)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "consolidated.xml"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="empty"):
        list(UN_SC.parse(files_for(empty)))
    with pytest.raises(SourceError, match="empty"):
        UN_SC.published(files_for(empty))
    assert UN_SC.detect(tmp_path) is None


def test_csv_file_refused(shared_data: Path, tmp_path: Path) -> None:
    fake = tmp_path / "consolidated.xml"
    shutil.copy(shared_data / "ofac" / "cons_prim.csv", fake)
    assert UN_SC.detect(tmp_path) is None
    with pytest.raises(SourceError) as caught:
        list(UN_SC.parse(files_for(fake)))
    assert caught.value.line == 1
    assert str(fake) in str(caught.value)


def test_other_sources_xml_refused(shared_data: Path, tmp_path: Path) -> None:
    eu_file = shared_data / "eu" / "fsf_legacy_1_0_excerpt_2016-02-11.xml"
    assert UN_SC.detect(eu_file.parent) is None
    with pytest.raises(SourceError) as caught:
        list(UN_SC.parse(files_for(eu_file)))
    assert caught.value.element == "WHOLE"
    assert caught.value.line == 3
    assert "not the UN Security Council consolidated list" in str(caught.value)
    ofac = shared_data / "ofac" / "sdn_xml_excerpt.xml"
    with pytest.raises(SourceError, match="sdnList"):
        UN_SC.published(files_for(ofac))


def test_record_without_id(tmp_path: Path) -> None:
    bad = tmp_path / "consolidated.xml"
    bad.write_text(
        '<?xml version="1.0"?>\n<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">\n'
        "<INDIVIDUALS>\n<INDIVIDUAL>\n<FIRST_NAME>X</FIRST_NAME>\n</INDIVIDUAL>\n"
        "</INDIVIDUALS>\n</CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        list(UN_SC.parse(files_for(bad)))
    assert caught.value.element == "INDIVIDUAL"
    assert caught.value.line == 4
    assert "DATAID" in str(caught.value)


def test_detect_by_content_not_name(un_file: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "un_list_2026.xml"
    shutil.copy(un_file, renamed)
    (tmp_path / "notes.xml").write_text("<notes/>", encoding="utf-8")
    files = UN_SC.detect(tmp_path)
    assert files is not None and files.files == (renamed,)
    assert UN_SC.detect(tmp_path / "missing") is None
