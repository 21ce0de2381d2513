"""The FollowTheMoney JSON-lines source, on the two real OpenSanctions excerpts."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from followthemoney import EntityProxy

from redline.sources.base import SourceError, SourceFiles
from redline.sources.ftm import CONTEXT_KEYS, FTM
from redline.sources.util import is_target, source_id_of

ENTITIES = "entities.ftm.json"
EU_FSF = "eu_fsf_sample.ftm.json"


def _files(*paths: Path) -> SourceFiles:
    return SourceFiles("ftm", tuple(paths), roles={p.name: p for p in paths})


def _parse(*paths: Path) -> list[EntityProxy]:
    return list(FTM.parse(_files(*paths)))


@pytest.fixture(scope="module")
def os_dir(shared_data: Path) -> Path:
    return shared_data / "opensanctions"


@pytest.fixture(scope="module")
def zala(os_dir: Path) -> list[EntityProxy]:
    return _parse(os_dir / ENTITIES)


@pytest.fixture(scope="module")
def eu_fsf(os_dir: Path) -> list[EntityProxy]:
    return _parse(os_dir / EU_FSF)


def _by_id(entities: list[EntityProxy]) -> dict[str, EntityProxy]:
    return {str(e.id): e for e in entities}


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


# ----------------------------------------------------------------- metadata


def test_source_metadata() -> None:
    assert FTM.name == "ftm"
    assert FTM.title == "FollowTheMoney JSON-lines export"
    assert FTM.downloads == ()


def test_detect_loads_all_files_as_one_version(os_dir: Path) -> None:
    found = FTM.detect(os_dir)
    assert found is not None
    assert found.files == (os_dir / ENTITIES, os_dir / EU_FSF)
    assert found.roles == {ENTITIES: os_dir / ENTITIES, EU_FSF: os_dir / EU_FSF}
    assert len(list(FTM.parse(found))) == 91 + 7


def test_detect_refuses_other_files(shared_data: Path, tmp_path: Path) -> None:
    assert FTM.detect(shared_data / "bis") is None
    assert FTM.detect(shared_data) is None  # not recursive
    (tmp_path / "other.jsonl").write_text('{"foo": 1}\n', encoding="utf-8")
    (tmp_path / "notes.json").write_text('{"id": "x", "schema": "Person", "properties": {}}\n')
    assert FTM.detect(tmp_path) is None
    (tmp_path / "mine.jsonl").write_text(
        '\n{"id": "x", "schema": "Person", "properties": {"name": ["X"]}}\n', encoding="utf-8"
    )
    found = FTM.detect(tmp_path)
    assert found is not None
    assert found.files == (tmp_path / "mine.jsonl",)


def test_published(os_dir: Path) -> None:
    assert FTM.published(_files(os_dir / ENTITIES, os_dir / EU_FSF)) == date(2026, 4, 29)
    assert FTM.published(_files(os_dir / EU_FSF)) == date(2024, 3, 28)


def test_published_none_without_last_change(tmp_path: Path) -> None:
    path = tmp_path / "x.ftm.json"
    path.write_text('{"id": "x", "schema": "Person", "properties": {}}\n', encoding="utf-8")
    assert FTM.published(_files(path)) is None


# ---------------------------------------------------------------- contents


def test_zala_counts(zala: list[EntityProxy]) -> None:
    assert len(zala) == 91
    assert Counter(e.schema.name for e in zala) == {
        "Sanction": 41,
        "Ownership": 14,
        "Company": 11,
        "Address": 11,
        "Person": 6,
        "Family": 4,
        "Directorship": 3,
        "Passport": 1,
    }
    targets = [e for e in zala if is_target(e)]
    assert len(targets) == 14
    assert Counter(t.schema.name for t in targets) == {"Company": 8, "Person": 6}


def test_eu_fsf_counts(eu_fsf: list[EntityProxy]) -> None:
    assert len(eu_fsf) == 7
    assert Counter(e.schema.name for e in eu_fsf) == {
        "Person": 4,
        "Organization": 2,
        "Address": 1,
    }
    assert sum(1 for e in eu_fsf if is_target(e)) == 6


def test_ids_and_context(os_dir: Path, zala: list[EntityProxy]) -> None:
    raw = [json.loads(line) for line in _lines(os_dir / ENTITIES)]
    assert [e.id for e in zala] == [r["id"] for r in raw]  # unchanged, in file order
    for entity, record in zip(zala, raw, strict=True):
        if record["target"]:
            assert entity.context["target"] is True
            assert source_id_of(entity) == record["id"]
        else:
            assert "target" not in entity.context
            assert source_id_of(entity) is None
        for key in CONTEXT_KEYS:
            assert entity.context[key] == record[key]
        assert "caption" not in entity.context
        assert entity.to_dict()["properties"] == record["properties"]


def test_provenance_round_trips(zala: list[EntityProxy]) -> None:
    person = _by_id(zala)["NK-2Tbri3s6GgNtAwsSXh4qpL"]
    data = person.to_dict()
    assert data["last_change"] == "2026-04-29T07:55:02"
    assert "us_ofac_sdn" in data["datasets"]
    assert "ofac-46001" in data["referents"]
    again = EntityProxy.from_dict(data)
    assert again.context["datasets"] == person.context["datasets"]


def test_spot_check_person(zala: list[EntityProxy]) -> None:
    person = _by_id(zala)["NK-2Tbri3s6GgNtAwsSXh4qpL"]
    assert person.schema.name == "Person"
    assert person.get("birthDate") == ["1988-01-07"]
    assert person.get("innCode") == ["183116181362"]
    assert "Мария Александровна Осетрова" in person.get("name")
    assert "Захарова Марія Олександрівна" in person.get("name")
    assert "sanction" in person.get("topics")


def test_relations_point_at_loaded_entities(zala: list[EntityProxy]) -> None:
    ids = {e.id for e in zala}
    ownerships = [e for e in zala if e.schema.name == "Ownership"]
    assert all(o.get("owner") and o.get("asset") for o in ownerships)
    assert any(o.first("asset") in ids for o in ownerships)


def test_multilingual_names_preserved(eu_fsf: list[EntityProxy]) -> None:
    tobacco = _by_id(eu_fsf)["NK-2GdmHtZTeNXjNVrBGEXZNj"]
    names = tobacco.get("name")
    assert len(names) == 12
    assert "Εταιρία περιορισμένης ευθύνης “Inter Tobacco”" in names  # Greek
    assert "Общество с ограниченной ответственностью “Интер Тобако”" in names  # Russian
    assert "An chuideachta theoranta ‘Inter Tobacco’" in names  # Irish
    assert "„Inter Tobacco“, společnost s ručením omezeným" in names  # Czech
    soyko = _by_id(eu_fsf)["NK-2Myxbs6wX9xFKGoQn3sLaY"]
    assert "Віктар Уладзіміравіч СОЙКА" in soyko.get("name")  # Belarusian


def test_unknown_property_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "new.ftm.json"
    record = {"id": "p1", "schema": "Person", "properties": {"name": ["A"], "futureProp": ["x"]}}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING", logger="redline.sources.ftm"):
        (entity,) = _parse(path)
    assert entity.to_dict()["properties"] == {"name": ["A"]}
    assert any("futureProp" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------- bad input


def _broken(os_dir: Path, tmp_path: Path, line: int, text: str) -> Path:
    lines = _lines(os_dir / EU_FSF)
    lines[line - 1] = text
    path = tmp_path / "broken.ftm.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_invalid_json_line(os_dir: Path, tmp_path: Path) -> None:
    path = _broken(os_dir, tmp_path, 3, '{"id": "NK-x", "schema": "Person", ')
    with pytest.raises(SourceError, match="invalid JSON") as err:
        _parse(path)
    assert err.value.path == path
    assert err.value.line == 3


def test_unknown_schema(os_dir: Path, tmp_path: Path) -> None:
    path = _broken(os_dir, tmp_path, 2, '{"id": "NK-x", "schema": "Spaceship", "properties": {}}')
    with pytest.raises(SourceError, match="unknown schema 'Spaceship'") as err:
        _parse(path)
    assert err.value.line == 2


def test_missing_id(os_dir: Path, tmp_path: Path) -> None:
    path = _broken(os_dir, tmp_path, 4, '{"schema": "Person", "properties": {}}')
    with pytest.raises(SourceError, match="no id") as err:
        _parse(path)
    assert err.value.line == 4


def test_bad_properties(os_dir: Path, tmp_path: Path) -> None:
    path = _broken(
        os_dir, tmp_path, 5, '{"id": "a", "schema": "Person", "properties": {"name": "X"}}'
    )
    with pytest.raises(SourceError, match="not a list of strings") as err:
        _parse(path)
    assert err.value.line == 5


def test_not_an_object(os_dir: Path, tmp_path: Path) -> None:
    path = _broken(os_dir, tmp_path, 1, '["NK-x"]')
    with pytest.raises(SourceError, match="not a JSON object") as err:
        _parse(path)
    assert err.value.line == 1


def test_duplicate_id_across_files(os_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.ftm.json"
    copy.write_text(_lines(os_dir / EU_FSF)[1] + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match="appears twice") as err:
        _parse(os_dir / EU_FSF, copy)
    assert err.value.path == copy
    assert err.value.line == 1
    assert f"{EU_FSF}:2" in str(err.value)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.ftm.json"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(SourceError, match="empty file") as err:
        _parse(path)
    assert err.value.path == path
