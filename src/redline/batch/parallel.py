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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial
from multiprocessing.pool import Pool
from typing import TypeVar

import orjson

from redline.batch.lookahead import Lookahead, collector_off
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

#: What a row without a name gets, whatever the results are made of.
_NO_NAME = (None, "no name")

R = TypeVar("R")
#: A query's results as ``screen-file`` writes them: the JSON array, encoded.
EncodedResult = tuple[bytes | None, str | None]


def _init_worker(settings: Settings, config: MatchConfig) -> None:
    global _worker
    _worker = Screener.open(settings, config)
    collector_off()


def _screen_one(args: tuple[Query, int, float | None]) -> ScreenResult:
    query, limit, threshold = args
    assert _worker is not None
    try:
        return _worker.screen(query, limit=limit, threshold=threshold), None
    except Exception as exc:  # one bad row must not sink the batch; it is reported
        return None, f"{type(exc).__name__}: {exc}"


def _screen_encoded(args: tuple[Query, int, float | None]) -> EncodedResult:
    matches, error = _screen_one(args)
    return (None if matches is None else encode_results(matches)), error


def encode_results(matches: list[Match]) -> bytes:
    """``matches`` as the JSON array of their dictionaries (``Match.to_dict``)."""
    return orjson.dumps([m.to_dict() for m in matches], option=orjson.OPT_SERIALIZE_NUMPY)


def query_key(query: Query) -> Query:
    """What the results of ``query`` depend on: the query without its row ``id``."""
    return replace(query, id=None) if query.id is not None else query


def _screen_key(
    screen: Callable[[tuple[Query, int, float | None]], R],
    limit: int,
    threshold: float | None,
    query: Query,
) -> R:
    return screen((query, limit, threshold))


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
    yield from _run(
        _screen_one, settings, queries, config, limit, threshold, workers, on_result, screener
    )


def screen_many_encoded(
    settings: Settings,
    queries: Iterable[Query | None],
    *,
    config: MatchConfig | None = None,
    limit: int = 10,
    threshold: float | None = None,
    workers: int | None = None,
    on_result: Callable[[], None] | None = None,
    screener: Screener | None = None,
) -> Iterator[EncodedResult]:
    """As :func:`screen_many`, each result already the JSON array ``screen-file`` writes
    (:func:`encode_results`), made by the workers: the parent, which shares the cores
    with them, then neither unpickles the matches nor encodes them."""
    yield from _run(
        _screen_encoded, settings, queries, config, limit, threshold, workers, on_result, screener
    )


def _run(
    screen: Callable[[tuple[Query, int, float | None]], tuple[R | None, str | None]],
    settings: Settings,
    queries: Iterable[Query | None],
    config: MatchConfig | None,
    limit: int,
    threshold: float | None,
    workers: int | None,
    on_result: Callable[[], None] | None,
    screener: Screener | None,
) -> Iterator[tuple[R | None, str | None]]:
    global _worker
    config = config or MatchConfig()
    count = workers or os.cpu_count() or 1
    if not hasattr(os, "fork"):
        context = mp.get_context()
        with context.Pool(count, initializer=_init_worker, initargs=(settings, config)) as pool:
            yield from _answer(pool, screen, queries, limit, threshold, count, on_result)
        return
    # Load the index once; forked workers inherit it instead of loading it again.
    _worker = screener if screener is not None else Screener.open(settings, config)
    if count <= 1:
        yield from _answer(None, screen, queries, limit, threshold, count, on_result)
        return
    with mp.get_context("fork").Pool(count, initializer=collector_off) as pool:
        yield from _answer(pool, screen, queries, limit, threshold, count, on_result)


def _answer(
    pool: Pool | None,
    screen: Callable[[tuple[Query, int, float | None]], tuple[R | None, str | None]],
    queries: Iterable[Query | None],
    limit: int,
    threshold: float | None,
    count: int,
    on_result: Callable[[], None] | None,
) -> Iterator[tuple[R | None, str | None]]:
    """Results for ``queries`` in order, each distinct query screened once (on
    ``pool``, or in this process without one)."""
    known: dict[Query, tuple[R | None, str | None]] = {}
    ahead: Lookahead[Query | None, Query, tuple[R | None, str | None]] = Lookahead(
        pool,
        partial(_screen_key, screen, limit, threshold),
        workers=count,
        block_rows=BLOCK_ROWS,
        ahead=BLOCKS_AHEAD,
    )
    keys = (None if query is None else query_key(query) for query in queries)

    def needs(block: list[Query | None]) -> list[Query]:
        return [key for key in block if key is not None and key not in known]

    for block, sent, results in ahead.blocks(keys, needs):
        known.update(zip(sent, results, strict=True))
        for key in block:
            if on_result:
                on_result()
            yield _NO_NAME if key is None else known[key]
        if len(known) > KEPT_RESULTS:
            waiting = set(ahead.waiting())
            known = {key: value for key, value in known.items() if key in waiting}
