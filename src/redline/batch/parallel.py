"""Running the screener over many queries on all cores.

Workers are forked from this process and inherit its loaded :class:`Screener` (or,
where fork is missing, each opens its own from the saved index, built once by the
parent).  Results come back in input order.

Party files repeat themselves: the same customer on many rows, the same supplier in
every order.  So the rows are read in blocks, and only the queries not seen yet go to
the workers, each once whichever row asked first; the rows of a block are answered
from what came back, while the workers screen the next blocks.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any

from redline.match import Match, MatchConfig, Query, Screener
from redline.settings import Settings

_worker: Screener | None = None

ScreenResult = tuple[list[Match] | None, str | None]

#: Rows read at a time; the workers screen this many rows' new queries per task list.
BLOCK_ROWS = 1024
#: Blocks sent to the workers before the parent waits for the oldest.
BLOCKS_AHEAD = 2
#: Distinct queries whose results are kept for later rows (then only those of blocks
#: still pending): bounds the parent's memory on files of millions of rows.
KEPT_RESULTS = 50_000

_NO_NAME: ScreenResult = (None, "no name")


def _init_worker(settings: Settings, config: MatchConfig) -> None:
    global _worker
    _worker = Screener.open(settings, config)


def _screen_one(args: tuple[Query, int, float | None]) -> ScreenResult:
    query, limit, threshold = args
    assert _worker is not None
    try:
        return _worker.screen(query, limit=limit, threshold=threshold), None
    except Exception as exc:  # one bad row must not sink the batch; it is reported
        return None, f"{type(exc).__name__}: {exc}"


def query_key(query: Query) -> Hashable:
    """What the results of ``query`` depend on: its row ``id`` does not count."""
    return (query.names, query.schema, query.birth_dates, query.countries, query.identifiers)


def screen_many(
    settings: Settings,
    queries: Iterable[Query | None],
    *,
    config: MatchConfig | None = None,
    limit: int = 10,
    threshold: float | None = None,
    workers: int | None = None,
    on_result: Callable[[], None] | None = None,
    screener: Screener | None = None,
) -> Iterator[ScreenResult]:
    """Screen ``queries`` (``None`` for rows without a name) in order, in parallel.

    Rows asking the same query get the same result (the same list of matches).
    ``screener``, already open on ``settings``, spares loading the index again."""
    global _worker
    config = config or MatchConfig()
    count = workers or os.cpu_count() or 1
    if not hasattr(os, "fork"):
        context = mp.get_context()
        with context.Pool(count, initializer=_init_worker, initargs=(settings, config)) as pool:
            yield from _answer(pool, queries, limit, threshold, count, on_result)
        return
    # Load the index once; forked workers inherit it instead of loading it again.
    _worker = screener if screener is not None else Screener.open(settings, config)
    if count <= 1:
        yield from _answer(None, queries, limit, threshold, count, on_result)
        return
    with mp.get_context("fork").Pool(count) as pool:
        yield from _answer(pool, queries, limit, threshold, count, on_result)


def _answer(
    pool: Any,
    queries: Iterable[Query | None],
    limit: int,
    threshold: float | None,
    count: int,
    on_result: Callable[[], None] | None,
) -> Iterator[ScreenResult]:
    """Results for ``queries`` in order, each distinct query screened once (on
    ``pool``, or in this process without one)."""
    rows = iter(queries)
    pending: deque[tuple[list[Query | None], list[Hashable], AsyncResult[list[ScreenResult]]]]
    pending = deque()
    known: dict[Hashable, ScreenResult] = {}
    asked: set[Hashable] = set()  # sent to the workers, not back yet
    while True:
        block = list(islice(rows, BLOCK_ROWS))
        if block:
            fresh: dict[Hashable, Query] = {}
            for query in block:
                if query is not None:
                    key = query_key(query)
                    if key not in known and key not in asked:
                        fresh.setdefault(key, query)
            asked.update(fresh)
            jobs = [(query, limit, threshold) for query in fresh.values()]
            if pool is None:
                known.update(zip(fresh, map(_screen_one, jobs), strict=True))
                asked.clear()
            else:
                chunk = max(1, min(32, len(jobs) // (4 * count)))
                pending.append((block, list(fresh), pool.map_async(_screen_one, jobs, chunk)))
                if len(pending) <= BLOCKS_AHEAD:
                    continue
        if pool is not None:
            if not pending:
                break
            block, keys, result = pending.popleft()
            known.update(zip(keys, result.get(), strict=True))
            asked.difference_update(keys)
        elif not block:
            break
        for query in block:
            if on_result:
                on_result()
            yield _NO_NAME if query is None else known[query_key(query)]
        if len(known) > KEPT_RESULTS:
            needed = {query_key(q) for item in pending for q in item[0] if q is not None}
            known = {key: value for key, value in known.items() if key in needed}


def results_payload(matches: list[Match] | None) -> list[dict[str, Any]]:
    return [m.to_dict() for m in matches or []]
