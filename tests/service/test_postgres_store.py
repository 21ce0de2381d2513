"""The list store itself on PostgreSQL: load, read back, history, diff (as on SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.service.migrate import migrate
from redline.store import Store, diff_versions, load_source
from tests.pg import PgCluster
from tests.store.test_store import V1, V2
from tests.store.toy_source import ToySource, write_toy


def _load(store: Store, folder: Path) -> None:
    source = ToySource()
    files = source.detect(folder)
    assert files is not None
    load_source(store, source, files)


def test_store_round_trip_on_postgresql(pg_cluster: PgCluster, tmp_path: Path) -> None:
    url = pg_cluster.create_database()
    assert url.startswith("postgresql+psycopg://")
    migrate(url)  # the service's schema first, then the store on top: both must agree
    store = Store(url)
    try:
        write_toy(tmp_path / "a", V1)
        write_toy(tmp_path / "b", V2)
        _load(store, tmp_path / "a")
        _load(store, tmp_path / "a")  # same bytes: no new version
        _load(store, tmp_path / "b")

        versions = store.versions("toy")
        assert [(v.seq, v.active) for v in versions] == [(1, False), (2, True)]
        assert versions[1].counts == {"Company": 1, "Organization": 1, "Person": 1, "Sanction": 3}
        assert [a["outcome"] for a in store.load_attempts("toy")] == [
            "loaded",
            "unchanged",
            "loaded",
        ]
        person = store.get_entity("toy-1")
        assert person is not None and person.is_target
        assert person.data["properties"]["country"] == ["by"]
        assert store.get_entity("toy-3") is None
        assert store.get_entity("toy-3", version_id=versions[0].id) is not None
        targets = [e.entity_id for e in store.iter_active_entities(targets_only=True)]
        assert targets == ["toy-1", "toy-2", "toy-4"]

        diff = diff_versions(store, "toy")
        assert [c.entity_id for c in diff.added if c.is_target] == ["toy-4"]
        assert [c.entity_id for c in diff.removed if c.is_target] == ["toy-3"]
        assert [c.entity_id for c in diff.changed] == ["toy-1"]
    finally:
        store.close()


def test_missing_postgresql_fails_with_install_hint(tmp_path: Path) -> None:
    from tests.service.conftest import require_bindir

    with pytest.raises(pytest.fail.Exception, match="install the Debian package `postgresql`"):
        require_bindir(tmp_path)
    (tmp_path / "15" / "bin").mkdir(parents=True)
    (tmp_path / "15" / "bin" / "initdb").touch()
    (tmp_path / "16" / "bin").mkdir(parents=True)
    (tmp_path / "16" / "bin" / "initdb").touch()
    assert require_bindir(tmp_path) == tmp_path / "16" / "bin"
