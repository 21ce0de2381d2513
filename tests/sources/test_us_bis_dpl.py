"""The BIS Denied Persons List parser, on the real 2022 ``dpl.txt``."""

from __future__ import annotations

import csv
import logging
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from redline.sources.base import SourceError, SourceFiles
from redline.sources.us_bis_dpl import US_BIS_DPL, classify, party_key, split_names
from redline.sources.us_trade_csl import name_hash
from redline.sources.util import is_target, source_id_of


def _files(path: Path) -> SourceFiles:
    return SourceFiles("us_bis_dpl", (path,), roles={"dpl": path})


def _parse(path: Path) -> list[EntityProxy]:
    return list(US_BIS_DPL.parse(_files(path)))


@pytest.fixture(scope="module")
def dpl_path(shared_data: Path) -> Path:
    return shared_data / "bis" / "dpl.txt"


@pytest.fixture(scope="module")
def entities(dpl_path: Path) -> list[EntityProxy]:
    return _parse(dpl_path)


@pytest.fixture(scope="module")
def by_name(entities: list[EntityProxy]) -> dict[str, EntityProxy]:
    return {t.first("name") or "": t for t in entities if is_target(t)}


@pytest.fixture(scope="module")
def by_id(entities: list[EntityProxy]) -> dict[str, EntityProxy]:
    return {str(e.id): e for e in entities}


def _sanction(by_id: dict[str, EntityProxy], target: EntityProxy) -> EntityProxy:
    return by_id[f"{target.id}-sanction"]


# ----------------------------------------------------------------- metadata


def test_source_metadata() -> None:
    assert US_BIS_DPL.name == "us_bis_dpl"
    assert US_BIS_DPL.title == "US BIS Denied Persons List"
    (download,) = US_BIS_DPL.downloads
    assert (download.url, download.filename) == ("https://www.bis.doc.gov/dpl/dpl.txt", "dpl.txt")


def test_detect(shared_data: Path, tmp_path: Path) -> None:
    found = US_BIS_DPL.detect(shared_data / "bis")
    assert found is not None
    assert found.files == (shared_data / "bis" / "dpl.txt",)
    assert US_BIS_DPL.detect(shared_data / "us_csl") is None
    assert US_BIS_DPL.detect(shared_data) is None  # not recursive
    # Right name, wrong content: a CSL file saved as dpl.txt.
    (tmp_path / "dpl.txt").write_bytes(
        (shared_data / "us_csl" / "csl_sample_2025.csv").read_bytes()
    )
    assert US_BIS_DPL.detect(tmp_path) is None


def test_published_is_latest_plausible_update(dpl_path: Path) -> None:
    # 2922-09-01 and 3017-08-22 are later as strings but are typos.
    assert US_BIS_DPL.published(_files(dpl_path)) == date(2022, 9, 2)


# ------------------------------------------------------------------ counts


def test_one_target_per_party(dpl_path: Path, entities: list[EntityProxy]) -> None:
    with dpl_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) == 581
    keys = {party_key(r["Name"]) for r in rows}
    # 460 raw names; " I. ASH" and "I. ASH" are one party -> 459, as the README counts.
    assert len({r["Name"] for r in rows}) == 460
    assert len(keys) == 459
    targets = [e for e in entities if is_target(e)]
    sanctions = [e for e in entities if e.schema.name == "Sanction"]
    assert len(targets) == 459
    assert len(sanctions) == 459
    assert len(entities) == 918
    assert len({e.id for e in entities}) == 918
    # Every row's address ends up on its party; repeated addresses collapse.
    columns = ("Street_Address", "City", "State", "Postal_Code", "Country")
    addresses = {
        (party_key(r["Name"]), tuple(" ".join(r[c].split()) for c in columns)) for r in rows
    }
    assert len(addresses) == 579
    assert sum(len(t.get("address")) for t in targets) == len(addresses)


def test_schemas_on_positive_evidence(entities: list[EntityProxy]) -> None:
    targets = [e for e in entities if is_target(e)]
    assert Counter(t.schema.name for t in targets) == {
        "LegalEntity": 335,
        "Company": 70,
        "Organization": 39,
        "Person": 15,
    }


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("AIR FREIGHT LTD", "Company"),
        ("COTRICOM S.A.", "Company"),
        ("YARRA ANSTALT A.G.", "Company"),
        ("ELECMAT, INC.", "Company"),
        ("MYNET.NET CORP", "Company"),
        ("MAHAN AIRWAYS", "Organization"),
        ("GLOBE TRADE", "Organization"),
        ("SYNAPTIX.NET", "Organization"),
        ("HASA-INVEST", "Organization"),
        ("ABEL HERNANDEZ, JR.", "Person"),
        ("MR. JULIO CESAR VEGA-AMARAL", "Person"),
        ("CAPTAIN ELYAZGI", "Person"),
        ("AARON ABRAHAM VILLA", "LegalEntity"),
        ("I. ASH", "LegalEntity"),
        # A real company with no tell-tale word stays LegalEntity, never Person.
        ("TECHONWEB", "LegalEntity"),
        ("AVIASTAR - TU", "LegalEntity"),
    ],
)
def test_classify(name: str, schema: str, by_name: dict[str, EntityProxy]) -> None:
    assert classify(name) == schema
    assert by_name[name].schema.name == schema


# ------------------------------------------------------------ spot checks


def test_leading_space_and_several_orders(
    by_name: dict[str, EntityProxy], by_id: dict[str, EntityProxy]
) -> None:
    ash = by_name["I. ASH"]
    assert ash.id == f"us_bis_dpl-{name_hash('i. ash')}"
    assert source_id_of(ash) == "I. ASH"
    assert ash.get("programId") == ["DPL"]
    assert sorted(ash.get("topics")) == ["debarment", "export.control"]
    assert sorted(ash.get("address")) == [
        "605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081, US",
        "908 AUDELIA ROAD, SUITE 200 #245, RICHARDSON, TX, 75081, US",
        "UPON THE DATE OF THE ORDER INCARCERATED AT USM NO: 26265-177, FCI SEAGOVILLE, "
        "2113 NORTH HIGHWAY 175, SEAGOVILLE, TX, 75159, US",
    ]
    sanction = _sanction(by_id, ash)
    assert sanction.get("entity") == [ash.id]
    assert sorted(sanction.get("listingDate")) == ["2002-03-04", "2003-06-19"]
    assert sanction.get("endDate") == ["2056-06-29"]
    assert sorted(sanction.get("modifiedAt")) == ["2006-07-11", "2007-01-31"]
    assert "50 YEAR DENIAL" in sanction.get("provisions")
    assert "Standard order: Y" in sanction.get("provisions")
    assert "68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06 72 F.R. 4236 1/30/07" in sanction.get(
        "reason"
    )
    assert sanction.get("authority") == [
        "US Department of Commerce, Bureau of Industry and Security"
    ]
    assert sanction.get("authorityId") == []  # the DPL has no id of its own


def test_simple_entry(by_name: dict[str, EntityProxy], by_id: dict[str, EntityProxy]) -> None:
    villa = by_name["AARON ABRAHAM VILLA"]
    assert villa.get("address") == ["3415 RIVERA AVENUE, EL PASO, TX, 79905"]
    assert villa.get("country") == ["us"]  # empty Country, State TX
    sanction = _sanction(by_id, villa)
    assert sanction.get("listingDate") == ["2022-08-24"]
    assert sanction.get("endDate") == ["2026-01-14"]
    assert sanction.get("modifiedAt") == ["2022-08-29"]
    assert sanction.get("reason") == ["87 F.R. 52741 8/29/2022"]
    assert sanction.get("program") == ["Denied Persons List"]
    assert sanction.get("programId") == ["DPL"]


def test_typo_dates_rejected(
    by_name: dict[str, EntityProxy],
    by_id: dict[str, EntityProxy],
    dpl_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    knokke = _sanction(by_id, by_name["KNOKKE-HEIST SUPPORT CORPORATION MANAGEMENT"])
    assert knokke.get("modifiedAt") == ["2022-09-01"]  # its other row says 2922-09-01
    zadeh = _sanction(by_id, by_name["MANSOUR ZADEH"])
    assert zadeh.get("modifiedAt") == ["2017-08-22"]  # its other row says 3017-08-22
    naser = _sanction(by_id, by_name["AL-NASER AIRLINES"])
    assert naser.get("modifiedAt") == ["2022-05-18"]  # its other row says 0222-05-18
    every = [d for e in by_id.values() if e.schema.name == "Sanction" for d in e.get("modifiedAt")]
    assert max(every) == "2022-09-02"
    with caplog.at_level(logging.WARNING, logger="redline.sources.us_bis_dpl"):
        _parse(dpl_path)
    rejected = [r.getMessage() for r in caplog.records if "rejected" in r.getMessage()]
    assert len(rejected) == 3
    assert any("line 306" in m and "2922-09-01" in m for m in rejected)
    assert any("line 343" in m and "3017-08-22" in m for m in rejected)


def test_countries(by_name: dict[str, EntityProxy]) -> None:
    assert by_name["JOHNSON HU"].get("country") == ["cn"]  # Country "PRC"
    assert by_name["STEPHEN EDWARD SMITH"].get("country") == ["us"]  # New Mexico in Country
    # Cyprus misfiled in State: not a US state, so no guess (only the US NC address counts).
    zadeh = by_name["MANSOUR ZADEH"]
    assert zadeh.get("country") == ["us"]
    assert len(zadeh.get("address")) == 4
    assert by_name["KNOKKE-HEIST SUPPORT CORPORATION MANAGEMENT"].get("country") == ["be"]


def test_aliases_spelled_into_names(by_name: dict[str, EntityProxy]) -> None:
    sun = by_name["FUYI SUN"]
    assert sun.get("alias") == ["FRANK SUN"]
    assert source_id_of(sun) == "FUYI SUN A/K/A FRANK SUN"
    assert by_name["PEARL LI"].get("alias") == ["NEI-CHIEN CHU"]
    s7 = by_name["SIBERIAN AIRLINES"]
    assert s7.get("alias") == ["S7 AIRLINES"]
    assert s7.schema.name == "Organization"
    assert split_names("X Y") == ("X Y", [])


def test_party_key_is_stable() -> None:
    assert party_key(" I. ASH") == party_key("I.  ash ") == "i. ash"
    assert name_hash(party_key(" I. ASH")) == name_hash("i. ash")
    # A slug would merge these two separate entries; the digest keeps them apart.
    assert party_key("AL-NASER AIRLINES") != party_key("AL NASER AIRLINES")


# --------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="empty file") as err:
        _parse(path)
    assert err.value.path == path


def test_wrong_field_count(dpl_path: Path, tmp_path: Path) -> None:
    lines = dpl_path.read_text(encoding="utf-8").split("\n")
    lines[99] = lines[99].rsplit("\t", 1)[0]  # line 100 loses FR_Citation
    path = tmp_path / "dpl.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="expected 12 fields, found 11") as err:
        _parse(path)
    assert err.value.line == 100
    assert str(path) in str(err.value)


def test_unterminated_quote(dpl_path: Path, tmp_path: Path) -> None:
    lines = dpl_path.read_text(encoding="utf-8").split("\n")
    lines[199] = lines[199][:-1]  # line 200 loses its closing quote
    path = tmp_path / "dpl.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        _parse(path)
    assert err.value.line == 200


def test_file_of_another_source(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "dpl.txt"
    path.write_bytes((shared_data / "us_csl" / "csl_sample_2019.csv").read_bytes())
    with pytest.raises(SourceError, match="not a BIS DPL file") as err:
        _parse(path)
    assert err.value.line == 1


def test_row_without_name(dpl_path: Path, tmp_path: Path) -> None:
    lines = dpl_path.read_text(encoding="utf-8").split("\n")
    lines[2] = '""' + lines[2][lines[2].index("\t") :]
    path = tmp_path / "dpl.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match="no name") as err:
        _parse(path)
    assert err.value.line == 3
