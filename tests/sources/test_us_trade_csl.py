"""The trade.gov Consolidated Screening List parser, on the two real CSL samples."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from redline.sources.base import SourceError, SourceFiles
from redline.sources.us_trade_csl import (
    OTHER,
    SOURCE_CODES,
    US_TRADE_CSL,
    IdItem,
    parse_id_item,
    source_code,
)
from redline.sources.util import is_target, source_id_of

CSL_2025 = "csl_sample_2025.csv"
CSL_2019 = "csl_sample_2019.csv"


def _files(path: Path) -> SourceFiles:
    return SourceFiles("us_trade_csl", (path,), roles={"consolidated": path})


def _parse(path: Path) -> list[EntityProxy]:
    return list(US_TRADE_CSL.parse(_files(path)))


def _by_id(entities: list[EntityProxy]) -> dict[str, EntityProxy]:
    return {str(e.id): e for e in entities}


def _target_named(entities: list[EntityProxy], name: str) -> EntityProxy:
    found = [e for e in entities if is_target(e) and name in e.get("name")]
    assert len(found) == 1, f"{name}: {len(found)} targets"
    return found[0]


@pytest.fixture(scope="module")
def csl_dir(shared_data: Path) -> Path:
    return shared_data / "us_csl"


@pytest.fixture(scope="module")
def csl2025(csl_dir: Path) -> list[EntityProxy]:
    return _parse(csl_dir / CSL_2025)


@pytest.fixture(scope="module")
def csl2019(csl_dir: Path) -> list[EntityProxy]:
    return _parse(csl_dir / CSL_2019)


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# ----------------------------------------------------------------- metadata


def test_source_metadata() -> None:
    assert US_TRADE_CSL.name == "us_trade_csl"
    assert US_TRADE_CSL.publisher.endswith("International Trade Administration")
    (download,) = US_TRADE_CSL.downloads
    assert download.filename == "consolidated.csv"
    assert download.url.startswith("https://data.trade.gov/")


def test_published_is_none(csl_dir: Path) -> None:
    assert US_TRADE_CSL.published(_files(csl_dir / CSL_2025)) is None


# ------------------------------------------------------------------ detect


def test_detect_takes_last_csl_file(csl_dir: Path) -> None:
    found = US_TRADE_CSL.detect(csl_dir)
    assert found is not None
    assert found.files == (csl_dir / CSL_2025,)
    assert found.roles == {"consolidated": csl_dir / CSL_2025}


def test_detect_prefers_consolidated_csv(csl_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "csl_zzz.csv").write_bytes((csl_dir / CSL_2025).read_bytes())
    (tmp_path / "consolidated.csv").write_bytes((csl_dir / CSL_2019).read_bytes())
    found = US_TRADE_CSL.detect(tmp_path)
    assert found is not None
    assert found.files == (tmp_path / "consolidated.csv",)


def test_detect_refuses_other_sources(shared_data: Path, tmp_path: Path) -> None:
    assert US_TRADE_CSL.detect(shared_data / "ofac") is None
    assert US_TRADE_CSL.detect(shared_data / "bis") is None
    assert US_TRADE_CSL.detect(shared_data) is None  # not recursive
    # Right name, wrong content (OFAC's header-less sdn.csv).
    (tmp_path / "consolidated.csv").write_bytes((shared_data / "ofac" / "sdn.csv").read_bytes())
    assert US_TRADE_CSL.detect(tmp_path) is None


# ------------------------------------------------------------- 2025 sample


def test_2025_counts(csl2025: list[EntityProxy]) -> None:
    targets = [e for e in csl2025 if is_target(e)]
    sanctions = [e for e in csl2025 if e.schema.name == "Sanction"]
    assert len(targets) == 13
    assert len(sanctions) == 13
    assert len(csl2025) == 26
    codes = Counter(t.first("programId") for t in targets)
    assert codes == {
        "SSI": 3,
        "PLC": 2,
        "ISN": 1,
        "UVL": 1,
        "MEU": 1,
        "SDN": 1,
        "DTC": 1,
        "DPL": 1,
        "FSE": 1,
        "EL": 1,
    }
    assert Counter(t.schema.name for t in targets) == {
        "LegalEntity": 6,
        "Person": 4,
        "Organization": 3,
    }


@pytest.mark.parametrize(
    ("name", "code", "authority"),
    [
        (
            "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)",
            "EL",
            "Entity List (EL) - Bureau of Industry and Security",
        ),
        ("Atlas Sanatgaran", "UVL", "Unverified List (UVL) - Bureau of Industry and Security"),
        (
            "Academy of Aerospace Solid Propulsion Technology (AASPT)",
            "MEU",
            "Military End User (MEU) List - Bureau of Industry and Security",
        ),
    ],
)
def test_2025_bis_lists_are_marked(
    csl2025: list[EntityProxy], name: str, code: str, authority: str
) -> None:
    target = _target_named(csl2025, name)
    assert target.get("programId") == [code]
    assert target.get("topics") == ["export.control"]
    sanction = _by_id(csl2025)[f"{target.id}-sanction"]
    assert sanction.get("programId") == [code]
    assert sanction.get("authority") == [authority]
    assert sanction.get("entity") == [target.id]


def test_2025_entity_list_entry(csl2025: list[EntityProxy]) -> None:
    target = _target_named(
        csl2025, "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"
    )
    assert target.id == "us_trade_csl-99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"
    assert source_id_of(target) == "99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"
    assert target.schema.name == "LegalEntity"
    # The last alias is written "and CETC Research Institute 13".
    assert target.get("alias") == [
        "Hebei Semiconductor Research Institute",
        "HSRI",
        "Hebei Institute of Semiconductors",
        "Hebei Semiconductor Institute",
        "Hebei Semiconductor",
        "CETC Research Institute 13",
    ]
    assert len(target.get("address")) == 3
    assert target.get("address")[1] == "21 Changsheng Street, Shijiazhuang, Hebei, China"
    assert target.get("country") == ["cn"]
    sanction = _by_id(csl2025)[f"{target.id}-sanction"]
    assert sanction.get("listingDate") == ["2018-08-01"]
    assert sanction.get("reason") == ["83 FR 37423; 87 FR 77505"]
    assert any(p.startswith("License policy: Policy of denial") for p in sanction.get("provisions"))


def test_2025_sdn_person(csl2025: list[EntityProxy]) -> None:
    target = _by_id(csl2025)["us_trade_csl-52291"]
    assert target.schema.name == "Person"
    assert target.get("name") == ["RIM, Ryong Nam"]
    assert target.get("programId") == ["SDN"]
    assert target.get("program") == ["NPWMD"]
    assert target.get("topics") == ["sanction"]
    assert target.get("birthDate") == ["1978-12-05"]
    assert target.get("nationality") == ["kp"]
    assert target.get("passportNumber") == ["836238033"]
    assert target.get("gender") == ["male"]
    assert target.get("address") == ["Shenyang, CN", "Pyongyang, KP"]
    assert sorted(target.get("country")) == ["cn", "kp"]
    sanction = _by_id(csl2025)["us_trade_csl-52291-sanction"]
    assert sanction.get("authorityId") == ["52291"]
    assert sanction.get("program") == ["NPWMD"]
    assert (
        "Secondary sanctions risk: North Korea Sanctions Regulations, sections 510.201 and 510.210"
        in sanction.get("provisions")
    )


def test_2025_ssi_identifiers(csl2025: list[EntityProxy]) -> None:
    bank = _by_id(csl2025)["us_trade_csl-18283"]
    assert bank.schema.name == "Organization"
    assert bank.get("registrationNumber") == ["1027739108649"]
    assert bank.get("swiftBic") == ["RUDVRUMM"]
    assert bank.get("website") == ["http://mspbank.ru/"]
    assert len(bank.get("alias")) == 5
    assert bank.get("address") == ["79 ul. Sadovnicheskaya, Moscow, 115035, RU"]
    tnk = _by_id(csl2025)["us_trade_csl-28603"]
    assert tnk.get("program") == ["VENEZUELA-EO13850", "UKRAINE-EO13662"]
    assert tnk.get("vatCode") == ["CHE-267.936.404"]
    assert tnk.get("registrationNumber") == ["CH-660.0.559.011-2"]
    rosneft = _by_id(csl2025)["us_trade_csl-18300"]
    assert rosneft.get("email") == ["hrm@rosneft-sh.com.cy"]
    assert rosneft.get("alias") == ["TNK TRADE LIMITED"]


def test_2025_other_lists(csl2025: list[EntityProxy]) -> None:
    isn = _target_named(csl2025, "Sinobright Import and Export Company")
    assert isn.get("programId") == ["ISN"]
    assert isn.get("program") == ["INKSNA"]
    assert isn.get("notes") == ["and any successor, sub-unit, or subsidiary thereof"]
    dtc = _target_named(csl2025, "Cesareo Estanislao Benitez")
    assert dtc.get("programId") == ["DTC"]
    assert sorted(dtc.get("topics")) == ["debarment", "export.control"]
    dpl = _target_named(csl2025, "I. ASH")
    sanction = _by_id(csl2025)[f"{dpl.id}-sanction"]
    assert sanction.get("listingDate") == ["2002-03-04"]
    assert sanction.get("endDate") == ["2056-06-29"]  # far future, but real
    assert "Standard order: Y" in sanction.get("provisions")
    fse = _by_id(csl2025)["us_trade_csl-26182"]
    assert fse.get("programId") == ["FSE"]
    assert fse.get("citizenship") == ["tr"]
    assert fse.get("country") == ["tr"]
    assert fse.get("address") == []  # a bare "TR" is a country, not an address


# ------------------------------------------------------------- 2019 sample


def test_2019_counts(csl_dir: Path, csl2019: list[EntityProxy]) -> None:
    targets = [e for e in csl2019 if is_target(e)]
    # 115 rows; the old CSL repeats a party per address: AL NASER WINGS AIRLINES
    # (DPL, 2 rows) and Gunther Migeotte (Entity List, 5 rows) are one target each.
    assert len(targets) == 115 - 1 - 4
    assert sum(1 for e in csl2019 if e.schema.name == "Sanction") == len(targets)
    rows = Counter(source_code(t) for t in _column(csl_dir / CSL_2019, "source"))
    assert len(rows) == 9
    assert rows == {
        "SDN": 28,
        "SSI": 26,
        "EL": 22,
        "PLC": 13,
        "DTC": 10,
        "DPL": 8,
        "UVL": 4,
        "ISN": 3,
        "CAP": 1,
    }
    codes = Counter(t.first("programId") for t in targets)
    assert codes == {**rows, "EL": 18, "DPL": 7}
    assert Counter(t.schema.name for t in targets) == {
        "Organization": 46,
        "LegalEntity": 42,
        "Person": 20,
        "Vessel": 2,
    }


def _column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.DictReader(handle)]


def test_2019_merges_rows_of_one_party(csl2019: list[EntityProxy]) -> None:
    migeotte = _target_named(csl2019, "Gunther Migeotte")
    assert migeotte.id is not None and migeotte.id.startswith("us_trade_csl-EL-")
    assert len(migeotte.get("address")) == 8
    assert sorted(migeotte.get("country")) == ["no", "za"]
    sanction = _by_id(csl2019)[f"{migeotte.id}-sanction"]
    assert sorted(sanction.get("listingDate")) == [
        "2010-06-28",
        "2010-06-29",
        "2010-06-30",
        "2010-07-01",
    ]
    # No list id: the hash is ours and is not passed off as the authority's.
    assert sanction.get("authorityId") == []
    wings = _target_named(csl2019, "AL NASER WINGS AIRLINES")
    assert wings.get("programId") == ["DPL"]
    assert len(wings.get("address")) == 3
    assert sorted(wings.get("country")) == ["ae", "iq"]


def test_2019_ids_value_first_order(csl2019: list[EntityProxy]) -> None:
    """The 2019 ``ids`` cell is ``[CC, ]value, Type``."""
    by_id = _by_id(csl2019)
    assert by_id["us_trade_csl-20264"].get("taxNumber") == ["80-0890696"]
    assert by_id["us_trade_csl-20264"].get("name") == ["200G PSA HOLDINGS LLC"]
    achim = _target_named(csl2019, "ACHIM DEVELOPMENT, OOO")
    assert achim.get("registrationNumber") == ["1148904001971"]
    assert achim.get("okpoCode") == ["32131525"]
    assert achim.get("taxNumber") == ["8904075533"]
    sanction = by_id[f"{achim.id}-sanction"]
    assert "Executive Order 13662 Directive Determination: Subject to Directive 4" in sanction.get(
        "provisions"
    )


def test_2019_vessels(csl2019: list[EntityProxy]) -> None:
    vessel = _by_id(csl2019)["us_trade_csl-23156"]
    assert vessel.schema.name == "Vessel"
    assert vessel.get("name") == ["7-28"]
    assert vessel.get("imoNumber") == ["IMO8898831"]
    assert vessel.get("flag") == ["kp"]
    tanker = _by_id(csl2019)["us_trade_csl-27304"]
    assert tanker.get("type") == ["Crude Oil Tanker"]
    assert tanker.get("flag") == ["ir"]
    assert tanker.get("pastFlags") == ["pa"]
    assert tanker.get("alias") == ["GRACE 1"]


def test_2019_windows_1252_remnant_repaired(csl2019: list[EntityProxy]) -> None:
    target = _target_named(csl2019, "A. Leib Ltd.")
    assert target.get("address") == ["HA\u2019Assif 19, Binyamina, IL"]


def test_2019_person_fields(csl2019: list[EntityProxy]) -> None:
    akbari = _by_id(csl2019)["us_trade_csl-27271"]
    assert akbari.get("birthDate") == ["1967-10-31"]
    assert akbari.get("passportNumber") == ["21795618"]
    assert "ALI-AKBARI, Mohammadreza" in akbari.get("alias")
    minister = _by_id(csl2019)["us_trade_csl-15205"]
    assert minister.get("name") == ["AHED AL-ZOUBI, Omran"]
    assert minister.get("position") == ["Minister of Information"]
    assert minister.get("birthDate") == ["1959"]
    assert minister.get("birthPlace") == ["Damascus, Syria"]
    people = [t for t in csl2019 if t.schema.name == "Person"]
    two_years = [t for t in people if len(t.get("birthDate")) == 2]
    assert [sorted(t.get("birthDate")) for t in two_years] == [["1974", "1975"]]


def test_same_entry_parsed_the_same_from_both_column_sets(
    csl2025: list[EntityProxy], csl2019: list[EntityProxy]
) -> None:
    """PLC 9673 is in both files; with and without ``_id`` it gets one id and one reading.

    Only the publisher's name order changed between the two years (``ABU JHEISHEH,
    Mohammed`` in 2019, ``Mohammed ABU JHEISHEH`` in 2025); the names are kept as written.
    """
    new = _by_id(csl2025)["us_trade_csl-9673"]
    old = _by_id(csl2019)["us_trade_csl-9673"]
    assert new.schema.name == old.schema.name == "Person"
    assert source_id_of(new) == source_id_of(old) == "9673"
    for prop in ("birthDate", "birthPlace", "program", "programId", "topics", "notes"):
        assert new.get(prop) == old.get(prop), prop
    assert new.get("name") == ["Mohammed ABU JHEISHEH"]
    assert old.get("name") == ["ABU JHEISHEH, Mohammed"]
    assert new.get("alias") == ["Mohammad Mutlaq ABU JHESHEH", "Mohammed ABU JEHEISHA"]
    assert old.get("alias") == ["ABU JHESHEH, Mohammad Mutlaq", "ABU JEHEISHA, Mohammed"]

    def tokens(values: list[str]) -> list[set[str]]:
        return [set(v.replace(",", "").split()) for v in values]

    assert tokens(new.get("name") + new.get("alias")) == tokens(old.get("name") + old.get("alias"))
    assert new.get("birthDate") == ["1955"]
    assert new.get("birthPlace") == ["Izna, Hebron"]
    assert new.get("notes") == ["HAMAS - Hebron"]


def test_fallback_ids_are_stable(csl_dir: Path, csl2019: list[EntityProxy]) -> None:
    again = _parse(csl_dir / CSL_2019)
    assert [e.id for e in again] == [e.id for e in csl2019]
    assert len({e.id for e in csl2019}) == len(csl2019)


# ------------------------------------------------------------ source codes


def test_source_codes_cover_real_strings(csl_dir: Path) -> None:
    for name in (CSL_2019, CSL_2025):
        for source in set(_column(csl_dir / name, "source")):
            assert source in SOURCE_CODES, source


def test_source_code_variants_and_unknown() -> None:
    assert source_code("Specially Designated Nationals (SDN) - Treasury Department") == "SDN"
    assert source_code("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury") == "NS-MBS"
    assert source_code("Some New List (XYZ) - Department of Nothing") == OTHER


def test_unknown_source_keeps_long_string(csl_dir: Path, tmp_path: Path) -> None:
    header, rows = _rows(csl_dir / CSL_2025)
    row = list(rows[1])  # Atlas Sanatgaran (UVL)
    row[header.index("source")] = "Brand New List (BNL) - Department of Tests"
    entities = _parse(_write(tmp_path / "consolidated.csv", header, [row]))
    target, sanction = entities
    assert target.get("programId") == [OTHER]
    assert target.get("topics") == []
    assert sanction.get("authority") == ["Brand New List (BNL) - Department of Tests"]
    assert sanction.get("programId") == [OTHER]


def test_parse_id_item_both_orders() -> None:
    assert parse_id_item("Passport, U00242309, TR", True) == IdItem("Passport", "U00242309", "TR")
    assert parse_id_item("US, 80-0890696, Tax ID No.", False) == IdItem(
        "Tax ID No.", "80-0890696", "US"
    )
    # Known labels win over the file's default order.
    assert parse_id_item("5030056754, Tax ID No.", True) == IdItem("Tax ID No.", "5030056754")
    assert parse_id_item(
        "Secondary sanctions risk:, North Korea Sanctions Regulations, sections 510.201", True
    ) == IdItem("Secondary sanctions risk:", "North Korea Sanctions Regulations, sections 510.201")
    assert parse_id_item("lonely", True) is None


def test_crypto_wallet(csl_dir: Path, tmp_path: Path) -> None:
    header, rows = _rows(csl_dir / CSL_2025)
    row = list(rows[4])  # RIM, Ryong Nam (SDN)
    row[header.index("ids")] = "Digital Currency Address - XBT, 1AbCdEf; Gender, Male"
    entities = _parse(_write(tmp_path / "consolidated.csv", header, [row]))
    wallets = [e for e in entities if e.schema.name == "CryptoWallet"]
    assert len(wallets) == 1
    assert wallets[0].id == "us_trade_csl-52291-wallet-1AbCdEf"
    assert wallets[0].get("publicKey") == ["1AbCdEf"]
    assert wallets[0].get("currencySymbol") == ["XBT"]
    assert wallets[0].get("holder") == ["us_trade_csl-52291"]
    assert not is_target(wallets[0])


def test_rows_sharing_an_id_are_one_target(csl_dir: Path, tmp_path: Path) -> None:
    header, rows = _rows(csl_dir / CSL_2025)
    sdn = list(rows[4])  # RIM, Ryong Nam (SDN 52291)
    again = list(sdn)
    again[header.index("source")] = "Entity List (EL) - Bureau of Industry and Security"
    again[header.index("addresses")] = "Dandong, CN"
    entities = _parse(_write(tmp_path / "consolidated.csv", header, [sdn, again]))
    assert [e.id for e in entities] == [
        "us_trade_csl-52291",
        "us_trade_csl-52291-sanction",
        "us_trade_csl-52291-sanction-EL",
    ]
    target = entities[0]
    assert target.get("programId") == ["SDN", "EL"]
    assert sorted(target.get("topics")) == ["export.control", "sanction"]
    assert target.get("address") == ["Shenyang, CN", "Pyongyang, KP", "Dandong, CN"]
    assert entities[2].get("authority") == ["Entity List (EL) - Bureau of Industry and Security"]
    assert entities[2].get("entity") == ["us_trade_csl-52291"]


def test_unknown_type_is_logged(
    csl_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header, rows = _rows(csl_dir / CSL_2025)
    row = list(rows[4])
    row[header.index("type")] = "Submarine"
    with caplog.at_level("WARNING", logger="redline.sources.us_trade_csl"):
        target = _parse(_write(tmp_path / "consolidated.csv", header, [row]))[0]
    assert target.schema.name == "LegalEntity"
    # What a LegalEntity cannot hold is kept as notes, not dropped.
    assert sorted(target.get("notes")) == [
        "Date of birth: 1978-12-05",
        "Gender: Male",
        "Nationality: KP",
        "Passport: 836238033",
    ]
    assert any("line 2" in r.getMessage() and "Submarine" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SourceError, match="empty file") as err:
        _parse(path)
    assert err.value.path == path


def test_wrong_field_count(csl_dir: Path, tmp_path: Path) -> None:
    header, rows = _rows(csl_dir / CSL_2025)
    rows[4] = rows[4][:-1]  # drop the last field of the fifth row, line 6
    path = _write(tmp_path / "consolidated.csv", header, rows)
    with pytest.raises(SourceError, match="expected 29 fields, found 28") as err:
        _parse(path)
    assert err.value.line == 6
    assert str(path) in str(err.value)


def test_unterminated_quote(csl_dir: Path, tmp_path: Path) -> None:
    lines = (csl_dir / CSL_2019).read_text(encoding="utf-8").split("\n")
    lines[9] = '"' + lines[9]  # line 10 opens a quote that never closes properly
    path = tmp_path / "consolidated.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        _parse(path)
    assert err.value.line == 10


def test_file_of_another_source(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "consolidated.csv"
    path.write_bytes((shared_data / "bis" / "dpl.txt").read_bytes())
    with pytest.raises(SourceError, match="not a CSL") as err:
        _parse(path)
    assert err.value.line == 1


def test_row_without_name(csl_dir: Path, tmp_path: Path) -> None:
    header, rows = _rows(csl_dir / CSL_2025)
    row = list(rows[0])
    row[header.index("name")] = ""
    path = _write(tmp_path / "consolidated.csv", header, [rows[1], row])
    with pytest.raises(SourceError, match="no name") as err:
        _parse(path)
    assert err.value.line == 3
