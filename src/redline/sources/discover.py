"""Finding the files of each source in a folder tree (``redline update --from-dir``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from redline.sources.base import Source, SourceFiles


@dataclass(frozen=True)
class Found:
    source: Source
    files: SourceFiles
    folder: Path


def discover(
    directory: Path,
    sources: Mapping[str, Source],
    wanted: Iterable[str] | None = None,
) -> list[Found]:
    """The file sets of ``sources`` found in ``directory``.

    With ``wanted`` (source names), only those sources are looked for, and only
    directly in ``directory``.  Without it, the whole tree is walked and every
    source found is returned; a source found in several folders appears once per
    folder, ordered oldest first (see :meth:`Source.recency`) so that loading the
    list in order leaves the newest active.
    """
    if not directory.is_dir():
        raise FileNotFoundError(f"not a folder: {directory}")
    if wanted is not None:
        names = list(wanted)
        folders = [directory]
    else:
        names = list(sources)
        folders = [directory, *sorted(p for p in directory.rglob("*") if p.is_dir())]
    found: list[Found] = []
    for name in names:
        source = sources[name]
        editions = []
        for folder in folders:
            files = source.detect(folder)
            if files is not None:
                editions.append(Found(source, files, folder))
        editions.sort(key=lambda f: f.source.recency(f.files))
        found.extend(editions)
    return found
