"""DeduplicatePipeline: drop what the store already holds (same URL, alias, WeChat key or same-source text).

Pages that are not articles (deleted, verification gate, empty) are recorded for a later retry and dropped.
Near-duplicates from other outlets are not dropped: they join the same story when stored.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy import Connection

from aggregator.clock import crawl_now
from aggregator.crawl.responses import bump
from aggregator.records import ArticleItem
from aggregator.store import Store, shared_store
from aggregator.store.writer import (add_aliases, find_existing, may_be_stored, record_fetch_status,
                                     resolves_provisional, same_source_copy)

logger = logging.getLogger(__name__)


class DeduplicatePipeline:
    """Exact deduplication against the whole store."""

    def __init__(self, store: Store, now: datetime, stats: object | None = None) -> None:
        self.store = store
        self.now = now
        self.stats = stats
        self._connection: Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(shared_store(settings.get("UNION_NEWS_DB") or None), crawl_now(settings.get("UNION_NEWS_NOW") or None),
                   crawler.stats)

    def close_spider(self) -> None:
        """Give the probes' connection back to the pool."""
        self._release()

    def _release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _may_be_stored(self, record: ArticleRecord) -> bool:
        """may_be_stored() on the connection this pipeline keeps for the crawl."""
        # Checking a connection out of the pool and back for each item cost ~100 us of CPU per item in a crawl.
        if self._connection is None:
            self._connection = self.store.engine.connect()
        try:
            found = may_be_stored(self._connection, record)
        except BaseException:
            self._release()  # a broken connection is not kept; the next item checks out a new one
            raise
        # No transaction stays open between items: PostgreSQL would keep its snapshot and table locks.
        self._connection.rollback()
        return found

    def _bump(self, source_id: str, key: str) -> None:
        if self.stats is not None:
            bump(self.stats, source_id, key)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        record = item.record
        if record.status in ("deleted", "blocked", "empty"):
            with self.store.session() as session:
                record_fetch_status(session, record.url, record.source_id, record.status, self.now,
                                    f"{record.status} page at {item.page.url if item.page else record.url}")
            self._bump(record.source_id, "blocked" if record.status == "blocked" else "empty_bodies")
            raise DropItem(f"{record.source_id}: {record.status} page {record.url}")
        if not self._may_be_stored(record):  # read-only and ORM-free: most items are new
            return item
        reason = None
        with self.store.session() as session:  # commit the aliases before dropping the item
            existing = find_existing(session, record)
            copy = same_source_copy(session, record) if existing is None else None
            target = existing or copy
            if target is not None and resolves_provisional(target, record):
                pass  # a WeChat article stored under its short link learns its key: save_article upgrades it
            elif existing is not None and not (existing.status == "truncated" and record.status == "ok"):
                add_aliases(session, existing, [record.url, *record.aliases])
                reason = f"duplicate of article {existing.id} ({existing.url})"
            elif existing is None and copy is not None:
                add_aliases(session, copy, [record.url, *record.aliases])
                reason = f"same text as article {copy.id} ({copy.url})"
        if reason:
            self._bump(record.source_id, "duplicates")
            raise DropItem(f"{record.source_id}: {reason}")
        return item
