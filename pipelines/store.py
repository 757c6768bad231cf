"""StorePipeline: write articles (and their raw pages) to the store and attach them to their stories.

Articles are committed in small groups (group commit): every UNION_NEWS_COMMIT_ITEMS articles, every
UNION_NEWS_COMMIT_SECONDS seconds and when the spider closes. A commit with synchronous=FULL costs an fsync
(milliseconds, more than processing the article), so one per article would cap the crawl at a few hundred
pages per second of CPU it never uses. A run killed between commits loses at most the articles of the
open group, which were not stored: the next run does not know their URLs and fetches them again.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from typing import Any, Self

from scrapy.crawler import Crawler

from aggregator.clock import crawl_now
from aggregator.crawl.responses import bump
from aggregator.processing import store_batch
from aggregator.records import ArticleItem
from aggregator.sources import Registry, load_registry
from aggregator.store import Store, shared_store
from aggregator.store.writer import sync_sources

logger = logging.getLogger(__name__)


class StorePipeline:
    """Group-committed writes: a crash loses at most the open group, which the next run fetches again."""

    def __init__(self, store: Store, registry: Registry, now: datetime, keep_raw: bool = True,
                 stats: object | None = None, commit_items: int = 50, commit_seconds: float = 2.0) -> None:
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

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(shared_store(settings.get("UNION_NEWS_DB") or None), load_registry(settings.get("UNION_NEWS_SOURCES")),
                   crawl_now(settings.get("UNION_NEWS_NOW") or None), settings.getbool("UNION_NEWS_KEEP_RAW", True),
                   crawler.stats, settings.getint("UNION_NEWS_COMMIT_ITEMS", 50),
                   settings.getfloat("UNION_NEWS_COMMIT_SECONDS", 2.0))

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
        if not self.pending:
            self._opened = time.monotonic()
        self.pending.append(item)
        if len(self.pending) >= self.commit_items or time.monotonic() - self._opened >= self.commit_seconds:
            self.flush()
        return item

    def _flush_if_due(self) -> None:
        if self.pending and time.monotonic() - self._opened >= self.commit_seconds:
            self.flush()

    def flush(self) -> None:
        """Commit the open group; count each article as new, duplicate, updated or an error of its source."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        results = store_batch(self.store, [(it.record, it.page) for it in batch], self.now, self.keep_raw)
        for it, result in zip(batch, results):
            source_id = it.record.source_id
            if isinstance(result, Exception):
                logger.error("%s: could not store %s: %s", source_id, it.record.url, result)
                if self.stats is not None:
                    bump(self.stats, source_id, "errors")
                    self.stats.set_value(f"source/{source_id}/last_error",  # type: ignore[attr-defined]
                                         f"store: {result}")
            elif self.stats is not None:
                bump(self.stats, source_id, result.status)

    def close_spider(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.flush()
