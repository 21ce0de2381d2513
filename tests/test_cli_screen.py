"""``redline screen`` and ``redline screen-file`` on every real list."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app
from redline.match import Screener
from redline.store import Store
from tests.cli_home import MATCH_KEYS, cli_home

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(
    loaded_store: Store, screener: Screener, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """A home over the session store, with a copy of the session's saved index (so the
    CLI loads it instead of building its own)."""
    folder = tmp_path_factory.mktemp("screen_home")
    assert screener.index_dir is not None
    shutil.copytree(screener.index_dir, folder / "index")
    with cli_home(folder, loaded_store.url):
        yield folder


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_screen_json_shape(home: Path) -> None:
    code, out, err = run("screen", "Владимир Путин", "--schema", "Person", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["query"]["names"] == ["Владимир Путин"] and data["query"]["schema"] == "Person"
    results = data["results"]
    assert results and all(set(r) == MATCH_KEYS for r in results)
    top = results[0]
    assert "PUTIN" in top["caption"].upper() and top["decision"] == "match"
    assert 0.0 <= top["score"] <= 1.0
    assert top["explanation"]["name"]["pairs"]
    assert any("Cyrillic" in t for t in top["explanation"]["transformations"])


def test_screen_options_and_text_output(home: Path) -> None:
    code, out, _ = run(
        "screen", "Vladimir Putin", "--schema", "Person", "--birth-date", "1952-10-07", "--json"
    )
    assert code == 0
    top = json.loads(out)["results"][0]
    assert top["explanation"]["features"]["birth_date"]["contribution"] > 0
    code, out, _ = run("screen", "Vladimir Putin", "--limit", "1", "--json")
    assert code == 0 and len(json.loads(out)["results"]) == 1
    code, out, _ = run("screen", "Unknown Ship", "--id", "IMO 8712362", "--json")
    assert code == 0 and json.loads(out)["results"][0]["caption"] == "CHON MYONG 1"
    code, out, _ = run("screen", "Vladimir Putin", "--schema", "Person")
    assert code == 0
    assert "PUTIN" in out and "matched name" in out and "match" in out
    code, out, _ = run("screen", "Qwzx Plorvent Nimbardo")
    assert code == 0 and "no alert" in out


def test_screen_refuses_bad_options(home: Path) -> None:
    code, _, err = run("screen", "Vladimir Putin", "--schema", "Spaceship")
    assert code == 2 and "--schema must be one of" in err
    code, _, err = run("screen", "  ")
    assert code == 2 and "non-empty name" in err


def test_screen_file_writes_one_line_per_row_in_order(home: Path, tmp_path: Path) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text(
        "id,name,schema,birth_date,country,identifier\n"
        "p1,Vladimir Putin,Person,1952-10-07,RU,\n"
        "p2,Qwzx Plorvent Nimbardo,Company,,,\n"
        "p3,,Person,,,\n"  # no name: an error line, not a lost row
        "p4,Vladimir Putin,Person,1952-10-07,RU,\n"  # the same party again
        "p5,Unknown Ship,Vessel,,,IMO 8712362\n"
        "p6,Владимир Путин,,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out" / "results.jsonl"
    code, stdout, err = run("screen-file", str(parties), "--output", str(out), "--workers", "2")
    assert code == 0, err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    by_id = {line["id"]: line for line in lines}
    assert by_id["p1"]["results"] and all(set(r) == MATCH_KEYS for r in by_id["p1"]["results"])
    assert by_id["p1"]["results"][0]["explanation"]["features"]["birth_date"]["contribution"] > 0
    assert by_id["p4"]["results"] == by_id["p1"]["results"]
    assert by_id["p2"]["results"] == [] and "error" not in by_id["p2"]
    assert by_id["p3"]["results"] == [] and by_id["p3"]["error"]
    assert by_id["p5"]["results"][0]["caption"] == "CHON MYONG 1"
    assert "PUTIN" in by_id["p6"]["results"][0]["caption"].upper()
    assert "screened 6 rows: 4 with alerts, 1 with errors" in " ".join(stdout.split())
    assert not out.with_name(out.name + ".part").exists()


def test_screen_file_bad_input_names_the_file(home: Path, tmp_path: Path) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text("id,colour\n1,red\n", encoding="utf-8")
    out = tmp_path / "results.jsonl"
    code, _, err = run("screen-file", str(parties), "--output", str(out))
    assert code == 2
    assert "parties.csv" in err
    assert not out.exists()
