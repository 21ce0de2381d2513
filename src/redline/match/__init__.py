"""Party screening: names across scripts and spellings, features, index, scoring.

Knows nothing of file formats: it reads FtM entities from the store.
"""

from redline.match.native import check_native_build

check_native_build()

from redline.match.screener import Screener  # noqa: E402
from redline.match.types import Decision, Match, MatchConfig, Query  # noqa: E402

__all__ = ["Decision", "Match", "MatchConfig", "Query", "Screener"]
