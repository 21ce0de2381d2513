"""Downloading a source's official files, safely.

Files are streamed into a fresh folder as ``*.part`` and renamed only when
complete, so an interrupted download never looks like a list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import httpx

from redline.sources.base import Download

#: ``(filename, bytes_so_far, total_bytes_or_None)``
DownloadProgress = Callable[[str, int, int | None], None]


class DownloadError(Exception):
    """A file could not be fetched; names the URL and why."""


def with_urls(downloads: Sequence[Download], urls: Sequence[str] | None) -> list[Download]:
    """The source's downloads, with URLs replaced by a configured mirror where given."""
    if urls is None:
        return list(downloads)
    if len(urls) != len(downloads):
        names = ", ".join(d.filename for d in downloads)
        raise DownloadError(
            f"{len(urls)} URL(s) configured but the source has {len(downloads)} file(s): {names}"
        )
    return [Download(url, d.filename) for url, d in zip(urls, downloads, strict=True)]


def download_files(
    downloads: Sequence[Download],
    dest: Path,
    *,
    timeout: float = 120.0,
    progress: DownloadProgress | None = None,
    client: httpx.Client | None = None,
) -> list[Path]:
    """Fetch every file into ``dest``; raise :class:`DownloadError` on any failure."""
    dest.mkdir(parents=True, exist_ok=True)
    owned = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    paths: list[Path] = []
    try:
        for item in downloads:
            paths.append(_fetch(http, item, dest, progress))
    finally:
        if owned:
            http.close()
    return paths


def _fetch(
    http: httpx.Client, item: Download, dest: Path, progress: DownloadProgress | None
) -> Path:
    target = dest / item.filename
    partial = target.with_name(target.name + ".part")
    try:
        with http.stream("GET", item.url) as response:
            if response.status_code != 200:
                raise DownloadError(f"{item.url}: HTTP {response.status_code}")
            total = response.headers.get("content-length")
            expected = int(total) if total and total.isdigit() else None
            done = 0
            with partial.open("wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(item.filename, done, expected)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{item.url}: {exc}") from exc
    except DownloadError:
        partial.unlink(missing_ok=True)
        raise
    if expected is not None and done != expected:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"{item.url}: got {done} of {expected} bytes")
    partial.replace(target)
    return target
