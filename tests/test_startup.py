"""What a screening command loads at start: not the source parsers, followthemoney's
model or pypinyin's tables (together about 0.7 s of every ``redline screen``)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("followthemoney", "pypinyin", "redline.sources", "redline.store.loader")


def test_screening_starts_without_parsers_or_tables() -> None:
    code = (
        "import json, sys\n"
        "import redline.cli, redline.match, redline.batch.parallel, redline.batch.party_file\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({HEAVY!r}))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def test_the_loader_is_still_there_when_asked_for() -> None:
    from redline.store import LoadResult, load_source
    from redline.store.loader import load_source as direct

    assert load_source is direct and LoadResult.__name__ == "LoadResult"
