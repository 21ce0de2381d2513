"""Running the CLI in tests over a home of the test's own and a given store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from redline.cli import state

#: The keys of one result of ``redline screen --json`` and ``screen-file`` (Match.to_dict).
MATCH_KEYS = frozenset(
    {
        "id",
        "source",
        "source_id",
        "schema",
        "caption",
        "matched_name",
        "score",
        "decision",
        "explanation",
    }
)


@contextmanager
def cli_home(home: Path, database_url: str) -> Iterator[None]:
    """The CLI's settings read from ``home`` and ``database_url`` alone (no config file,
    no data folder of the caller's environment), for the duration of the block."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REDLINE_HOME", str(home))
        patch.setenv("REDLINE_DATABASE_URL", database_url)
        for name in ("REDLINE_CONFIG", "REDLINE_DATA_DIR"):
            patch.delenv(name, raising=False)
        state.settings = None
        try:
            yield
        finally:
            state.settings = None
