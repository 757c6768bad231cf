"""StorePipeline: write articles (and their raw pages) to the store and attach them to their stories.

Articles are committed in small groups (group commit): every UNION_NEWS_COMMIT_ITEMS articles, every
UNION_NEWS_COMMIT_SECONDS seconds and when the spider closes. A commit with synchronous=FULL costs an fsync
(milliseconds, more than processing the article), so one per article would cap the crawl at a few hundred
pages per second of CPU it never uses. A run killed between commits loses at most the articles of the
open group, which were not stored: the next run does not know their URLs and fetches them again.

A crawl with much to write (its first group fills up) hands the groups to a StoreWorker, a child process
that writes them on another core while the crawl goes on (UNION_NEWS_STORE_WORKER, on by default). Small
crawls never start it: starting a Python process costs more than writing a few dozen articles. Groups wait
for the child in order; at most UNION_NEWS_STORE_QUEUE of them are queued, after which the crawl waits, so
a slow store slows the crawl instead of filling memory. If the child dies, the groups it did not finish are
written here, and so is everything after.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Self

from scrapy.crawler import Crawler

from aggregator.clock import crawl_now
from aggregator.crawl.responses import bump
from aggregator.processing import store_batch
from aggregator.records import ArticleItem
from aggregator.sources import Registry, load_registry
from aggregator.store import Store, shared_store
from aggregator.store.worker import Outcome, StoreWorker, can_share, outcomes
from aggregator.store.writer import sync_sources

logger = logging.getLogger(__name__)


class StorePipeline:
    """Group-committed writes: a crash loses at most the open group, which the next run fetches again."""

    def __init__(self, store: Store, registry: Registry, now: datetime, keep_raw: bool = True,
                 stats: object | None = None, commit_items: int = 50, commit_seconds: float = 2.0,
                 worker: bool = False, worker_queue: int = 4) -> None:
        self.store = store
        self.registry = registry
        self.now = now
        self.keep_raw = keep_raw
        self.stats = stats
        self.commit_items = max(1, commit_items)
        self.commit_seconds = commit_seconds
        self.pending: list[ArticleItem] = []
        self._opened = time.monotonic()
        self._loop: Any = None
        # The URL with its password: the child connects on its own.
        self._url = store.engine.url.render_as_string(hide_password=False)
        self.use_worker = worker and can_share(self._url)
        self.worker_queue = max(1, worker_queue)
        self.worker: StoreWorker | None = None
        self._queued: list[tuple[list[ArticleItem], Future[list[Outcome]]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(shared_store(settings.get("UNION_NEWS_DB") or None), load_registry(settings.get("UNION_NEWS_SOURCES")),
                   crawl_now(settings.get("UNION_NEWS_NOW") or None), settings.getbool("UNION_NEWS_KEEP_RAW", True),
                   crawler.stats, settings.getint("UNION_NEWS_COMMIT_ITEMS", 50),
                   settings.getfloat("UNION_NEWS_COMMIT_SECONDS", 2.0), settings.getbool("UNION_NEWS_STORE_WORKER", True),
                   settings.getint("UNION_NEWS_STORE_QUEUE", 4))

    def open_spider(self) -> None:
        with self.store.session() as session:
            sync_sources(session, self.registry)
        self._start_timer()

    def _start_timer(self) -> None:
        """Commit a slow crawl's group on time too (only under a running reactor, i.e. in a real crawl)."""
        reactor = sys.modules.get("twisted.internet.reactor")
        if reactor is None or not getattr(reactor, "running", False) or self.commit_seconds <= 0:
            return
        from twisted.internet import task

        self._loop = task.LoopingCall(self._flush_if_due)
        self._loop.start(self.commit_seconds, now=False)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self._queued:
            self._collect()
        if not self.pending:
            self._opened = time.monotonic()
        self.pending.append(item)
        if len(self.pending) >= self.commit_items or time.monotonic() - self._opened >= self.commit_seconds:
            self.flush()
        return item

    def _flush_if_due(self) -> None:
        if self._queued:
            self._collect()
        if self.pending and time.monotonic() - self._opened >= self.commit_seconds:
            self.flush()

    def flush(self) -> None:
        """Commit the open group (here, or queued for the worker); count each article's outcome for its source."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        if self.worker is None and self.use_worker and len(batch) >= self.commit_items:
            self._start_worker()
        if self.worker is None:
            self._count(batch, self._write_here(batch))
            return
        try:
            future = self.worker.submit([(it.record, it.page) for it in batch], self.now, self.keep_raw)
        except Exception as exc:  # the child died since the last group: this one and the rest are written here
            self._worker_failed(exc)
            self._collect(keep=0)
            self._count(batch, self._write_here(batch))
            return
        self._queued.append((batch, future))
        # Back-pressure: past the queue's length the crawl waits for the oldest group.
        self._collect(keep=self.worker_queue)

    def _worker_failed(self, exc: BaseException) -> None:
        if self.worker is not None:
            logger.warning("the store worker failed (%s: %s); writing in the crawl's process from now on",
                           type(exc).__name__, exc)
            self._stop_worker()
        self.use_worker = False

    def _start_worker(self) -> None:
        try:
            self.worker = StoreWorker(self._url)
        except Exception as exc:  # no child process here (a sandbox, a limit): writing here works as well
            logger.warning("could not start the store worker (%s); writing in the crawl's process", exc)
            self.use_worker = False
        else:
            logger.info("writing to the store in a child process (the crawl has groups of %d to write)",
                        self.commit_items)

    def _write_here(self, batch: list[ArticleItem]) -> list[Outcome]:
        return outcomes(store_batch(self.store, [(it.record, it.page) for it in batch], self.now, self.keep_raw))

    def _collect(self, keep: int | None = None) -> None:
        """Count the groups the worker has written, oldest first; wait until at most `keep` are left queued.

        keep=None takes only those already done. A group the worker could not finish (it died) is written here.
        """
        while self._queued:
            batch, future = self._queued[0]
            if not future.done() and (keep is None or len(self._queued) <= keep):
                return
            self._queued.pop(0)
            waited = time.monotonic()
            try:
                results = future.result()
            except Exception as exc:  # BrokenProcessPool, or the group could not be sent: nothing may be lost
                self._worker_failed(exc)
                results = self._write_here(batch)
            else:
                if self.stats is not None:
                    self.stats.inc_value("store/worker_groups")  # type: ignore[attr-defined]
                    # Time the crawl stood waiting for the worker: large when the store, not the crawl, sets the pace.
                    self.stats.inc_value("store/worker_wait_seconds", round(time.monotonic() - waited, 3))  # type: ignore[attr-defined]
            self._count(batch, results)

    def _count(self, batch: Sequence[ArticleItem], results: Sequence[Outcome]) -> None:
        for it, result in zip(batch, results):
            source_id = it.record.source_id
            if result.status is None:
                logger.error("%s: could not store %s: %s", source_id, it.record.url, result.error)
                if self.stats is not None:
                    bump(self.stats, source_id, "errors")
                    self.stats.set_value(f"source/{source_id}/last_error",  # type: ignore[attr-defined]
                                         f"store: {result.error}")
            elif self.stats is not None:
                bump(self.stats, source_id, result.status)

    def _stop_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            try:
                worker.close()
            except Exception:  # a broken pool may complain on shutdown; its groups are accounted for
                logger.debug("closing the store worker", exc_info=True)

    def close_spider(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.flush()
        self._collect(keep=0)
        self._stop_worker()
