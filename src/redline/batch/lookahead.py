"""Rows read in blocks, what they need looked up once, on a process pool, ahead.

Both local engines (``screen-file``'s :mod:`redline.batch.parallel` and ``batch``'s
:func:`redline.batch.engine.run_local`) screen files whose rows repeat themselves:
the same customer on many rows, the same supplier in every order.  They read the rows
in blocks; each block's distinct keys that nobody asked for yet go to the pool, while
the caller works on the oldest block whose values are back.  The caller keeps the
values (and drops them as it likes: :meth:`Lookahead.waiting` names the rows still to
come), so a key is looked up once, whichever row needs it first.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from itertools import islice
from multiprocessing.pool import AsyncResult, Pool
from typing import Generic, TypeVar

Row = TypeVar("Row")
Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Lookahead(Generic[Row, Key, Value]):
    """Blocks of rows with the values of the keys they need, in order.

    ``pool`` ``None`` looks the keys up in this process, block by block.
    """

    def __init__(
        self,
        pool: Pool | None,
        look_up: Callable[[Key], Value],
        *,
        workers: int,
        block_rows: int,
        ahead: int,
    ) -> None:
        self.pool = pool
        self.look_up = look_up
        self.workers = workers
        self.block_rows = block_rows
        self.ahead = ahead
        self._pending: deque[tuple[list[Row], list[Key], AsyncResult[list[Value]]]] = deque()
        self._asked: set[Key] = set()  # sent to the pool, not back yet

    def blocks(
        self, rows: Iterable[Row], needs: Callable[[list[Row]], Iterable[Key]]
    ) -> Iterator[tuple[list[Row], list[Key], list[Value]]]:
        """Each block of ``rows``, in order, with the keys it sent and their values.

        ``needs(block)`` names the keys the block's rows need that the caller does not
        hold.  The caller stores each block's values before it asks for the next
        block; a key an earlier block sent, still on its way, is not sent again.
        """
        rows = iter(rows)
        while True:
            block = list(islice(rows, self.block_rows))
            if block:
                keys = list(dict.fromkeys(k for k in needs(block) if k not in self._asked))
                if self.pool is None:
                    yield block, keys, [self.look_up(key) for key in keys]
                    continue
                self._asked.update(keys)
                chunk = max(1, min(32, len(keys) // (4 * self.workers)))
                self._pending.append((block, keys, self.pool.map_async(self.look_up, keys, chunk)))
                if len(self._pending) <= self.ahead:
                    continue
            if not self._pending:
                return
            done, keys, result = self._pending.popleft()
            yield done, keys, result.get()
            self._asked.difference_update(keys)  # the caller holds them now

    def waiting(self) -> Iterator[Row]:
        """The rows of the blocks sent and not yet returned (their keys' values must
        be kept, or come back, by the time they are)."""
        for block, _keys, _result in self._pending:
            yield from block


def collector_off() -> None:
    """Initialiser of pool workers: the cyclic garbage collector off.

    A worker screens, and screening makes next to no cyclic garbage (6 objects in
    5,500 queries) while its caches only grow; left on, the collector scans them again
    and again: 8 % of a worker's time, measured on 4,800 queries in blocks alternately
    with it on and off.  Memory is still freed by reference counting."""
    gc.disable()
    gc.freeze()
