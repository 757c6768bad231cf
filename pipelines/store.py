"""StorePipeline: write each article (and its raw page) to the store and attach it to its story."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Self

from scrapy.crawler import Crawler

from aggregator.clock import crawl_now
from aggregator.crawl.responses import bump
from aggregator.processing import store_record
from aggregator.records import ArticleItem
from aggregator.sources import Registry, load_registry
from aggregator.store import Store, shared_store
from aggregator.store.writer import sync_sources

logger = logging.getLogger(__name__)


class StorePipeline:
    """One committed transaction per article: a crash loses at most the article in flight."""

    def __init__(self, store: Store, registry: Registry, now: datetime, keep_raw: bool = True,
                 stats: object | None = None) -> None:
        self.store = store
        self.registry = registry
        self.now = now
        self.keep_raw = keep_raw
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(shared_store(settings.get("UNION_NEWS_DB") or None), load_registry(settings.get("UNION_NEWS_SOURCES")),
                   crawl_now(settings.get("UNION_NEWS_NOW") or None), settings.getbool("UNION_NEWS_KEEP_RAW", True),
                   crawler.stats)

    def open_spider(self) -> None:
        with self.store.session() as session:
            sync_sources(session, self.registry)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        result = store_record(self.store, item.record, item.page, self.now, self.keep_raw)
        if self.stats is not None:
            bump(self.stats, item.record.source_id, "new" if result.status == "new" else result.status)
        return item
