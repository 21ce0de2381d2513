"""The ``redline`` command end to end on real files, in a throwaway store."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from redline.cli import app, state

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("REDLINE_HOME", str(folder))
    monkeypatch.delenv("REDLINE_CONFIG", raising=False)
    state.settings = None
    return folder


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_update_sources_show_diff(home: Path, shared_data: Path) -> None:
    code, out, err = run("update", "--from-dir", str(shared_data / "un"), "un_sc")
    assert code == 0, err
    assert "loaded un_sc version 1" in out
    code, out, _ = run("update", "--from-dir", str(shared_data / "un"), "un_sc")
    assert code == 0 and "unchanged un_sc" in out

    code, out, _ = run("sources", "--json")
    rows = {row["source"]: row for row in json.loads(out)}
    un = rows["un_sc"]
    assert un["version"] == 1 and un["versions"] == 1
    assert un["published"] == "2026-02-27" and un["published_basis"] == "file"
    assert un["target_count"] == 1003
    assert un["counts"]["Person"] == 730 and un["counts"]["Organization"] == 273
    assert rows["us_ofac_sdn"]["version"] is None

    code, out, _ = run("sources")
    assert code == 0 and "un_sc" in out and "not loaded" in out

    code, out, _ = run("show", "un_sc-6908555", "--json")
    assert code == 0
    entity = json.loads(out)
    assert entity["id"] == "un_sc-6908555" and entity["schema"] in ("Person", "Organization")
    code, _, err = run("show", "un_sc-nope")
    assert code == 1 and "no entity" in err

    code, out, _ = run("diff", "un_sc", "--json")
    diff = json.loads(out)
    assert diff["from"] is None and diff["summary"]["added"] == 2006
    code, _, err = run("diff", "un_sc", "--from", "9")
    assert code == 2 and "no version 9" in err


def test_walk_loads_editions_oldest_first(home: Path, shared_data: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "ofac" / "latest").mkdir(parents=True)
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        # the older edition is written last, so modification times cannot order them
        shutil.copy(shared_data / "ofac" / "latest" / name, tree / "ofac" / "latest" / name)
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        shutil.copy(shared_data / "ofac" / name, tree / "ofac" / name)
    code, out, err = run("update", "--from-dir", str(tree), "--published", "2024-05-03")
    assert code == 0, err
    lines = [line for line in out.splitlines() if "us_ofac_sdn version" in line]
    assert "version 1: 8976 entries" in lines[0]
    assert "version 2: 14965 entries" in lines[1]
    code, out, _ = run("sources", "--json")
    sdn = next(row for row in json.loads(out) if row["source"] == "us_ofac_sdn")
    assert sdn["version"] == 2 and sdn["target_count"] == 14965
    assert sdn["published_basis"] == "option"

    code, out, _ = run("diff", "us_ofac_sdn", "--json")
    diff = json.loads(out)
    summary = diff["summary"]
    assert summary["added"] > 5000 and summary["removed"] > 0 and summary["changed"] > 0
    added_targets = {c["id"] for c in diff["added"] if c["target"]}
    assert "us_ofac_sdn-36" not in added_targets  # listed in both editions
    code, out, _ = run("diff", "us_ofac_sdn")
    assert code == 0 and "added" in out and "version 1 -> version 2" in out


def _truncated_xml(shared: Path, folder: Path) -> None:
    data = (shared / "un" / "consolidated.xml").read_bytes()
    (folder / "consolidated.xml").write_bytes(data[: len(data) // 2])


def _broken_csv_row(shared: Path, folder: Path) -> None:
    lines = (shared / "ofac" / "sdn.csv").read_bytes().split(b"\r\n")
    lines[100] = lines[100][:40]  # a record cut short: too few fields
    (folder / "sdn.csv").write_bytes(b"\r\n".join(lines))


def _empty_file(shared: Path, folder: Path) -> None:
    (folder / "sdn.csv").write_bytes(b"")


def _wrong_source(shared: Path, folder: Path) -> None:
    shutil.copy(shared / "un" / "consolidated.xml", folder / "sdn.csv")


@pytest.mark.parametrize(
    ("source", "good", "breaker", "expected"),
    [
        ("un_sc", "un", _truncated_xml, ["consolidated.xml", "line 26439", "malformed XML"]),
        ("us_ofac_sdn", "ofac", _broken_csv_row, ["sdn.csv", "line 101"]),
        ("us_ofac_sdn", "ofac", _empty_file, ["sdn.csv", "line 1", "empty"]),
        ("us_ofac_sdn", "ofac", _wrong_source, ["sdn.csv", "line 1", "XML"]),
    ],
    ids=["truncated-xml", "broken-csv-row", "empty-file", "wrong-source"],
)
def test_bad_input_fails_and_keeps_active_version(
    home: Path,
    shared_data: Path,
    tmp_path: Path,
    source: str,
    good: str,
    breaker: Callable[[Path, Path], None],
    expected: list[str],
) -> None:
    code, _, err = run("update", "--from-dir", str(shared_data / good), source)
    assert code == 0, err
    before = _source_row(source)
    broken = tmp_path / "broken"
    broken.mkdir()
    breaker(shared_data, broken)
    code, _, err = run("update", "--from-dir", str(broken), source)
    assert code == 1
    for fragment in expected:
        assert fragment in err
    after = _source_row(source)
    assert after == before  # same active version, same history, same counts


def _source_row(source: str) -> dict[str, object]:
    code, out, _ = run("sources", "--json")
    assert code == 0
    row: dict[str, object] = next(r for r in json.loads(out) if r["source"] == source)
    row.pop("age_days", None)
    return row


def test_unknown_source_and_missing_folder(home: Path, tmp_path: Path) -> None:
    code, _, err = run("update", "--from-dir", str(tmp_path), "nope")
    assert code == 2 and "unknown source 'nope'" in err
    code, _, err = run("update", "--from-dir", str(tmp_path / "missing"))
    assert code == 2 and "no such folder" in err
    code, _, err = run("update", "--from-dir", str(tmp_path), "un_sc")
    assert code == 1 and "no files of un_sc" in err


@pytest.fixture
def mirror(shared_data: Path) -> Iterator[str]:
    """The official files served on 127.0.0.1, as a publisher's server would."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(shared_data))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_update_downloads_from_configured_urls(home: Path, tmp_path: Path, mirror: str) -> None:
    config = tmp_path / "redline.yml"
    config.write_text(
        "sources:\n"
        f"  un_sc:\n    urls: ['{mirror}/un/consolidated.xml']\n"
        f"  us_bis_dpl:\n    urls: ['{mirror}/bis/dpl.txt']\n"
        f"  gb_hmt:\n    urls: ['{mirror}/uk/missing.xlsx']\n",
        encoding="utf-8",
    )
    code, out, err = run("--config", str(config), "update", "un_sc", "us_bis_dpl")
    assert code == 0, err
    assert "loaded un_sc version 1" in out and "loaded us_bis_dpl version 1" in out
    assert f"{mirror}/un/consolidated.xml" in out
    downloaded = list((home / "downloads" / "un_sc").glob("*/consolidated.xml"))
    assert len(downloaded) == 1 and not list(home.glob("downloads/**/*.part"))

    code, _, err = run("--config", str(config), "update", "gb_hmt")
    assert code == 1 and "HTTP 404" in err
    code, out, _ = run("--config", str(config), "sources", "--json")
    assert next(r for r in json.loads(out) if r["source"] == "gb_hmt")["version"] is None
