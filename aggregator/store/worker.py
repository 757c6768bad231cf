"""StoreWorker: commit groups of articles (store_batch, story matching included) in a child process.

Writing an article and matching it against the story index costs more CPU than fetching and parsing it,
and the crawl's reactor runs on one core. A child process does that part on another core while the crawl
goes on. It is the standard library's ProcessPoolExecutor with one worker: groups are written in the order
they were submitted, each group is one committed transaction as before, and a worker that dies surfaces as
BrokenProcessPool on the futures of the groups it did not finish, which the caller writes itself.

The child is started with "spawn": forking a process whose Twisted reactor runs (threads, sockets, an open
SQLite connection) is unsafe. It leaves when its parent is gone, after the group it is writing, if any, so
a killed crawl leaves no process behind holding the database.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context

from sqlalchemy import make_url

from aggregator.heap import settle_heap
from aggregator.processing import describe_error, store_batch
from aggregator.records import ArticleRecord, Page
from aggregator.store import Store, open_store
from aggregator.store.writer import SaveResult

logger = logging.getLogger(__name__)

Batch = Sequence[tuple[ArticleRecord, Page | None]]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one record: its save status (new, duplicate, updated), or the error that lost it."""

    status: str | None
    error: str | None = None


def outcomes(results: Sequence[SaveResult | Exception]) -> list[Outcome]:
    """Picklable outcomes of store_batch's results (an ORM row does not cross processes; its status does)."""
    return [Outcome(None, describe_error(r)) if isinstance(r, Exception) else Outcome(r.status) for r in results]


def can_share(url: str) -> bool:
    """Whether a second process can open the database at `url` (an in-memory SQLite database is private)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    database = parsed.database or ""
    return database not in ("", ":memory:") and parsed.query.get("mode") != "memory"


# --- in the child ------------------------------------------------------------------------------------------
_store: Store | None = None
_busy = threading.Event()


def _watch_parent(parent: int, interval: float = 0.5) -> None:
    """Leave once the parent is gone (its pid no longer ours), letting a group being written finish first."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent and not _busy.is_set():
            os._exit(0)


def _start(url: str, parent: int, level: int) -> None:
    """Initializer of the child: open the store (already migrated by the parent) and watch the parent."""
    global _store
    # The child's warnings (a group retried one by one) go to stderr, which cron captures with the rest.
    logging.basicConfig(level=level, format="%(asctime)s [%(name)s] %(levelname)s: %(message)s (store worker)")
    _store = open_store(url, upgrade=False)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watch").start()
    settle_heap()  # the child lives as long as the crawl, writing group after group


def _write(batch: Batch, now: datetime, keep_raw: bool) -> list[Outcome]:
    """Commit one group in the child; one outcome per record, in order."""
    assert _store is not None, "the store worker was not initialised"
    _busy.set()
    try:
        return outcomes(store_batch(_store, batch, now, keep_raw))
    finally:
        _busy.clear()


# --- in the crawl ------------------------------------------------------------------------------------------
class StoreWorker:
    """A child process committing groups of articles, in submission order."""

    def __init__(self, url: str) -> None:
        if not can_share(url):
            raise ValueError(f"a store worker cannot open a private in-memory database ({url})")
        self._executor = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=_start,
                                             initargs=(url, os.getpid(), logging.getLogger().getEffectiveLevel()))

    def submit(self, batch: Batch, now: datetime, keep_raw: bool = True) -> Future[list[Outcome]]:
        """Queue one group for writing; the future gives its outcomes, or BrokenProcessPool if the child died."""
        return self._executor.submit(_write, list(batch), now, keep_raw)

    def close(self) -> None:
        """Wait for the queued groups and stop the child."""
        self._executor.shutdown(wait=True)
