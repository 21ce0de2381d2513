"""Versioned store: provenance, atomic activation, no-op reloads, history and diff."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from redline.sources.base import SourceError
from redline.store import Store, diff_versions, load_source
from redline.store.diff import DiffError
from tests.store.toy_source import ToySource, write_toy

V1 = [
    ("1", "Person", "Ivan Petrov", "ru"),
    ("2", "Company", "Acme Electronics Limited", "hk"),
    ("3", "Vessel", "Sea Star", "ir"),
]
V2 = [
    ("1", "Person", "Ivan Petrov", "by"),  # changed country
    ("2", "Company", "Acme Electronics Limited", "hk"),  # unchanged
    ("4", "Organization", "New Front Co", "ae"),  # added; 3 removed
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'store.sqlite3'}")


def _load(store: Store, folder: Path, published: date | None = None):  # type: ignore[no-untyped-def]
    source = ToySource()
    files = source.detect(folder)
    assert files is not None
    return load_source(store, source, files, published=published)


def test_load_records_provenance_and_activates(store: Store, tmp_path: Path) -> None:
    write_toy(tmp_path / "a", V1)
    result = _load(store, tmp_path / "a", published=date(2024, 5, 3))
    info = result.version
    assert not result.unchanged
    assert info.seq == 1 and info.active
    assert info.published == "2024-05-03" and info.published_basis == "option"
    assert len(info.sha256) == 64
    assert info.target_count == 3
    assert info.counts == {"Company": 1, "Person": 1, "Sanction": 3, "Vessel": 1}
    stored = store.get_entity("toy-1")
    assert stored is not None
    assert stored.source_id == "1" and stored.is_target
    assert stored.data["properties"]["name"] == ["Ivan Petrov"]
    assert "target" not in stored.data and "source_id" not in stored.data


def test_publication_falls_back_to_mtime(store: Store, tmp_path: Path) -> None:
    write_toy(tmp_path / "a", V1)
    info = _load(store, tmp_path / "a").version
    assert info.published_basis == "file_mtime"
    assert info.published is not None


def test_same_file_twice_is_a_noop(store: Store, tmp_path: Path) -> None:
    write_toy(tmp_path / "a", V1)
    first = _load(store, tmp_path / "a")
    write_toy(tmp_path / "copy", V1)  # same bytes in another folder
    second = _load(store, tmp_path / "copy")
    assert second.unchanged
    assert second.version.id == first.version.id
    assert len(store.versions("toy")) == 1
    outcomes = [a["outcome"] for a in store.load_attempts("toy")]
    assert outcomes == ["loaded", "unchanged"]


def test_new_version_keeps_history_and_diffs(store: Store, tmp_path: Path) -> None:
    write_toy(tmp_path / "a", V1)
    write_toy(tmp_path / "b", V2)
    _load(store, tmp_path / "a")
    second = _load(store, tmp_path / "b")
    versions = store.versions("toy")
    assert [v.seq for v in versions] == [1, 2]
    assert [v.active for v in versions] == [False, True]
    assert second.version.seq == 2
    # history: the removed entry is still in version 1, not in the active lists
    assert store.get_entity("toy-3") is None
    assert store.get_entity("toy-3", version_id=versions[0].id) is not None
    history = store.entity_history("toy-1")
    assert [v.seq for v, _ in history] == [1, 2]

    result = diff_versions(store, "toy")
    assert [c.entity_id for c in result.added if c.is_target] == ["toy-4"]
    assert [c.entity_id for c in result.removed if c.is_target] == ["toy-3"]
    changed = {c.entity_id: c for c in result.changed}
    assert list(changed) == ["toy-1"]
    country = next(p for p in changed["toy-1"].changes if p.prop == "country")
    assert country.added == ["by"] and country.removed == ["ru"]
    assert result.to_dict()["summary"] == {"added": 2, "removed": 2, "changed": 1}

    back = diff_versions(store, "toy", 2, 1)
    assert [c.entity_id for c in back.added if c.is_target] == ["toy-3"]


def test_diff_unknown_versions(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DiffError, match="no versions"):
        diff_versions(store, "toy")
    write_toy(tmp_path / "a", V1)
    _load(store, tmp_path / "a")
    with pytest.raises(DiffError, match="no version 7"):
        diff_versions(store, "toy", 7)
    only = diff_versions(store, "toy")
    assert only.old is None and len(only.added) == 6


def test_bad_input_leaves_active_version_and_history(store: Store, tmp_path: Path) -> None:
    write_toy(tmp_path / "a", V1)
    good = _load(store, tmp_path / "a").version
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "toy.csv").write_text("id,schema,name,country\n5,Person,Broken\n", encoding="utf-8")
    with pytest.raises(SourceError) as raised:
        _load(store, bad)
    assert "toy.csv, line 2" in str(raised.value)
    versions = store.versions("toy")
    assert [(v.id, v.active) for v in versions] == [(good.id, True)]
    assert store.get_entity("toy-1") is not None
    attempts = store.load_attempts("toy")
    assert attempts[-1]["outcome"] == "failed" and "line 2" in attempts[-1]["message"]


def test_empty_list_is_refused(store: Store, tmp_path: Path) -> None:
    write_toy(tmp_path / "a", V1)
    _load(store, tmp_path / "a")
    write_toy(tmp_path / "empty", [])
    with pytest.raises(SourceError, match="no list entries"):
        _load(store, tmp_path / "empty")
    assert store.version("toy") is not None
    assert store.version("toy").target_count == 3  # type: ignore[union-attr]


def test_state_token_changes_on_activation(store: Store, tmp_path: Path) -> None:
    empty_token = store.state_token()
    write_toy(tmp_path / "a", V1)
    _load(store, tmp_path / "a")
    first = store.state_token()
    write_toy(tmp_path / "b", V2)
    _load(store, tmp_path / "b")
    assert len({empty_token, first, store.state_token()}) == 3


def test_crash_during_write_keeps_previous_version(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_toy(tmp_path / "a", V1)
    good = _load(store, tmp_path / "a").version

    def explode(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("redline.store.loader._activate", explode)
    write_toy(tmp_path / "b", V2)
    with pytest.raises(RuntimeError):
        _load(store, tmp_path / "b")
    assert [(v.id, v.active) for v in store.versions("toy")] == [(good.id, True)]
    assert store.get_entity("toy-4") is None
