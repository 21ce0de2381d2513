"""OFAC SDN and Consolidated lists (legacy CSV edition), on the real files.

Each real file set is parsed once per module (the fixtures below); the spot checks
use entries copied from those files.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import EntityProxy
from followthemoney.types import registry

from redline.sources.base import SourceError, SourceFiles
from redline.sources.ofac import (
    CONS,
    SDN,
    SOURCES,
    OfacCsvSource,
    country_code,
    normalise_phone,
    parse_dates,
    parse_remarks,
    split_identifier,
    split_programs,
)
from redline.sources.util import is_target

TARGET_SCHEMATA = {"Person", "Organization", "Company", "Vessel", "Airplane"}


def _parse(source: OfacCsvSource, directory: Path) -> dict[str, EntityProxy]:
    files = source.detect(directory)
    assert files is not None
    entities: dict[str, EntityProxy] = {}
    for proxy in source.parse(files):
        assert proxy.id is not None
        assert proxy.id not in entities, f"duplicate id {proxy.id}"
        entities[proxy.id] = proxy
    return entities


@pytest.fixture(scope="module")
def ofac_dir(shared_data: Path) -> Path:
    return shared_data / "ofac"


@pytest.fixture(scope="module")
def sdn_2021(ofac_dir: Path) -> dict[str, EntityProxy]:
    return _parse(SDN, ofac_dir)


@pytest.fixture(scope="module")
def sdn_latest(ofac_dir: Path) -> dict[str, EntityProxy]:
    return _parse(SDN, ofac_dir / "latest")


@pytest.fixture(scope="module")
def cons(ofac_dir: Path) -> dict[str, EntityProxy]:
    return _parse(CONS, ofac_dir)


def _targets_by_schema(entities: dict[str, EntityProxy]) -> Counter[str]:
    return Counter(p.schema.name for p in entities.values() if is_target(p))


def _as_stored(name: str) -> str:
    """A name as FtM stores it (runs of spaces collapsed, enclosing quotes dropped)."""
    return str(registry.name.clean(name))


def _read_csv(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="ascii").rstrip("\x1a")
    return list(csv.reader(text.splitlines()))


# --------------------------------------------------------------------------- sources


def test_sources_and_downloads() -> None:
    assert SOURCES == (SDN, CONS)
    assert SDN.name == "us_ofac_sdn"
    assert SDN.title == "US OFAC Specially Designated Nationals (SDN) List"
    assert SDN.publisher == "US Treasury, Office of Foreign Assets Control"
    base = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
    assert [(d.url, d.filename) for d in SDN.downloads] == [
        (base + "SDN.CSV", "sdn.csv"),
        (base + "ADD.CSV", "add.csv"),
        (base + "ALT.CSV", "alt.csv"),
        (base + "SDN_COMMENTS.CSV", "sdn_comments.csv"),
    ]
    assert CONS.name == "us_ofac_cons"
    assert [(d.url, d.filename) for d in CONS.downloads] == [
        (base + "CONS_PRIM.CSV", "cons_prim.csv"),
        (base + "CONS_ADD.CSV", "cons_add.csv"),
        (base + "CONS_ALT.CSV", "cons_alt.csv"),
        (base + "CONS_COMMENTS.CSV", "cons_comments.csv"),
    ]


def test_detect_real_folders(shared_data: Path, ofac_dir: Path) -> None:
    files = SDN.detect(ofac_dir)
    assert files is not None
    assert files.source == "us_ofac_sdn"
    assert {role: p.name for role, p in files.roles.items()} == {
        "prim": "sdn.csv",
        "add": "add.csv",
        "alt": "alt.csv",
        "comments": "sdn_comments.csv",
    }
    assert files.files[0].name == "sdn.csv"
    cons_files = CONS.detect(ofac_dir)
    assert cons_files is not None
    assert cons_files.roles["prim"].name == "cons_prim.csv"
    assert len(cons_files.files) == 4
    # latest/ holds SDN files only; folders of other sources hold neither.
    assert SDN.detect(ofac_dir / "latest") is not None
    assert CONS.detect(ofac_dir / "latest") is None
    assert SDN.detect(shared_data / "un") is None
    assert SDN.detect(shared_data) is None  # not recursive


def test_detect_is_case_insensitive_and_sniffs(tmp_path: Path, ofac_dir: Path) -> None:
    lines = (ofac_dir / "sdn.csv").read_bytes().splitlines(keepends=True)
    (tmp_path / "SDN.CSV").write_bytes(b"".join(lines[:3]))
    (tmp_path / "Alt.Csv").write_bytes((ofac_dir / "alt.csv").read_bytes()[:200])
    files = SDN.detect(tmp_path)
    assert files is not None
    assert files.roles["prim"].name == "SDN.CSV"
    assert files.roles["alt"].name == "Alt.Csv"
    assert "add" not in files.roles

    xml_dir = tmp_path / "xml"
    xml_dir.mkdir()
    (xml_dir / "sdn.csv").write_bytes(b'<?xml version="1.0"?>\n<CONSOLIDATED_LIST/>\n')
    assert SDN.detect(xml_dir) is None


def test_published_is_none(ofac_dir: Path) -> None:
    files = SDN.detect(ofac_dir)
    assert files is not None
    assert SDN.published(files) is None


# --------------------------------------------------------------------------- counts


def test_sdn_2021_counts(sdn_2021: dict[str, EntityProxy]) -> None:
    by_schema = _targets_by_schema(sdn_2021)
    assert by_schema["Person"] == 4620
    assert by_schema["Vessel"] == 406
    assert by_schema["Airplane"] == 277
    assert by_schema["Organization"] + by_schema["Company"] == 3673
    assert sum(by_schema.values()) == 8976
    all_schemata = Counter(p.schema.name for p in sdn_2021.values())
    assert all_schemata["Sanction"] == 8976


def test_sdn_latest_counts(sdn_latest: dict[str, EntityProxy]) -> None:
    by_schema = _targets_by_schema(sdn_latest)
    assert by_schema["Person"] == 6854
    assert by_schema["Vessel"] == 851
    assert by_schema["Airplane"] == 376
    assert by_schema["Organization"] + by_schema["Company"] == 6884
    assert sum(by_schema.values()) == 14965


def test_cons_counts(cons: dict[str, EntityProxy]) -> None:
    by_schema = _targets_by_schema(cons)
    assert by_schema["Person"] == 79
    assert by_schema["Organization"] + by_schema["Company"] == 363
    assert sum(by_schema.values()) == 442
    assert all(p.id.startswith("us_ofac_cons-") for p in cons.values() if p.id)


def test_targets_follow_conventions(sdn_2021: dict[str, EntityProxy]) -> None:
    target = sdn_2021["us_ofac_sdn-36"]
    assert target.schema.name == "Organization"
    assert target.get("name") == ["AEROCARIBBEAN AIRLINES"]
    assert target.context["source_id"] == "36"
    assert target.context["target"] is True
    assert target.get("topics") == ["sanction"]
    assert target.get("alias") == ["AERO-CARIBBEAN"]
    assert target.get("address") == ["Havana, Cuba"]
    assert target.get("country") == ["cu"]
    # "-0-" remarks give no notes, and no target lacks a name.
    assert target.get("notes") == []
    for proxy in sdn_2021.values():
        if is_target(proxy):
            assert proxy.schema.name in TARGET_SCHEMATA
            assert proxy.get("name")


# --------------------------------------------------------------------------- joins


def test_every_alt_row_attaches(ofac_dir: Path, sdn_2021: dict[str, EntityProxy]) -> None:
    rows = _read_csv(ofac_dir / "alt.csv")
    assert len(rows) == 11910
    assert len({row[0] for row in rows}) == 4139
    props = {"aka": "alias", "fka": "previousName", "nka": "alias"}
    for ent_num, _, alt_type, alt_name, _ in rows:
        target = sdn_2021[f"us_ofac_sdn-{ent_num}"]
        # "AL-KHATAB, Abd  Al Rahman" (ent_num 9595) is stored with one space.
        assert _as_stored(alt_name) in target.get(props[alt_type]), (ent_num, alt_name)
    with_alt_names = {
        p.id
        for p in sdn_2021.values()
        if is_target(p) and (p.get("alias") or p.get("previousName"))
    }
    assert {f"us_ofac_sdn-{row[0]}" for row in rows} <= with_alt_names


def test_addresses_attach(sdn_2021: dict[str, EntityProxy]) -> None:
    bank = sdn_2021["us_ofac_sdn-306"]
    assert bank.get("name") == ["BANCO NACIONAL DE CUBA"]
    assert "Zweierstrasse 35, Zurich CH-8022, Switzerland" in bank.get("address")
    assert "Dai-Ichi Bldg. 6th Floor, 10-2 Nihombashi, 2-chome, Chuo-ku, Tokyo 103, Japan" in (
        bank.get("address")
    )
    assert set(bank.get("country")) == {"ch", "es", "jp", "pa"}
    assert bank.get("alias") == ["NATIONAL BANK OF CUBA"]
    assert bank.get("weakAlias") == ["BNC"]


def test_latest_joins_tolerate_orphans(sdn_latest: dict[str, EntityProxy], ofac_dir: Path) -> None:
    # latest/alt.csv is eight months newer: its rows attach where the ent_num exists.
    targets = {p.context["source_id"] for p in sdn_latest.values() if is_target(p)}
    alt_rows = _read_csv(ofac_dir / "latest" / "alt.csv")
    orphans = {row[0] for row in alt_rows} - targets
    assert len(orphans) == 1567
    attached = [row for row in alt_rows if row[0] in targets]
    for ent_num, _, alt_type, alt_name, _ in attached[:500]:
        prop = "previousName" if alt_type == "fka" else "alias"
        assert _as_stored(alt_name) in sdn_latest[f"us_ofac_sdn-{ent_num}"].get(prop)


def test_remarks_continuation_is_glued_without_separator(
    sdn_2021: dict[str, EntityProxy], cons: dict[str, EntityProxy]
) -> None:
    # sdn.csv cuts ent_num 28263 at "a.k.a. 'snowsjo"; sdn_comments.csv goes on "hn'; ...".
    tian = sdn_2021["us_ofac_sdn-28263"]
    (notes,) = tian.get("notes")
    assert notes.endswith("a.k.a. 'tianyinyin0404'; a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert "snowsjohn" in tian.get("weakAlias")
    # cons_prim.csv cuts 30930 after "(USCC) 91110000710934369E " (with the space).
    cccc = cons["us_ofac_cons-30930"]
    (notes,) = cccc.get("notes")
    assert notes.endswith(
        "Unified Social Credit Code (USCC) 91110000710934369E (China); a.k.a. 'CCCC'."
    )
    assert cccc.get("uscCode") == ["91110000710934369E"]
    assert cccc.get("weakAlias") == ["CCCC"]


def test_continuation_for_uncut_remarks_is_ignored(
    tmp_path: Path, ofac_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # latest/sdn_comments.csv (Dec 2025) has a continuation for CHEIL CREDIT BANK,
    # whose remarks in latest/sdn.csv (May 2024) are only 281 characters long.
    latest = ofac_dir / "latest"
    (line,) = [b for b in (latest / "sdn.csv").read_bytes().splitlines() if b.startswith(b"22985,")]
    prim = tmp_path / "sdn.csv"
    prim.write_bytes(line + b"\r\n")
    comments = tmp_path / "sdn_comments.csv"
    comments.write_bytes((latest / "sdn_comments.csv").read_bytes())
    with caplog.at_level(logging.WARNING, logger="redline.sources.ofac"):
        (cheil, _sanction, *_wallets) = SDN.parse(_files(prim, comments=comments))
    assert cheil.get("name") == ["CHEIL CREDIT BANK"]
    (notes,) = cheil.get("notes")
    assert notes.endswith(".k.a. 'KYONGYONG CREDIT BANK'.")
    assert "ent_num 22985" in caplog.text
    assert "continuation ignored" in caplog.text


# --------------------------------------------------------------------------- spot checks


def test_vessel_field_by_field(sdn_2021: dict[str, EntityProxy]) -> None:
    vessel = sdn_2021["us_ofac_sdn-15036"]
    assert vessel.schema.name == "Vessel"
    assert vessel.get("name") == ["ARTAVIL"]
    assert vessel.get("callSign") == ["T2EU4"]
    assert vessel.get("type") == ["Crude/Oil Products Tanker"]
    assert vessel.get("tonnage") == ["99144"]
    assert vessel.get("grossRegisteredTonnage") == ["56068"]
    assert vessel.get("flag") == ["ir"]
    assert vessel.get("pastFlags") == ["mt", "tv", "tz"]
    assert vessel.get("imoNumber") == ["IMO9187629"]
    assert vessel.get("mmsi") == ["572469210"]
    assert vessel.get("program") == ["IRAN"]
    assert vessel.get("programId") == ["IRAN"]
    assert set(vessel.get("previousName")) == {"ABADAN", "SHONA", "ALPHA"}
    sanction = sdn_2021["us_ofac_sdn-15036-sanction"]
    assert sanction.get("entity") == ["us_ofac_sdn-15036"]
    assert sanction.get("provisions") == [
        "Additional Sanctions Information - Subject to Secondary Sanctions"
    ]


def test_vessel_owner_goes_to_notes(sdn_2021: dict[str, EntityProxy]) -> None:
    vessel = sdn_2021["us_ofac_sdn-4234"]
    assert vessel.schema.name == "Vessel"
    assert vessel.get("name") == ["HERMANN"]
    assert vessel.get("notes") == ["Vessel owner: Compania Navegacion Golfo S.A."]
    assert vessel.get("tonnage") == ["2597"]
    assert vessel.get("flag") == ["cu"]


def test_aircraft(sdn_2021: dict[str, EntityProxy]) -> None:
    plane = sdn_2021["us_ofac_sdn-15431"]
    assert plane.schema.name == "Airplane"
    assert plane.get("name") == ["EP-GOM"]
    assert plane.get("model") == ["IL76-TD"]
    assert plane.get("serialNumber") == ["1023409321"]
    assert plane.get("buildDate") == ["1992"]
    assert plane.get("topics") == ["sanction", "crime.terror"]


def test_individual_with_dob_nationality_passport(sdn_2021: dict[str, EntityProxy]) -> None:
    person = sdn_2021["us_ofac_sdn-26137"]
    assert person.schema.name == "Person"
    assert person.get("name") == ["KHORASHADIZADEH, Ali"]
    assert person.get("lastName") == ["KHORASHADIZADEH"]
    assert person.get("firstName") == ["Ali"]
    assert person.get("birthDate") == ["1979-09-21"]
    assert person.get("birthPlace") == ["Tehran, Iran"]
    assert person.get("nationality") == ["ir"]
    assert person.get("gender") == ["male"]
    assert person.get("passportNumber") == ["T14553558"]
    assert "iranvisacart@yahoo.com" in person.get("email")
    assert len(person.get("email")) == 5
    assert set(person.get("weakAlias")) == {"Mastercartaria", "Iranvisacart"}
    assert person.get("program") == ["CYBER2"]


def test_individual_name_with_suffix(sdn_2021: dict[str, EntityProxy]) -> None:
    person = sdn_2021["us_ofac_sdn-10851"]
    assert person.get("name") == ["DELOS REYES, Feliciano Semborio, Jr."]
    assert person.get("lastName") == ["DELOS REYES"]
    assert person.get("firstName") == ["Feliciano Semborio"]
    assert person.get("nameSuffix") == ["Jr."]
    assert person.get("birthDate") == ["1963-11-04"]
    assert person.get("nationality") == ["ph"]
    assert "crime.terror" in person.get("topics")


def test_title_is_position(sdn_2021: dict[str, EntityProxy]) -> None:
    judge = sdn_2021["us_ofac_sdn-23470"]
    assert judge.get("position") == ["Judge, Head of Tehran Revolutionary Court, Branch 15"]
    assert judge.get("birthDate") == ["1962", "1963"]
    assert judge.get("program") == ["IRAN", "IRAN-TRA"]


def test_crypto_wallets(sdn_2021: dict[str, EntityProxy]) -> None:
    wallets = [
        p
        for p in sdn_2021.values()
        if p.schema.name == "CryptoWallet" and p.get("holder") == ["us_ofac_sdn-25308"]
    ]
    assert len(wallets) == 6
    first = sdn_2021["us_ofac_sdn-25308-wallet-12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"]
    assert first.get("publicKey") == ["12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"]
    assert first.get("currencySymbol") == ["XBT"]
    assert not is_target(first)
    # 29703's addresses continue in sdn_comments.csv, across currencies.
    symbols = Counter(
        p.get("currencySymbol")[0]
        for p in sdn_2021.values()
        if p.schema.name == "CryptoWallet" and p.get("holder") == ["us_ofac_sdn-29703"]
    )
    assert symbols["LTC"] == 2
    assert symbols["ZEC"] == 1
    assert symbols["BSV"] == 1


def test_sanction_entity(sdn_2021: dict[str, EntityProxy]) -> None:
    sanction = sdn_2021["us_ofac_sdn-28264-sanction"]
    assert sanction.schema.name == "Sanction"
    assert sanction.get("entity") == ["us_ofac_sdn-28264"]
    assert sanction.get("authority") == ["US Treasury OFAC"]
    assert sanction.get("authorityId") == ["28264"]
    assert sanction.get("program") == ["DPRK3", "CYBER2"]
    assert sanction.get("programId") == ["DPRK3", "CYBER2"]
    assert len(sanction.get("provisions")) == 2
    person = sdn_2021["us_ofac_sdn-28264"]
    assert person.get("phone") == ["+8613314257947", "+8618004121000"]
    assert person.get("idNumber") == ["210302198701102136"]


def test_russian_entity_codes(sdn_latest: dict[str, EntityProxy]) -> None:
    company = sdn_latest["us_ofac_sdn-16806"]
    assert company.schema.name == "Organization"
    assert company.get("taxNumber") == ["7718989383"]
    assert company.get("innCode") == ["7718989383"]
    assert company.get("registrationNumber") == ["1147746803049"]
    assert company.get("ogrnCode") == ["1147746803049"]
    assert company.get("program") == ["UKRAINE-EO13661", "RUSSIA-EO14024"]


def test_bank_identifiers(sdn_2021: dict[str, EntityProxy]) -> None:
    bank = sdn_2021["us_ofac_sdn-906"]
    assert bank.get("swiftBic") == ["HAVIGB2L"]
    assert bank.get("registrationNumber") == ["01074897"]
    assert len(bank.get("website")) == 2


def test_cmic_company_in_cons(cons: dict[str, EntityProxy]) -> None:
    company = cons["us_ofac_cons-30882"]
    assert company.schema.name == "Company"
    assert "US1694261033" in company.get("isinCode")
    assert len(company.get("isinCode")) == 5
    assert "CHA US" in company.get("ticker")
    assert company.get("uscCode") == ["9111000071093019X7"]
    assert "China Telecom Corp Ltd" in company.get("alias")
    assert company.get("classification") == ["Public Company"]
    sanction = cons["us_ofac_cons-30882-sanction"]
    assert sanction.get("programId") == ["CMIC-EO13959"]
    assert sanction.get("listingDate") == ["2021-06-03"]
    assert sanction.get("startDate") == ["2021-08-02"]


# --------------------------------------------------------------------------- remarks


def test_parse_remarks_person_dates_and_weak_aliases() -> None:
    # ent_num 11748, sdn.csv
    remarks = parse_remarks(
        "nationality Somalia; DOB circa 1979-1982; alt. DOB 1982; "
        "a.k.a. 'MUSCAB, Abu'; a.k.a. 'QORGAB'."
    )
    assert remarks.values["nationality"] == ["so"]
    assert remarks.values["birthDate"] == ["1979", "1980", "1981", "1982"]
    assert remarks.values["weakAlias"] == ["MUSCAB, Abu", "QORGAB"]
    assert remarks.other == []


def test_parse_remarks_full_year_range_and_nested_quotes() -> None:
    # ent_num 17166, sdn.csv
    remarks = parse_remarks(
        "DOB 01 Jan 1973 to 31 Dec 1973; a.k.a. 'AL-RAHMAN, Abu Usamah'; "
        "a.k.a. 'ABU USAMA'; a.k.a. 'YUSUF'; a.k.a. 'KUWAITI, Abu Shaima''; "
        "a.k.a. 'AL-KUWAITI, Abu Usamah'."
    )
    assert remarks.values["birthDate"] == ["1973"]
    assert "KUWAITI, Abu Shaima'" in remarks.values["weakAlias"]
    assert len(remarks.values["weakAlias"]) == 5


def test_parse_remarks_odd_date_ranges() -> None:
    assert parse_remarks("DOB 26 Sep 1946 to 07 Dec 1946.").values["birthDate"] == ["1946"]
    remarks = parse_remarks(
        "DOB Mar 1962 to Feb 1963; POB Isfahan Province; Additional Sanctions "
        "Information - Subject to Secondary Sanctions; Gender Male; Judge, Head of "
        "Tehran Revolutionary Court, Branch 15."
    )
    assert remarks.values["birthDate"] == ["1962", "1963"]
    assert remarks.values["birthPlace"] == ["Isfahan Province"]
    assert remarks.values["gender"] == ["male"]
    assert remarks.sanction["provisions"] == [
        "Additional Sanctions Information - Subject to Secondary Sanctions"
    ]
    assert remarks.other == ["Judge, Head of Tehran Revolutionary Court, Branch 15"]


def test_parse_remarks_semicolon_without_space() -> None:
    # ent_num 7945: "nationality possibly Palestinian;arrested 23 Apr 2002."
    remarks = parse_remarks(
        "DOB 30 Apr 1973; POB Beckum, Germany; nationality Jordan; "
        "nationality possibly Palestinian;arrested 23 Apr 2002."
    )
    assert remarks.values["birthDate"] == ["1973-04-30"]
    assert remarks.values["nationality"] == ["jo", "ps"]
    assert remarks.other == ["arrested 23 Apr 2002"]


def test_parse_remarks_vessel() -> None:
    # ent_num 15036, sdn.csv
    remarks = parse_remarks(
        "Former Vessel Flag Malta; alt. Former Vessel Flag Tuvalu; alt. Former Vessel "
        "Flag None Identified; alt. Former Vessel Flag Tanzania; Additional Sanctions "
        "Information - Subject to Secondary Sanctions; Vessel Registration "
        "Identification IMO 9187629; MMSI 572469210; f.k.a. 'ALPHA'; Linked To: "
        "NATIONAL IRANIAN TANKER COMPANY."
    )
    assert remarks.values["pastFlags"] == ["mt", "tv", "tz"]
    assert remarks.values["imoNumber"] == ["9187629"]
    assert remarks.values["mmsi"] == ["572469210"]
    assert remarks.values["previousName"] == ["ALPHA"]
    assert "Linked To: NATIONAL IRANIAN TANKER COMPANY" in remarks.other
    assert "Former Vessel Flag None Identified" in remarks.other


def test_parse_remarks_crypto_and_contacts() -> None:
    # ent_num 29703, sdn_comments.csv (continuation text)
    remarks = parse_remarks(
        "Digital Currency Address - LTC LWnbjLYUfqeokfbWM4FcU7uk2FP2DSxuWS; alt. "
        "Digital Currency Address - LTC LaYUy1DGfVSuSF5KbPhbLrm8kRotqiwUJn; Digital "
        "Currency Address - ZEC t1WSKwCDL1QYRRUrCCknEs5tDLhtGVYu9KM; Phone Number "
        "79315403678; Passport 4005504207 (Russia)."
    )
    assert remarks.wallets == [
        ("LTC", "LWnbjLYUfqeokfbWM4FcU7uk2FP2DSxuWS"),
        ("LTC", "LaYUy1DGfVSuSF5KbPhbLrm8kRotqiwUJn"),
        ("ZEC", "t1WSKwCDL1QYRRUrCCknEs5tDLhtGVYu9KM"),
    ]
    assert remarks.values["phone"] == ["+79315403678"]
    assert remarks.values["passportNumber"] == ["4005504207"]


def test_parse_remarks_company_identifiers() -> None:
    # ent_num 16806 (latest/sdn.csv) and 906, 28798 (sdn.csv)
    remarks = parse_remarks(
        "Secondary sanctions risk: Ukraine-/Russia-Related Sanctions Regulations, "
        "31 CFR 589.201 and/or 589.209; Tax ID No. 7718989383 (Russia); "
        "Registration Number 1147746803049 (Russia)."
    )
    assert remarks.values["taxNumber"] == ["7718989383"]
    assert remarks.values["innCode"] == ["7718989383"]
    assert remarks.values["registrationNumber"] == ["1147746803049"]
    assert remarks.values["ogrnCode"] == ["1147746803049"]
    assert len(remarks.sanction["provisions"]) == 1
    bank = parse_remarks(
        "SWIFT/BIC HAVIGB2L; Website www.havanaintbank.co.uk; alt. Website "
        "www.hib.uk.com; Company Number 01074897 (United Kingdom)."
    )
    assert bank.values["swiftBic"] == ["HAVIGB2L"]
    assert bank.values["website"] == ["www.havanaintbank.co.uk", "www.hib.uk.com"]
    assert bank.values["registrationNumber"] == ["01074897"]
    founded = parse_remarks(
        "Organization Established Date 17 Dec 2016; Business Registration Number 17951 (Syria)."
    )
    assert founded.values["incorporationDate"] == ["2016-12-17"]
    assert founded.values["registrationNumber"] == ["17951"]


def test_parse_remarks_empty() -> None:
    for text in (None, "", "-0- "):
        remarks = parse_remarks(text)
        assert not remarks.values
        assert not remarks.wallets
        assert not remarks.other


def test_value_helpers() -> None:
    assert split_identifier("L 191609 issued 28 Feb 1996 expires 27 Feb 2001") == (
        "L 191609",
        None,
    )
    assert split_identifier("HRA 738077 (Stuttgart) (Germany)") == ("HRA 738077", "de")
    assert split_identifier("(5777731)") == ("5777731", None)
    assert split_identifier("T14553558 (Iran) issued 28 Oct 2008") == ("T14553558", "ir")
    assert parse_dates("10 Oct 1952") == ["1952-10-10"]
    assert parse_dates("Oct 1952") == ["1952-10"]
    assert parse_dates("circa 1952") == ["1952"]
    assert parse_dates("01 Jan 1950 to 31 Dec 1952") == ["1950", "1951", "1952"]
    assert parse_dates("2922") == []
    assert parse_dates("unknown") == []
    assert split_programs("IRAN] [SDGT] [IRGC] [IFSR") == ["IRAN", "SDGT", "IRGC", "IFSR"]
    assert split_programs("-0- ") == []
    assert country_code("Korea, North") == "kp"
    assert country_code("Region: Crimea") == "ua-cri"
    assert country_code("undetermined") is None
    assert normalise_phone("(98)(21)(66153220)") == "+982166153220"
    assert normalise_phone("0097282851500") == "+97282851500"


# --------------------------------------------------------------------------- bad input


def _files(prim: Path, **others: Path) -> SourceFiles:
    roles = {"prim": prim, **others}
    return SourceFiles(source="us_ofac_sdn", files=tuple(roles.values()), roles=roles)


def _head(path: Path, count: int) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)[:count]


def _parse_error(files: SourceFiles) -> SourceError:
    with pytest.raises(SourceError) as info:
        list(SDN.parse(files))
    return info.value


def test_truncated_row(tmp_path: Path, ofac_dir: Path) -> None:
    lines = _head(ofac_dir / "sdn.csv", 10)
    lines[6] = lines[6][:40] + b"\r\n"  # cut mid-record: fewer than 12 fields
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(lines))
    error = _parse_error(_files(path))
    assert error.path == path
    assert error.line == 7
    assert "expected 12 fields" in str(error)
    assert f"{path}, line 7" in str(error)


def test_unterminated_quote(tmp_path: Path, ofac_dir: Path) -> None:
    lines = _head(ofac_dir / "sdn.csv", 10)
    assert lines[2].startswith(b'306,"BANCO NACIONAL DE CUBA"')
    lines[2] = lines[2].replace(b'"BANCO NACIONAL DE CUBA"', b'"BANCO NACIONAL DE CUBA')
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(lines))
    error = _parse_error(_files(path))
    assert error.line == 3
    assert "sdn.csv, line 3" in str(error)


def test_unterminated_quote_at_end_of_file(tmp_path: Path, ofac_dir: Path) -> None:
    lines = _head(ofac_dir / "sdn.csv", 5)
    lines[4] = b'535,"CIMEX'
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(lines))
    error = _parse_error(_files(path))
    assert error.line == 5


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"")
    error = _parse_error(_files(path))
    assert error.line == 1
    assert "empty" in str(error)
    path.write_bytes(b"\x1a")  # only OFAC's end-of-file byte
    assert "empty" in str(_parse_error(_files(path)))


def test_un_xml_given_as_sdn_csv(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(_head(shared_data / "un" / "consolidated.xml", 50)))
    assert SDN.detect(tmp_path) is None
    error = _parse_error(_files(path))
    assert error.line == 1
    assert "XML" in str(error)
    assert "sdn.csv, line 1" in str(error)


def test_other_csv_given_as_sdn_csv(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(_head(shared_data / "us_csl" / "csl_sample_2025.csv", 5)))
    error = _parse_error(_files(path))
    assert error.line == 1
    assert "not an OFAC prim CSV file" in str(error)


def test_alt_file_given_as_primary(tmp_path: Path, ofac_dir: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(_head(ofac_dir / "alt.csv", 5)))
    error = _parse_error(_files(path))
    assert error.line == 1
    assert "expected 12 fields, found 5" in str(error)


def test_broken_alt_file(tmp_path: Path, ofac_dir: Path) -> None:
    prim = tmp_path / "sdn.csv"
    prim.write_bytes(b"".join(_head(ofac_dir / "sdn.csv", 5)))
    alt = tmp_path / "alt.csv"
    lines = _head(ofac_dir / "alt.csv", 5)
    lines[3] = lines[3].replace(b'"aka"', b'"xyz"')
    alt.write_bytes(b"".join(lines))
    error = _parse_error(_files(prim, alt=alt))
    assert error.path == alt
    assert error.line == 4
    assert "alt_type" in str(error)


def test_ctrl_z_inside_file(tmp_path: Path, ofac_dir: Path) -> None:
    lines = _head(ofac_dir / "sdn.csv", 5)
    lines.insert(2, b"\x1a\r\n")
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"".join(lines))
    error = _parse_error(_files(path))
    assert error.line == 3
    assert "0x1A" in str(error)


def test_small_file_with_and_without_ctrl_z(tmp_path: Path, ofac_dir: Path) -> None:
    path = tmp_path / "sdn.csv"
    lines = _head(ofac_dir / "sdn.csv", 4)
    for tail in (b"\x1a", b""):
        path.write_bytes(b"".join(lines) + tail)
        targets = [p for p in SDN.parse(_files(path)) if is_target(p)]
        assert [p.context["source_id"] for p in targets] == ["36", "173", "306", "424"]


def test_missing_primary_file(tmp_path: Path) -> None:
    alt = tmp_path / "alt.csv"
    alt.write_text('36,12,"aka","AERO-CARIBBEAN",-0- \r\n')
    files = SourceFiles(source="us_ofac_sdn", files=(alt,), roles={"alt": alt})
    with pytest.raises(SourceError, match=r"sdn\.csv"):
        list(SDN.parse(files))


def test_one_wallet_per_address(sdn_2021: dict[str, EntityProxy]) -> None:
    # ent_num 29585 lists 0xd882...344b as both ETH and ETC.
    wallet = sdn_2021["us_ofac_sdn-29585-wallet-0xd882cfc20f52f2599d84b8e8d58c7fb62cfe344b"]
    assert wallet.get("currencySymbol") == ["ETH", "ETC"]
    assert wallet.get("holder") == ["us_ofac_sdn-29585"]
