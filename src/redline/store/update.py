"""Bringing the store up to date: from a local folder, or from the publishers' URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from redline.settings import Settings
from redline.sources.base import Source, SourceError
from redline.sources.discover import Found, discover
from redline.sources.download import DownloadError, DownloadProgress, download_files, with_urls
from redline.store.loader import LoadResult, ProgressCallback, load_source
from redline.store.store import Store


@dataclass(frozen=True)
class UpdateOutcome:
    """One source edition's load: the result, or the error that stopped it."""

    source: str
    origin: str
    result: LoadResult | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


#: Called before each load with (source name, origin); returns a parse-progress callback.
StartCallback = Callable[[str, str], ProgressCallback | None]


def update_from_dir(
    store: Store,
    directory: Path,
    sources: Mapping[str, Source],
    names: Iterable[str] | None = None,
    *,
    published: date | None = None,
    on_start: StartCallback | None = None,
) -> list[UpdateOutcome]:
    """Load the sources' files found in ``directory`` (see :func:`discover`).

    A failing source does not stop the others; its error is in its outcome and
    the store keeps its previous active version.
    """
    wanted = list(names) if names else None
    outcomes: list[UpdateOutcome] = []
    for name in wanted or []:
        if name not in sources:
            raise KeyError(f"unknown source {name!r}; known sources: {', '.join(sorted(sources))}")
    found = discover(directory, sources, wanted)
    if wanted:
        # A source named explicitly is taken by file name too, so that a damaged or
        # wrong file fails loudly with its file and line instead of looking absent.
        detected = {f.source.name for f in found}
        for name in wanted:
            named = sources[name].named_files(directory) if name not in detected else None
            if named is not None:
                found.append(Found(sources[name], named, directory))
    missing = set(wanted or []) - {f.source.name for f in found}
    for name in sorted(missing):
        outcomes.append(
            UpdateOutcome(name, str(directory), error=f"no files of {name} found in {directory}")
        )
    for item in found:
        origin = str(item.folder)
        progress = on_start(item.source.name, origin) if on_start else None
        try:
            result = load_source(
                store,
                item.source,
                item.files,
                published=published,
                origin=origin,
                progress=progress,
            )
        except SourceError as exc:
            outcomes.append(UpdateOutcome(item.source.name, origin, error=str(exc)))
        else:
            outcomes.append(UpdateOutcome(item.source.name, origin, result=result))
    return outcomes


def update_from_web(
    store: Store,
    settings: Settings,
    sources: Mapping[str, Source],
    names: Iterable[str] | None = None,
    *,
    published: date | None = None,
    on_start: StartCallback | None = None,
    on_download: DownloadProgress | None = None,
) -> list[UpdateOutcome]:
    """Download each source's official files into the store's folder, then load them."""
    wanted = list(names) if names else None
    if wanted is None:
        wanted = [
            name
            for name, source in sources.items()
            if source.downloads and (name not in settings.sources or settings.sources[name].enabled)
        ]
    outcomes: list[UpdateOutcome] = []
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in wanted:
        if name not in sources:
            raise KeyError(f"unknown source {name!r}; known sources: {', '.join(sorted(sources))}")
        source = sources[name]
        if not source.downloads and not settings.source_urls(name):
            outcomes.append(
                UpdateOutcome(name, "-", error=f"{name} has no official download; use --from-dir")
            )
            continue
        dest = settings.download_dir / name / stamp
        try:
            downloads = with_urls(source.downloads, settings.source_urls(name))
            download_files(downloads, dest, timeout=settings.download_timeout, progress=on_download)
            files = source.detect(dest)
            if files is None:
                raise SourceError(dest, f"the downloaded files are not recognised as {name}")
            progress = on_start(name, downloads[0].url) if on_start else None
            result = load_source(
                store,
                source,
                files,
                published=published,
                origin=downloads[0].url,
                progress=progress,
            )
        except (DownloadError, SourceError) as exc:
            outcomes.append(UpdateOutcome(name, str(dest), error=str(exc)))
        else:
            outcomes.append(UpdateOutcome(name, downloads[0].url, result=result))
    return outcomes
