"""NormalizePipeline: clean text, dates to Asia/Shanghai, region, summary (aggregator.normalize)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from scrapy.crawler import Crawler

from aggregator.clock import crawl_now
from aggregator.crawl.responses import bump
from aggregator.normalize import normalize_record
from aggregator.records import ArticleItem
from aggregator.sources import Registry, load_registry


class NormalizePipeline:
    """Normalize each item's record in place."""

    def __init__(self, registry: Registry, now: datetime, stats: object | None = None) -> None:
        self.registry = registry
        self.now = now
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(load_registry(settings.get("UNION_NEWS_SOURCES")), crawl_now(settings.get("UNION_NEWS_NOW") or None),
                   crawler.stats)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        record = item.record
        if self.stats is not None:
            bump(self.stats, record.source_id, "items")
        # Relative dates ("3小时前") count from when the page was fetched, which is now during a crawl.
        normalize_record(record, self.registry.sources.get(record.source_id), self.now, item.list_entry)
        return item
