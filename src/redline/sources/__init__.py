"""Official lists in their native formats, turned into FollowTheMoney entities.

One module per publisher format; each module exposes ``SOURCES``, a tuple of
:class:`~redline.sources.base.Source` instances.  :func:`all_sources` is the
registry the store and the CLI use.
"""

from __future__ import annotations

from importlib import import_module

from redline.sources.base import Download, Source, SourceError, SourceFiles

#: Modules that provide sources, in the order ``redline sources`` lists them.
_MODULES = (
    "redline.sources.ofac",
    "redline.sources.un_sc",
    "redline.sources.eu_fsf",
    "redline.sources.gb_hmt",
    "redline.sources.us_trade_csl",
    "redline.sources.us_bis_dpl",
    "redline.sources.ftm",
)


def all_sources() -> dict[str, Source]:
    """Every known source by name."""
    found: dict[str, Source] = {}
    for module_name in _MODULES:
        module = import_module(module_name)
        for source in module.SOURCES:
            found[source.name] = source
    return found


def get_source(name: str) -> Source:
    sources = all_sources()
    try:
        return sources[name]
    except KeyError:
        known = ", ".join(sorted(sources))
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None


__all__ = ["Download", "Source", "SourceError", "SourceFiles", "all_sources", "get_source"]
