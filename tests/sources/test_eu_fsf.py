"""EU Financial Sanctions Files parser: the real legacy 1.0 excerpt and a 1.1 fixture.

No real 1.1 file is available (see the shared data README), so the 1.1 format is
tested on ``tests/fixtures/eu_fsf/eu_fsf_1_1.xml``, a hand-written file of five
fictional entries in the published 1.1 structure, checked here field by field.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from redline.sources.base import SourceError, SourceFiles
from redline.sources.eu_fsf import EU_FSF, legacy_birth_dates, legacy_document, sniff_format
from redline.sources.util import is_target, source_id_of

LEGACY_NAME = "fsf_legacy_1_0_excerpt_2016-02-11.xml"


@pytest.fixture(scope="module")
def legacy_file(shared_data: Path) -> Path:
    return shared_data / "eu" / LEGACY_NAME


@pytest.fixture(scope="module")
def fixture_file(fixtures: Path) -> Path:
    return fixtures / "eu_fsf" / "eu_fsf_1_1.xml"


@pytest.fixture(scope="module")
def legacy(legacy_file: Path) -> dict[str, EntityProxy]:
    return {p.id: p for p in EU_FSF.parse(files_for(legacy_file)) if p.id}


@pytest.fixture(scope="module")
def current(fixture_file: Path) -> dict[str, EntityProxy]:
    return {p.id: p for p in EU_FSF.parse(files_for(fixture_file)) if p.id}


def files_for(path: Path) -> SourceFiles:
    return SourceFiles(source="eu_fsf", files=(path,), roles={"eu_fsf": path})


def props(proxy: EntityProxy) -> dict[str, list[str]]:
    return {prop: sorted(values) for prop, values in proxy.to_dict()["properties"].items()}


# --------------------------------------------------------------------------- legacy 1.0


def test_legacy_detect_and_published(legacy_file: Path) -> None:
    assert sniff_format(legacy_file) == "1.0"
    files = EU_FSF.detect(legacy_file.parent)
    assert files is not None and files.files == (legacy_file,)
    assert EU_FSF.published(files) == date(2016, 2, 11)


def test_legacy_counts(legacy: dict[str, EntityProxy]) -> None:
    targets = [p for p in legacy.values() if is_target(p)]
    assert len(targets) == 595
    assert Counter(p.schema.name for p in targets) == {"Person": 319, "Organization": 276}
    sanctions = [p for p in legacy.values() if p.schema.name == "Sanction"]
    assert {s.first("entity") for s in sanctions} == {t.id for t in targets}
    assert all(t.id == f"eu_fsf-{source_id_of(t)}" for t in targets)
    programmes = Counter(p for t in targets for p in t.get("programId"))
    assert set(programmes) == {"IRQ", "TAQA", "AFG", "TERR", "COD", "ZWE"}


def test_legacy_person(legacy: dict[str, EntityProxy]) -> None:
    """ENTITY Id=13: names split in parts, two aliases, birth, citizenship."""
    target = legacy["eu_fsf-13"]
    assert target.context == {"source_id": "13", "target": True}
    assert props(target) == {
        "name": ["Saddam Hussein Al-Tikriti"],
        "alias": ["Abou Ali", "Abu Ali"],
        "firstName": ["Saddam"],
        "lastName": ["Hussein Al-Tikriti"],
        "gender": ["male"],
        "birthDate": ["1937-04-28"],
        "birthPlace": ["al-Awja, near Tikrit"],
        "birthCountry": ["iq"],
        "citizenship": ["iq"],
        "notes": ["(UNSC RESOLUTION 1483)"],
        "program": ["IRQ"],
        "programId": ["IRQ"],
        "topics": ["sanction"],
    }
    assert props(legacy["eu_fsf-13-sanction"]) == {
        "entity": ["eu_fsf-13"],
        "authority": ["European Union"],
        "authorityId": ["13"],
        "program": ["IRQ"],
        "programId": ["IRQ"],
        "listingDate": ["2003-07-07"],
        "description": ["1210/2003 (OJ L169)"],
        "sourceUrl": [
            "http://eur-lex.europa.eu/LexUriServ/LexUriServ.do?uri=OJ:L:2003:169:0006:0023:EN:PDF"
        ],
    }


def test_legacy_passport_and_programmes(legacy: dict[str, EntityProxy]) -> None:
    mugabe = legacy["eu_fsf-1"]
    # "AD001095 (passport-National passport) ((passport))" -> the number alone
    assert mugabe.get("passportNumber") == ["AD001095"]
    assert mugabe.get("position") == ["President", "president"]
    # the earliest reg_date of any sub-record stands in for the listing date
    assert legacy["eu_fsf-1-sanction"].get("listingDate") == ["2002-09-13"]
    agha = legacy["eu_fsf-516"]  # sub-records under AFG and TAQA
    assert sorted(agha.get("programId")) == ["AFG", "TAQA"]
    assert sorted(agha.get("birthDate")) == ["1958", "1963"]  # "1958 - 1963 (approximative)"
    assert legacy["eu_fsf-25"].get("birthDate") == ["1957"]  # "1957 (approximative)"


def test_legacy_organisation(legacy: dict[str, EntityProxy]) -> None:
    bank = legacy["eu_fsf-230"]
    assert bank.schema.name == "Organization"
    assert bank.get("name") == ["Central Bank of Iraq"]
    assert sorted(bank.get("address")) == ["Mosul, IRQ", "Rashid Street, Baghdad, IRQ"]
    assert bank.get("country") == ["iq"]
    ano = legacy["eu_fsf-201"]
    assert ano.get("name") == ["Abu Nidal Organisation"]
    assert {"ANO", "Black September", "Septembre noir"} <= set(ano.get("alias"))


def test_legacy_helpers() -> None:
    assert legacy_birth_dates("1924-02-21") == (["1924-02-21"], None)
    assert legacy_birth_dates("1955 - 1958 (approximative)") == (["1955", "1958"], None)
    assert legacy_birth_dates("") == ([], None)
    assert legacy_birth_dates("unknown") == ([], "unknown")
    assert legacy_document("63-646650 Q70 (id-National identification card) ((id))") == (
        "63-646650 Q70",
        "id",
    )
    assert legacy_document("548-91-5411 (ssn-Social Security Number) (x)") == (
        "548-91-5411",
        "ssn",
    )
    assert legacy_document("12345") == ("12345", None)


# --------------------------------------------------------------------------- 1.1 fixture


def test_current_detect_and_published(fixture_file: Path, tmp_path: Path) -> None:
    assert sniff_format(fixture_file) == "1.1"
    shutil.copy(fixture_file, tmp_path / "eu_fsf.xml")
    files = EU_FSF.detect(tmp_path)
    assert files is not None and files.roles == {"eu_fsf": tmp_path / "eu_fsf.xml"}
    assert EU_FSF.published(files) == date(2026, 3, 2)


def test_current_counts(current: dict[str, EntityProxy]) -> None:
    targets = [p for p in current.values() if is_target(p)]
    assert Counter(p.schema.name for p in targets) == {"Person": 3, "Organization": 2}
    assert len(current) == 10


def test_current_russian_person(current: dict[str, EntityProxy]) -> None:
    assert props(current["eu_fsf-171001"]) == {
        "name": ["Dmitriy Arkadyevich KOLOSOV"],
        "alias": ["Дмитрий Аркадьевич КОЛОСОВ"],
        "firstName": ["Dmitriy", "Дмитрий"],
        "middleName": ["Arkadyevich", "Аркадьевич"],
        "lastName": ["KOLOSOV", "КОЛОСОВ"],
        "gender": ["male"],
        "position": ["Deputy Minister of Industry and Trade of the Russian Federation"],
        "citizenship": ["ru"],
        "birthDate": ["1971-09-14"],
        "birthPlace": ["Sverdlovsk, RUSSIAN FEDERATION"],
        "birthCountry": ["ru"],
        "notes": ["Deputy Minister responsible for defence procurement."],
        "program": ["UKR"],
        "programId": ["UKR"],
        "topics": ["sanction"],
    }
    assert props(current["eu_fsf-171001-sanction"]) == {
        "entity": ["eu_fsf-171001"],
        "authority": ["European Union"],
        "authorityId": ["171001", "EU.9101.27"],
        "program": ["UKR"],
        "programId": ["UKR"],
        "listingDate": ["2022-02-28"],
        "description": ["2022/336 (OJ L58)"],
        "sourceUrl": [
            "https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:32022R0336&from=EN"
        ],
    }


def test_current_hong_kong_company(current: dict[str, EntityProxy]) -> None:
    assert props(current["eu_fsf-171002"]) == {
        "name": ["Jade Harbour Microelectronics Trading Co., Limited"],
        "alias": ["翠港微电子贸易有限公司"],
        "registrationNumber": ["2987461"],
        "address": [
            "Room 1607, 16/F, Lucky Centre, 165 Wing Lok Street, Sheung Wan, Hong Kong, HONG KONG"
        ],
        "country": ["hk"],
        "phone": ["+85231065521"],
        "website": ["https://www.jadeharbour-micro.hk/"],
        "program": ["RUS"],
        "programId": ["RUS"],
        "topics": ["sanction"],
    }
    assert props(current["eu_fsf-171002-sanction"]) == {
        "entity": ["eu_fsf-171002"],
        "authority": ["European Union"],
        "authorityId": ["171002", "EU.10522.64"],
        "program": ["RUS"],
        "programId": ["RUS"],
        "listingDate": ["2024-06-24"],
        "description": ["2024/1745 (OJ L)"],
        "sourceUrl": ["https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=OJ:L_202401745"],
    }


def test_current_person_with_year_and_passport(current: dict[str, EntityProxy]) -> None:
    assert props(current["eu_fsf-171003"]) == {
        "name": ["Nasrullah Gul Sherzad"],
        "firstName": ["Nasrullah"],
        "middleName": ["Gul"],
        "lastName": ["Sherzad"],
        "gender": ["male"],
        "title": ["Maulavi"],
        "position": ["Deputy Governor of Zabul Province under the Taliban regime"],
        "citizenship": ["af"],
        # year="1965", plus a second birthdate with yearRangeFrom/To 1962-1964
        "birthDate": ["1962", "1964", "1965"],
        "birthPlace": ["Qalat, AFGHANISTAN"],
        "birthCountry": ["af"],
        "passportNumber": ["OA 471236"],
        "idNumber": ["57211"],
        "program": ["TAQA"],
        "programId": ["TAQA"],
        "topics": ["sanction"],
    }
    sanction = current["eu_fsf-171003-sanction"]
    assert sanction.get("unscId") == ["TAi.905"]
    assert sanction.get("listingDate") == ["2001-10-08"]
    assert sanction.get("authorityId") == ["171003", "EU.3877.12"]


def test_current_entity_with_several_addresses(current: dict[str, EntityProxy]) -> None:
    assert props(current["eu_fsf-171004"]) == {
        "name": ["Open Joint Stock Company Minsk Precision Optics Plant"],
        "alias": ["ОАО Минский завод точной оптики"],
        "weakAlias": ["MZTO"],
        "taxNumber": ["100231876"],
        "address": sorted(
            [
                "ul. Makayonka 23, 220114 Minsk, BELARUS",
                "Varshavskoye shosse 42, office 318, 115230 Moscow, RUSSIAN FEDERATION",
                "P.O. Box 261744, Dubai, Jebel Ali Free Zone, UNITED ARAB EMIRATES",
            ]
        ),
        "country": ["ae", "by", "ru"],
        "email": ["office@mzto-optics.by"],
        "phone": ["+375172154011"],
        "notes": [
            "State-owned manufacturer of optical sighting systems supplying the armed forces."
        ],
        "program": ["BLR"],
        "programId": ["BLR"],
        "topics": ["sanction"],
    }
    assert current["eu_fsf-171004-sanction"].get("listingDate") == ["2021-06-24"]


def test_current_weak_aliases(current: dict[str, EntityProxy]) -> None:
    assert props(current["eu_fsf-171005"]) == {
        "name": ["Khalil Hasan Al-Tawwab"],
        "alias": ["خليل حسن التواب"],
        "weakAlias": ["Abu Hasan", "Abu Khalil"],
        "firstName": ["Khalil"],
        "middleName": ["Hasan"],
        "lastName": ["Al-Tawwab"],
        "gender": ["male"],
        "position": ["Businessman with close ties to the regime"],
        "citizenship": ["sy"],
        "birthDate": ["1968-01-07"],
        "birthPlace": ["Hama, SYRIAN ARAB REPUBLIC"],
        "birthCountry": ["sy"],
        "idNumber": ["010-48817392"],  # its countryIso2Code "00" adds no country
        "address": ["Damascus, SYRIAN ARAB REPUBLIC"],
        "country": ["sy"],
        "program": ["SYR"],
        "programId": ["SYR"],
        "topics": ["sanction"],
    }
    assert current["eu_fsf-171005-sanction"].get("authorityId") == ["171005", "EU.7703.88"]


def test_namibia_is_not_a_null_marker(tmp_path: Path) -> None:
    xml = tmp_path / "eu_fsf.xml"
    xml.write_text(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-05">'
        '<sanctionEntity logicalId="7"><subjectType code="person"/>'
        '<nameAlias wholeName="A B" strong="true"/>'
        '<citizenship countryIso2Code="NA" countryDescription="NAMIBIA"/>'
        "</sanctionEntity></export>",
        encoding="utf-8",
    )
    (target, _sanction) = list(EU_FSF.parse(files_for(xml)))
    assert target.get("citizenship") == ["na"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("which", ["legacy", "current"])
def test_truncated_file(which: str, legacy_file: Path, fixture_file: Path, tmp_path: Path) -> None:
    source = legacy_file if which == "legacy" else fixture_file
    data = source.read_bytes()
    broken = tmp_path / "eu_fsf.xml"
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as caught:
        list(EU_FSF.parse(files_for(broken)))
    error = caught.value
    assert error.path == broken
    assert error.line is not None and error.line > 10
    assert f"{broken}, line {error.line}: malformed XML" in str(error)


def test_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "eu_fsf.xml"
    empty.write_bytes(b"  \n")
    assert EU_FSF.detect(tmp_path) is None
    with pytest.raises(SourceError, match="empty"):
        list(EU_FSF.parse(files_for(empty)))
    with pytest.raises(SourceError, match="empty"):
        EU_FSF.published(files_for(empty))


def test_csv_file_refused(shared_data: Path, tmp_path: Path) -> None:
    fake = tmp_path / "eu_fsf.xml"
    shutil.copy(shared_data / "us_csl" / "csl_sample_2025.csv", fake)
    assert EU_FSF.detect(tmp_path) is None
    with pytest.raises(SourceError) as caught:
        list(EU_FSF.parse(files_for(fake)))
    assert caught.value.line == 1
    assert str(fake) in str(caught.value)


def test_other_sources_xml_refused(shared_data: Path) -> None:
    un_file = shared_data / "un" / "consolidated.xml"
    assert EU_FSF.detect(un_file.parent) is None
    with pytest.raises(SourceError) as caught:
        list(EU_FSF.parse(files_for(un_file)))
    assert caught.value.element == "CONSOLIDATED_LIST"
    assert caught.value.line == 2
    assert "not an EU Financial Sanctions File" in str(caught.value)
    ofac = shared_data / "ofac" / "sdn_xml_excerpt.xml"
    with pytest.raises(SourceError, match="sdnList"):
        EU_FSF.published(files_for(ofac))


def test_export_without_namespace_refused(tmp_path: Path) -> None:
    xml = tmp_path / "eu_fsf.xml"
    xml.write_text('<export generationDate="2026-01-05"><sanctionEntity/></export>', "utf-8")
    assert EU_FSF.detect(tmp_path) is None
    with pytest.raises(SourceError, match="without the FSF namespace"):
        list(EU_FSF.parse(files_for(xml)))


def test_entry_without_name(tmp_path: Path) -> None:
    xml = tmp_path / "eu_fsf.xml"
    xml.write_text(
        '<WHOLE Date="01/02/2016">\n<ENTITY Id="9" Type="P" programme="IRQ">\n'
        "<NAME><WHOLENAME/></NAME>\n</ENTITY>\n</WHOLE>\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        list(EU_FSF.parse(files_for(xml)))
    assert caught.value.element == "ENTITY"
    assert caught.value.line == 2
    assert "entry 9 has no name" in str(caught.value)


def test_entry_without_id(tmp_path: Path) -> None:
    xml = tmp_path / "eu_fsf.xml"
    xml.write_text(
        '<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-01-05">\n'
        '<sanctionEntity euReferenceNumber="EU.1.2">\n<subjectType code="person"/>\n'
        '<nameAlias wholeName="A B" strong="true"/>\n</sanctionEntity>\n</export>\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        list(EU_FSF.parse(files_for(xml)))
    assert caught.value.element == "sanctionEntity"
    assert caught.value.line == 2
    assert "no logicalId" in str(caught.value)
