"""Shared test fixtures: where the real official files live, and a throwaway store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from redline.match import Screener
from redline.sources import all_sources
from redline.store import Store
from redline.store.update import update_from_dir

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Real official list snapshots, beside the project root (never copied into the repo).
SHARED_DATA = (PROJECT_ROOT / ".." / "shared" / "data").resolve()
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"real data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def loaded_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A store with every source found in ``../shared/data`` loaded (about half a minute).

    Read-only for tests: a test that loads or changes lists must use its own store.
    """
    folder = tmp_path_factory.mktemp("loaded_store")
    store = Store(f"sqlite:///{folder / 'redline.sqlite3'}")
    outcomes = update_from_dir(store, shared_data, all_sources())
    failed = [f"{o.source}: {o.error}" for o in outcomes if o.error]
    if failed:
        pytest.fail("could not load the real lists:\n" + "\n".join(failed))
    yield store
    store.close()


@pytest.fixture(scope="session")
def screener(loaded_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Screener:
    """A Screener over ``loaded_store``, its index built once per session (about 25 s)."""
    return Screener(loaded_store, index_dir=tmp_path_factory.mktemp("index"))
