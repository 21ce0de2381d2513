"""Versioned local store of the official lists: load, activate, diff, read."""

from redline.store.diff import DiffError, VersionDiff, diff_versions
from redline.store.loader import LoadResult, load_source
from redline.store.store import Store, StoredEntity, VersionInfo

__all__ = [
    "DiffError",
    "LoadResult",
    "Store",
    "StoredEntity",
    "VersionDiff",
    "VersionInfo",
    "diff_versions",
    "load_source",
]
