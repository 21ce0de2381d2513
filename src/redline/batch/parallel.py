"""Running the screener over many queries on all cores.

Each worker process opens its own :class:`Screener` from the saved index (the
index is built once, by the parent, before the pool starts), then screens chunks
of queries; results come back in input order.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from redline.match import Match, MatchConfig, Query, Screener
from redline.settings import Settings

_worker: Screener | None = None

ScreenResult = tuple[list[Match] | None, str | None]


def _init_worker(settings: Settings, config: MatchConfig) -> None:
    global _worker
    _worker = Screener.open(settings, config)


def _screen_one(args: tuple[Query | None, int, float | None]) -> ScreenResult:
    query, limit, threshold = args
    if query is None:
        return None, "no name"
    assert _worker is not None
    try:
        return _worker.screen(query, limit=limit, threshold=threshold), None
    except Exception as exc:  # one bad row must not sink the batch; it is reported
        return None, f"{type(exc).__name__}: {exc}"


def screen_many(
    settings: Settings,
    queries: Iterable[Query | None],
    *,
    config: MatchConfig | None = None,
    limit: int = 10,
    threshold: float | None = None,
    workers: int | None = None,
    on_result: Callable[[], None] | None = None,
) -> Iterator[ScreenResult]:
    """Screen ``queries`` (``None`` for rows without a name) in order, in parallel."""
    global _worker
    config = config or MatchConfig()
    count = workers or os.cpu_count() or 1
    jobs = ((q, limit, threshold) for q in queries)
    if not hasattr(os, "fork"):
        context = mp.get_context()
        with context.Pool(count, initializer=_init_worker, initargs=(settings, config)) as pool:
            for result in pool.imap(_screen_one, jobs, chunksize=64):
                if on_result:
                    on_result()
                yield result
        return
    # Load the index once; forked workers inherit it instead of loading it again.
    _worker = Screener.open(settings, config)
    if count <= 1:
        for job in jobs:
            result = _screen_one(job)
            if on_result:
                on_result()
            yield result
        return
    with mp.get_context("fork").Pool(count) as pool:
        for result in pool.imap(_screen_one, jobs, chunksize=64):
            if on_result:
                on_result()
            yield result


def results_payload(matches: list[Match] | None) -> list[dict[str, Any]]:
    return [m.to_dict() for m in matches or []]
