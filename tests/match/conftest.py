"""Fixtures for matching tests: a Screener over the session store of every real list."""

from __future__ import annotations

import pytest

from redline.match import Screener
from redline.store import Store


@pytest.fixture(scope="session")
def screener(loaded_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Screener:
    """A Screener over ``loaded_store``, its index built once per session (about 25 s)."""
    return Screener(loaded_store, index_dir=tmp_path_factory.mktemp("index"))
