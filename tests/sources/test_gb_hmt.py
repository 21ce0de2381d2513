"""UK HMT/OFSI Consolidated List parser, on the real 2025 XLSX and 2018 CSV editions."""

from __future__ import annotations

import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from followthemoney import EntityProxy

from redline.sources.base import SourceError, SourceFiles
from redline.sources.gb_hmt import (
    GB_HMT,
    SOURCES,
    Listing,
    birth_date,
    build_entities,
    country_code,
    read_listing,
    split_other_information,
)
from redline.sources.util import is_target, source_id_of

XLSX = "ofsi_conlist_2025-04-10.xlsx"
CSV = "ofsi_conlist_2018-04-13.csv"
#: How long reading and building the whole 2025 XLSX may take (it takes about 5 s
#: on the 2-core build machine; openpyxl read-only alone is about 1.5 s of that).
XLSX_BUDGET_SECONDS = 20.0


@dataclass(frozen=True)
class Parsed:
    listing: Listing
    entities: dict[str, EntityProxy]
    seconds: float

    def targets(self) -> list[EntityProxy]:
        return [proxy for proxy in self.entities.values() if is_target(proxy)]

    def sanctions(self) -> list[EntityProxy]:
        return [proxy for proxy in self.entities.values() if proxy.schema.name == "Sanction"]


def _parse(path: Path) -> Parsed:
    """Rows grouped (for row counts) and the entities built from exactly those groups."""
    start = time.perf_counter()
    listing = read_listing(path)
    entities: dict[str, EntityProxy] = {}
    for group in listing.groups:
        for proxy in build_entities(group, listing.legacy):
            assert proxy.id is not None and proxy.id not in entities
            entities[proxy.id] = proxy
    return Parsed(listing, entities, time.perf_counter() - start)


def _parse_via_source(path: Path) -> Parsed:
    """The same through ``GB_HMT.parse`` (the public path), plus the grouped rows."""
    entities: dict[str, EntityProxy] = {}
    for proxy in GB_HMT.parse(files_for(path)):
        assert proxy.id is not None and proxy.id not in entities
        entities[proxy.id] = proxy
    return Parsed(read_listing(path), entities, 0.0)


@pytest.fixture(scope="module")
def uk_dir(shared_data: Path) -> Path:
    return shared_data / "uk"


@pytest.fixture(scope="module")
def xlsx(uk_dir: Path) -> Parsed:
    """The 2025 XLSX, read once for the whole module (about 5 s)."""
    return _parse(uk_dir / XLSX)


@pytest.fixture(scope="module")
def legacy_csv(uk_dir: Path) -> Parsed:
    return _parse_via_source(uk_dir / CSV)


def files_for(path: Path) -> SourceFiles:
    return SourceFiles(source="gb_hmt", files=(path,), roles={"conlist": path})


def props(proxy: EntityProxy) -> dict[str, list[str]]:
    return {prop: sorted(values) for prop, values in proxy.to_dict()["properties"].items()}


# --------------------------------------------------------------------------- detection


def test_source_metadata() -> None:
    assert SOURCES == (GB_HMT,)
    assert GB_HMT.name == "gb_hmt"
    assert GB_HMT.title == "UK HM Treasury OFSI Consolidated List of Financial Sanctions Targets"
    assert GB_HMT.publisher == "HM Treasury, Office of Financial Sanctions Implementation"
    [download] = GB_HMT.downloads
    assert download.url == (
        "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx"
    )
    assert download.filename == "ConList.xlsx"


def test_detect_prefers_xlsx_over_csv(uk_dir: Path) -> None:
    files = GB_HMT.detect(uk_dir)
    assert files is not None
    assert files.files == (uk_dir / XLSX,)
    assert files.roles == {"conlist": uk_dir / XLSX}
    assert GB_HMT.published(files) == date(2025, 4, 10)


def test_detect_csv_alone(uk_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "ConList.csv").symlink_to(uk_dir / CSV)
    files = GB_HMT.detect(tmp_path)
    assert files is not None
    assert files.files == (tmp_path / "ConList.csv",)
    assert GB_HMT.published(files) == date(2018, 4, 13)


def test_detect_ignores_other_sources_and_subfolders(
    shared_data: Path, uk_dir: Path, tmp_path: Path
) -> None:
    # Another list's CSV, named like OFSI's: its first line is not "Last Updated".
    (tmp_path / "conlist.csv").symlink_to(shared_data / "ofac" / "sdn.csv")
    # The right content under a name without "conlist"/"ofsi" is not taken either.
    (tmp_path / "sanctions.xlsx").symlink_to(uk_dir / XLSX)
    # Nor a real file one level down.
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ConList.xlsx").symlink_to(uk_dir / XLSX)
    assert GB_HMT.detect(tmp_path) is None
    assert GB_HMT.detect(tmp_path / "missing") is None


def test_detect_takes_damaged_file_only_as_last_resort(uk_dir: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "OFSI.xlsx"
    damaged.write_bytes((uk_dir / XLSX).read_bytes()[:50_000])
    files = GB_HMT.detect(tmp_path)
    assert files is not None and files.files == (damaged,)
    with pytest.raises(SourceError, match="cannot open the XLSX workbook"):
        list(GB_HMT.parse(files))
    (tmp_path / "ConList.csv").symlink_to(uk_dir / CSV)
    files = GB_HMT.detect(tmp_path)
    assert files is not None and files.files == (tmp_path / "ConList.csv",)


def test_detect_takes_newest_of_one_edition(uk_dir: Path, tmp_path: Path) -> None:
    newer = tmp_path / "ofsi_a.xlsx"
    _write_xlsx(newer, [["Last Updated", "01/01/2026"], ["Name 6"]])
    (tmp_path / "ofsi_b.xlsx").symlink_to(uk_dir / XLSX)
    files = GB_HMT.detect(tmp_path)
    assert files is not None
    assert files.files == (newer,)


# --------------------------------------------------------------------------- 2025 XLSX


def test_xlsx_row_and_target_counts(xlsx: Parsed) -> None:
    groups = xlsx.listing.groups
    assert not xlsx.listing.legacy
    assert xlsx.listing.updated == "10/04/2025"
    assert len(groups) == 4686
    assert sum(len(group.rows) for group in groups) == 18796
    rows_by_type = Counter(group.group_type for group in groups for _ in group.rows)
    assert rows_by_type == {"Individual": 13691, "Entity": 5024, "Ship": 81}
    targets = xlsx.targets()
    assert len(targets) == 4686
    assert Counter(t.schema.name for t in targets) == {
        "Person": 3662,
        "Organization": 1009,
        "Vessel": 15,
    }
    assert all(t.id == f"gb_hmt-{source_id_of(t)}" for t in targets)
    assert all(t.get("name") for t in targets)
    assert all(t.get("topics") == ["sanction"] for t in targets)


def test_xlsx_parse_time_is_reasonable(xlsx: Parsed) -> None:
    assert xlsx.seconds < XLSX_BUDGET_SECONDS, f"XLSX took {xlsx.seconds:.1f} s"


def test_xlsx_one_sanction_per_target_and_31_regimes(xlsx: Parsed) -> None:
    sanctions = xlsx.sanctions()
    assert len(sanctions) == 4686
    assert {s.first("entity") for s in sanctions} == {t.id for t in xlsx.targets()}
    regimes = {program for s in sanctions for program in s.get("program")}
    assert len(regimes) == 31
    assert {"Russia", "Global Human Rights", "Democratic People's Republic of Korea"} <= regimes
    # Every listing has its Group ID and (but for one row lacking it) a UK list reference.
    assert all(
        s.get("authorityId")[0] == source_id_of(xlsx.entities[str(s.first("entity"))])
        for s in sanctions
    )
    assert sum(1 for s in sanctions if len(s.get("authorityId")) < 2) == 1
    assert all(s.get("listingDate") for s in sanctions)


def test_xlsx_russian_individual_with_cyrillic_name(xlsx: Parsed) -> None:
    """Group 15829, two rows: a spelling variant and the primary name with its Cyrillic form."""
    person = xlsx.entities["gb_hmt-15829"]
    assert person.schema.name == "Person"
    assert person.context["source_id"] == "15829"
    assert props(person) == {
        "topics": ["sanction"],
        "name": ["Vladimir Vladmimirovich ARTYAKOV"],
        "alias": ["Vladimir Vladimirovich ARTJAKOV", "Владимир Владимирович Артяков"],
        "firstName": ["Vladimir"],
        "middleName": ["Vladmimirovich"],
        "lastName": ["ARTYAKOV"],
        "birthDate": ["1959-07-30"],
        "birthPlace": ["Russia"],
        "birthCountry": ["ru"],
        "nationality": ["ru"],
        "country": ["ru"],
        "passportNumber": ["511528697"],
        "position": ["First Deputy General Director of Rostec and member of the Management Board."],
        "address": ["3 Chobotovskaya Apt., 148, Moscow, 119634, Russia"],
        "gender": ["male"],
        "program": ["Russia"],
        "notes": [
            "Financial sanctions imposed in addition to an asset freeze: Trust services. "
            "Date trust services sanctions imposed: 21/03/2023."
        ],
    }
    sanction = xlsx.entities["gb_hmt-15829-sanction"]
    assert sanction.get("entity") == ["gb_hmt-15829"]
    assert sanction.get("authority") == [
        "HM Treasury, Office of Financial Sanctions Implementation"
    ]
    assert sanction.get("authorityId") == ["15829", "RUS1795"]
    assert sanction.get("program") == ["Russia"]
    assert sanction.get("listingDate") == ["2023-02-24"]
    assert sanction.get("startDate") == ["2023-02-23"]
    assert sanction.get("modifiedAt") == ["2023-03-21"]
    assert sanction.get("country") == ["gb"]
    [reason] = sanction.get("reason")
    assert reason.startswith("Vladimir Vladimirovich ARTYAKOV is an “involved person”")
    assert reason.endswith("namely the defence sector.")
    assert "(Gender)" not in reason


def test_xlsx_ship_with_imo(xlsx: Parsed) -> None:
    """Group 13651: the tanker SAM JONG 2 and its eight other names."""
    ship = xlsx.entities["gb_hmt-13651"]
    assert ship.schema.name == "Vessel"
    values = props(ship)
    assert values["name"] == ["SAM JONG 2"]
    assert values["alias"] == [
        "AKTIVA",
        "BIMA",
        "OCHRE POINT",
        "PETROCHEM VALOUR",
        "RAINBOW CHASER",
        "SOLVENT DISCOVERER",
        "TOM MIRA",
        "YU_JONG_3",
    ]
    assert values["imoNumber"] == ["7408873"]
    assert values["flag"] == ["kp"]
    assert values["pastFlags"] == ["ru"]
    assert values["type"] == ["Oil tanker"]
    assert values["tonnage"] == ["1676"]
    assert values["buildDate"] == ["1975"]
    assert "Current owners: Korea Samjong Shipping" in values["notes"]
    assert "Length of ship: 80" in values["notes"]
    assert any(n.startswith("Pursuant to paragraph 6 of Security Council") for n in values["notes"])
    sanction = xlsx.entities["gb_hmt-13651-sanction"]
    assert sanction.get("authorityId") == ["13651", "DPR0100"]
    assert sanction.get("program") == ["Democratic People's Republic of Korea"]
    assert sanction.get("listingDate") == ["2018-04-03"]
    assert sanction.get("startDate") == ["2018-03-30"]
    # "UN Ref KPe.064" inside the free text is the owner's, not this ship's.
    assert sanction.get("unscId") == []
    vessels = [t for t in xlsx.targets() if t.schema.name == "Vessel"]
    assert all(len(v.get("imoNumber")) == 1 for v in vessels)


def test_xlsx_entity_with_aliases_and_previous_names(xlsx: Parsed) -> None:
    """Group 13189 (ADF): primary name, AKAs, FKAs and a UN reference."""
    adf = xlsx.entities["gb_hmt-13189"]
    assert adf.schema.name == "Organization"
    values = props(adf)
    assert values["name"] == ["ADF (ALLIED DEMOCRATIC FORCES)"]
    assert values["alias"] == [
        "ALLIED DEMOCRATIC FORCES",
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
    ]
    assert values["previousName"] == [
        "ADF/NALU",
        "FORCES DEMOCRATIQUES ALLIEES-ARMEE NATIONALE DE LIBERATION DE L'OUGANDA",
        "NALU",
    ]
    # OFSI writes "Congo (Democratic Republic)": the DRC, not the Republic of the Congo.
    assert values["country"] == ["cd"]
    assert values["address"] == ["North Kivu Province, Congo (Democratic Republic)"]
    assert "firstName" not in values
    sanction = xlsx.entities["gb_hmt-13189-sanction"]
    assert sanction.get("unscId") == ["CDe.001"]
    assert sanction.get("authorityId") == ["13189", "DRC0015"]


def test_xlsx_entity_contact_and_registration(xlsx: Parsed) -> None:
    """Group 16636: tagged website, entity type and registration number; Cyrillic alias."""
    values = props(xlsx.entities["gb_hmt-16636"])
    assert values["name"] == ["ZAPCHASTTRADE LLP"]
    assert "ТОО ЗАПЧАСТЬ ТРЕЙД" in values["alias"]
    assert values["website"] == ["https://armtek.kz/"]
    assert values["legalForm"] == ["Limited Liability Partnership"]
    assert values["registrationNumber"] == ["Kazakhstan BIN - 170440031562"]
    assert values["country"] == ["kz"]


def test_xlsx_weak_alias_title_partial_birth_date(xlsx: Parsed) -> None:
    """Group 7532: a "Low quality" AKA, numbered titles and IDs, DOB 00/00/1969."""
    values = props(xlsx.entities["gb_hmt-7532"])
    assert values["name"] == ["Shams Ur-Rahman ABDUL ZAHIR"]
    assert values["weakAlias"] == ["Shams ur-Rahman Sher ALAM"]
    assert "Shams ur-Rahman Sher ALAM" not in values["alias"]
    assert "شمس الرحمن عبد الظاهر" in values["alias"]
    assert values["title"] == ["Maulavi", "Mullah"]
    assert values["birthDate"] == ["1969"]
    assert values["birthPlace"] == [
        "Waka Uzbin village, Sarobi District, Kabul Province, Afghanistan"
    ]
    assert values["idNumber"] == ["2132370", "812673"]
    assert xlsx.entities["gb_hmt-7532-sanction"].get("unscId") == ["TAi.008"]


def test_xlsx_group_under_two_regimes(xlsx: Parsed) -> None:
    """Group 11241 (IRGC Qods Force) is listed under Iran (Nuclear) and Syria."""
    sanction = xlsx.entities["gb_hmt-11241-sanction"]
    assert sorted(sanction.get("program")) == ["Iran (Nuclear)", "Syria"]
    assert sorted(sanction.get("listingDate")) == ["2010-07-27", "2011-08-24"]
    assert sanction.get("authorityId") == ["11241", "INU0082", "SYR0310"]


def test_xlsx_group_without_primary_name_gets_one(xlsx: Parsed) -> None:
    values = props(xlsx.entities["gb_hmt-16789"])
    assert values["name"] == ["PREMERA (H.K.) INTERNATIONAL CO, LIMITED"]


def test_xlsx_gender_and_non_latin_totals(xlsx: Parsed) -> None:
    people = [t for t in xlsx.targets() if t.schema.name == "Person"]
    genders = Counter(g for p in people for g in p.get("gender"))
    assert set(genders) == {"male", "female"}
    cyrillic = [
        t for t in xlsx.targets() if any("Ж" <= c <= "я" for a in t.get("alias") for c in a)
    ]
    assert len(cyrillic) > 300


# --------------------------------------------------------------------------- 2018 CSV


def test_csv_counts_and_published(uk_dir: Path, legacy_csv: Parsed) -> None:
    groups = legacy_csv.listing.groups
    assert legacy_csv.listing.legacy
    assert len(groups) == 2106
    assert sum(len(group.rows) for group in groups) == 9487
    rows_by_type = Counter(group.group_type for group in groups for _ in group.rows)
    assert rows_by_type == {"Individual": 6857, "Entity": 2630}
    targets = legacy_csv.targets()
    assert Counter(t.schema.name for t in targets) == {"Person": 1426, "Organization": 680}
    assert len(legacy_csv.sanctions()) == 2106
    assert GB_HMT.published(files_for(uk_dir / CSV)) == date(2018, 4, 13)


def test_csv_parse_yields_target_then_sanction(legacy_csv: Parsed) -> None:
    ids = list(legacy_csv.entities)
    expected = [f"gb_hmt-{g.group_id}{suffix}" for g in legacy_csv.listing.groups
                for suffix in ("", "-sanction")]  # fmt: skip
    assert ids == expected


def test_csv_decodes_windows_1252(legacy_csv: Parsed) -> None:
    person = legacy_csv.entities["gb_hmt-13284"]
    assert person.get("name") == ["Léonard NGENDAKUMANA"]
    assert person.get("firstName") == ["Léonard"]
    assert person.get("position") == [
        "Former ‘Chargé de Missions de la Présidence’ and former army general."
    ]
    assert person.get("passportNumber") == ["DP0000885"]
    group = legacy_csv.entities["gb_hmt-6963"]
    assert group.get("name") == ["ARMED ISLAMIC GROUP"]
    assert "GROUPE ISLAMIQUE ARMÉ" in group.get("alias")


def test_csv_person_field_by_field(legacy_csv: Parsed) -> None:
    """Group 13349: two DOBs with unknown day and month, numbered nationalities."""
    values = props(legacy_csv.entities["gb_hmt-13349"])
    assert values["name"] == ["Nayef Salam Muhammad Ujaym AL-HABABI"]
    assert "Sheikh Farooq AL-QAHTANI" in values["alias"]
    assert values["birthDate"] == ["1980", "1981"]
    assert values["nationality"] == ["qa", "sa"]
    assert values["birthCountry"] == ["sa"]
    # "Afghanistan (since 2009)": the remark is dropped for the code, kept in the address.
    assert values["country"] == ["af"]
    assert values["address"] == ["Afghanistan (since 2009)"]
    assert values["passportNumber"] == ["592667"]
    assert (
        "Passport: Passport No: 592667 (Qatari passport issued on 3 May 2007)." in (values["notes"])
    )
    sanction = legacy_csv.entities["gb_hmt-13349-sanction"]
    assert sanction.get("program") == ["The ISIL (Da'esh) and Al-Qaida organisations"]
    assert sanction.get("listingDate") == ["2016-04-01"]
    assert sanction.get("authorityId") == ["13349"]


def test_csv_keeps_na_name_part(legacy_csv: Parsed) -> None:
    """``Na`` is a name part here, not a null marker."""
    names = [n for t in legacy_csv.targets() for n in t.get("name") + t.get("alias")]
    assert any(" Na " in f" {name} " for name in names)


# --------------------------------------------------------------------------- helpers


def test_birth_date_with_unknown_parts() -> None:
    assert birth_date("00/00/1980") == "1980"
    assert birth_date("00/08/1979") == "1979-08"
    assert birth_date("30/07/1959") == "1959-07-30"
    assert birth_date("31/02/1970") == "1970-02"
    assert birth_date("08/1979") == "1979-08"
    assert birth_date("1975") == "1975"
    assert birth_date("circa 1975") is None
    assert birth_date("00/00/0000") is None


def test_country_codes_of_ofsi_spellings() -> None:
    assert country_code("Congo (Democratic Republic)") == "cd"
    assert country_code("Korea (North)") == "kp"
    assert country_code("Iraq (previous address)") == "iq"
    assert country_code("Occupied Palestinian Territories") == "ps"
    assert country_code("Former USSR Currently Belarus") is None


def test_split_other_information_only_on_known_tags() -> None:
    lead, pairs = split_other_information(
        "(UK Sanctions List Ref):SOM0025. (UN Ref):SOi.023. Listed pursuant to paragraph "
        "26(b) of resolution 2662 (2022): (i) participating (Gender):Male"
    )
    assert lead == ""
    assert pairs == [
        ("UK Sanctions List Ref", "SOM0025."),
        (
            "UN Ref",
            "SOi.023. Listed pursuant to paragraph 26(b) of resolution 2662 (2022): "
            "(i) participating",
        ),
        ("Gender", "Male"),
    ]


# --------------------------------------------------------------------------- small workbooks

HEADER_2025 = [
    "Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title",
    "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language", "DOB",
    "Town of Birth", "Country of Birth", "Nationality", "Passport Number", "Passport Details",
    "National Identification Number", "National Identification Details", "Position",
    "Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6",
    "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type",
    "Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated",
    "Last Updated", "Group ID",
]  # fmt: skip


def _write_xlsx(path: Path, rows: Sequence[Sequence[str | None]]) -> None:
    """A workbook as openpyxl writes it: empty cells are simply absent (sparse rows)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def _row(**values: str) -> list[str | None]:
    by_name = {key.replace("_", " "): value for key, value in values.items()}
    return [by_name.get(column) for column in HEADER_2025]


def test_small_xlsx_maps_sparse_cells_by_header(tmp_path: Path) -> None:
    # Columns reordered relative to the real file, plus one unknown column.
    header = [*reversed(HEADER_2025), "Something New"]
    rows: list[Sequence[str | None]] = [
        ["Last Updated", "02/03/2025"],
        header,
        list(reversed(_row(**{"Name_6": "EXAMPLE SHIP", "Group_Type": "Ship",
                              "Alias_Type": "Primary name", "Regime": "Russia",
                              "Group_ID": "99001", "Listed_On": "01/03/2025",
                              "Other_Information": "(UK Sanctions List Ref):RUS9999. "
                              "(IMO number):9876543 (Flag of ship):Panama"}))),
        [],
        list(reversed(_row(**{"Name_6": "EXAMPLE TWO", "Group_Type": "Ship",
                              "Alias_Type": "AKA", "Alias_Quality": "Low quality",
                              "Regime": "Russia", "Group_ID": "99001"}))),
    ]  # fmt: skip
    path = tmp_path / "ConList.xlsx"
    _write_xlsx(path, rows)
    files = GB_HMT.detect(tmp_path)
    assert files is not None
    assert GB_HMT.published(files) == date(2025, 3, 2)
    ship, sanction = list(GB_HMT.parse(files))
    assert ship.schema.name == "Vessel"
    assert ship.get("name") == ["EXAMPLE SHIP"]
    assert ship.get("weakAlias") == ["EXAMPLE TWO"]
    assert ship.get("imoNumber") == ["9876543"]
    assert ship.get("flag") == ["pa"]
    assert sanction.get("authorityId") == ["99001", "RUS9999"]
    assert sanction.get("listingDate") == ["2025-03-01"]


# --------------------------------------------------------------------------- bad input


def _error(path: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(GB_HMT.parse(files_for(path)))
    error = caught.value
    assert error.path == path
    assert str(path) in str(error)
    return error


def _csv_head(uk_dir: Path, lines: int) -> list[bytes]:
    """The first physical lines of the real CSV (all single-line records up to line 9)."""
    return (uk_dir / CSV).read_bytes().split(b"\n")[:lines]


def test_csv_row_with_wrong_field_count(uk_dir: Path, tmp_path: Path) -> None:
    lines = _csv_head(uk_dir, 9)
    lines[5] += b",extra"
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    error = _error(path)
    assert error.line == 6
    assert "30 fields" in error.reason and "29" in error.reason


def test_csv_unterminated_quote(uk_dir: Path, tmp_path: Path) -> None:
    lines = [*_csv_head(uk_dir, 9), b'BROKEN,"unterminated,,,', b"more text"]
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    error = _error(path)
    assert error.line == 10
    assert "malformed CSV" in error.reason


def test_csv_unknown_group_type(uk_dir: Path, tmp_path: Path) -> None:
    lines = _csv_head(uk_dir, 9)
    lines[6] = lines[6].replace(b",Individual,", b",Aircraft,")
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    error = _error(path)
    assert error.line == 7
    assert "Aircraft" in error.reason


@pytest.mark.parametrize("name", ["ConList.csv", "ConList.xlsx"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    error = _error(path)
    assert error.line == 1
    assert "empty" in error.reason


def test_csv_header_only(uk_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(_csv_head(uk_dir, 2)) + b"\n")
    assert list(GB_HMT.parse(files_for(path))) == []
    path.write_bytes(_csv_head(uk_dir, 1)[0] + b"\n")
    assert _error(path).line == 2


def test_truncated_xlsx(uk_dir: Path, tmp_path: Path) -> None:
    data = (uk_dir / XLSX).read_bytes()
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(data[: len(data) // 2])
    error = _error(path)
    assert "cannot open the XLSX workbook" in error.reason


def test_xlsx_with_truncated_sheet_xml(tmp_path: Path) -> None:
    """A readable zip whose sheet XML stops mid-row: the error names the row it reached."""
    good = tmp_path / "good.xlsx"
    rows: list[Sequence[str | None]] = [["Last Updated", "02/03/2025"], HEADER_2025]
    rows += [_row(Name_6=f"NAME {n}", Group_Type="Entity", Alias_Type="Primary name",
                  Regime="Russia", Group_ID=str(n)) for n in range(1, 40)]  # fmt: skip
    _write_xlsx(good, rows)
    path = tmp_path / "ConList.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b'<row r="20"') + 30]
            target.writestr(item, data)
    error = _error(path)
    assert error.line is not None and 2 < error.line <= 20
    assert "unreadable sheet data" in error.reason


def test_xlsx_without_zip_signature(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    path.write_text("Last Updated,10/04/2025\n")
    assert "no ZIP signature" in _error(path).reason


def test_xlsx_header_missing_required_column(tmp_path: Path) -> None:
    header = [column for column in HEADER_2025 if column != "Group ID"]
    path = tmp_path / "ConList.xlsx"
    _write_xlsx(path, [["Last Updated", "10/04/2025"], header, ["SOMEONE"]])
    error = _error(path)
    assert error.line == 2
    assert "Group ID" in error.reason


def test_xlsx_of_another_source(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    _write_xlsx(path, [["ent_num", "SDN_Name"], ["36", "AEROCARIBBEAN AIRLINES"]])
    error = _error(path)
    assert error.line == 1
    assert "not an OFSI Consolidated List" in error.reason
    assert GB_HMT.detect(tmp_path) is None


def test_csv_of_another_source(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_bytes((shared_data / "ofac" / "sdn.csv").read_bytes()[:2000])
    error = _error(path)
    assert error.line == 1
    assert "not an OFSI Consolidated List" in error.reason
    assert GB_HMT.published(files_for(path)) is None


def test_inconsistent_group_type_within_group(uk_dir: Path, tmp_path: Path) -> None:
    lines = _csv_head(uk_dir, 4)
    lines[3] = lines[3].replace(b",Individual,", b",Entity,")
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    error = _error(path)
    assert error.line == 4
    assert "Group ID 13349" in error.reason and "line 3" in error.reason


def test_undecodable_csv(uk_dir: Path, tmp_path: Path) -> None:
    lines = _csv_head(uk_dir, 9)
    lines[6] = lines[6].replace(b"SALIMI", b"SAL\x81MI")
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    error = _error(path)
    assert error.line == 7


def test_published_of_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(SourceError) as caught:
        GB_HMT.published(files_for(path))
    assert caught.value.path == path
