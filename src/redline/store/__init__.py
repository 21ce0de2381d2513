"""Versioned local store of the official lists: load, activate, diff, read."""

from typing import TYPE_CHECKING, Any

from redline.store.diff import DiffError, VersionDiff, diff_versions
from redline.store.store import Store, StoredEntity, VersionInfo

if TYPE_CHECKING:
    from redline.store.loader import LoadResult, load_source

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


def __getattr__(name: str) -> Any:
    # The loader brings the source parsers and followthemoney's model (half a second):
    # reading and screening need neither, so it is imported when first asked for.
    if name in ("LoadResult", "load_source"):
        from redline.store import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
