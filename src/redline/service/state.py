"""The screener the service answers from, swapped for a new one when the lists change.

Building an index over every list takes tens of seconds, so the service never does it
inside a request: a background thread watches :meth:`Store.state_token` and, when a
list version is activated, builds a new :class:`Screener` beside the old one and then
replaces a single reference.  A request takes that reference once (:meth:`current`)
and uses it throughout, so every answer comes from one set of list versions, old or
new, never a mix, and no restart is needed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from redline.match import Screener
from redline.store import Store, VersionInfo

log = logging.getLogger(__name__)

#: Builds a screener over the store's active versions (tests pass a small one).
ScreenerFactory = Callable[[Store], Screener]


class NotReady(RuntimeError):
    """The first index is still being built."""


@dataclass(frozen=True)
class Snapshot:
    """One consistent view: a screener and the list versions its index was built from."""

    screener: Screener
    versions: Mapping[str, VersionInfo]
    token: str
    built_at: datetime

    @property
    def version_ids(self) -> dict[str, int]:
        """Source -> version sequence number (what audit records and alerts name)."""
        return {source: info.seq for source, info in sorted(self.versions.items())}


def token_of(versions: Mapping[str, VersionInfo]) -> str:
    """The :meth:`Store.state_token` that these active versions correspond to."""
    return ";".join(f"{source}={info.id}" for source, info in sorted(versions.items()))


class ScreenerHolder:
    """Holds the current :class:`Snapshot` and replaces it when the store changes.

    ``initial`` lets a caller hand over a screener it already built (tests, or a
    process that built one before serving); otherwise the first one is built in the
    background by :meth:`start`, and :meth:`current` raises :class:`NotReady` until then.
    """

    def __init__(
        self,
        store: Store,
        factory: ScreenerFactory,
        *,
        poll_seconds: float = 5.0,
        initial: Screener | None = None,
    ) -> None:
        self.store = store
        self.factory = factory
        self.poll_seconds = poll_seconds
        self._snapshot: Snapshot | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        #: The last error met while building, kept for ``/readyz`` and logs.
        self.last_error: str | None = None
        if initial is not None:
            versions = store.active_versions()
            if initial.index.state != token_of(versions):
                raise ValueError("the initial screener was not built from the store's lists")
            self._snapshot = Snapshot(initial, versions, initial.index.state, _now())

    # -- reading ------------------------------------------------------------

    def current(self) -> Snapshot:
        """The snapshot to answer one request from (take it once per request)."""
        snapshot = self._snapshot
        if snapshot is None:
            raise NotReady("the list index is still being built")
        return snapshot

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    # -- lifecycle ----------------------------------------------------------

    def start(self) -> None:
        """Start watching the store (idempotent); builds the first index if needed."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, name="redline-screener-refresh", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop watching; a build under way finishes in the background thread."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None

    def refresh(self) -> bool:
        """Build and swap in a new screener if the store's lists changed; True if swapped."""
        current = self._snapshot
        if current is not None and self.store.state_token() == current.token:
            return False
        snapshot = self._build()
        if snapshot is None:
            return False
        self._snapshot = snapshot
        log.info("screening index now at %s", snapshot.token)
        return True

    def _build(self) -> Snapshot | None:
        """A screener whose index matches the versions read beside it.

        A load may activate a version while the index is built (its entities would
        then be read from the new version under the old token); the versions are read
        before and after, and the build is repeated until both agree with the index.
        """
        for _attempt in range(3):
            versions = self.store.active_versions()
            screener = self.factory(self.store)
            after = self.store.state_token()
            if screener.index.state == token_of(versions) == after:
                return Snapshot(screener, versions, after, _now())
        log.warning("lists kept changing while the index was built; will retry")
        return None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
                self.last_error = None
            except Exception as exc:  # the watcher must outlive one failed build
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("could not rebuild the screening index")
            self._stop.wait(self.poll_seconds)


def _now() -> datetime:
    return datetime.now(UTC)
