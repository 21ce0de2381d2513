"""Party screening: names across scripts and spellings, features, index, scoring.

Knows nothing of file formats: it reads FtM entities from the store.
"""

from redline.match.screener import MatchConfig, Screener
from redline.match.types import Decision, Match, Query

__all__ = ["Decision", "Match", "MatchConfig", "Query", "Screener"]
