"""The shared pool helper of the local engines: blocks looked up once, workers quiet."""

from __future__ import annotations

import gc
import multiprocessing as mp

from redline.batch.lookahead import Lookahead, collector_off


def _collector_state(_: int) -> tuple[bool, int]:
    return gc.isenabled(), gc.get_freeze_count()


def test_pool_workers_run_without_the_cyclic_collector() -> None:
    # Made before the pool starts: the worker's inherited objects are frozen out.
    kept = [[i] for i in range(1000)]
    with mp.get_context("fork").Pool(1, initializer=collector_off) as pool:
        enabled, frozen = pool.map(_collector_state, [0])[0]
    assert kept and enabled is False
    assert frozen > 0
    assert gc.isenabled()  # the calling process keeps its collector


def _double(key: int) -> int:
    return key * 2


def test_each_key_looked_up_once_in_row_order() -> None:
    rows = [1, 2, 1, 3, 2, 4, 1]
    sent_all: list[int] = []

    def needs(block: list[int]) -> list[int]:
        return [r for r in block if r not in known]

    known: dict[int, int] = {}
    with mp.get_context("fork").Pool(2, initializer=collector_off) as pool:
        ahead: Lookahead[int, int, int] = Lookahead(pool, _double, workers=2, block_rows=2, ahead=1)
        out: list[int] = []
        for block, sent, values in ahead.blocks(rows, needs):
            sent_all.extend(sent)
            known.update(zip(sent, values, strict=True))
            out.extend(known[r] for r in block)
    assert out == [r * 2 for r in rows]
    # Key 1 is in three blocks, 2 in two; each went to the pool once.
    assert sorted(sent_all) == [1, 2, 3, 4]
