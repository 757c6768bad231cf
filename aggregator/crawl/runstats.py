"""RunStats: per-source figures of a crawl (pages, items, new, duplicates, errors, blocked) into crawl_run_sources."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from sqlalchemy import select

from aggregator.crawl.responses import bump
from aggregator.store import Store, shared_store
from aggregator.store.models import CrawlRunSource

logger = logging.getLogger(__name__)

FIGURES = ("pages", "list_pages", "article_links", "items", "new", "duplicates", "errors", "blocked", "not_modified",
           "empty_bodies")


class RunStats:
    """Counts responses per source and writes every source's figures to the run's rows when a spider closes."""

    def __init__(self, crawler: Crawler, store: Store | None, run_id: int | None) -> None:
        self.crawler = crawler
        self.store = store
        self.run_id = run_id

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id = crawler.settings.get("UNION_NEWS_RUN_ID")
        store = shared_store(crawler.settings.get("UNION_NEWS_DB") or None) if run_id else None
        ext = cls(crawler, store, int(run_id) if run_id else None)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        source_id = request.meta.get("source_id")
        if source_id:
            bump(self.crawler.stats, source_id, "pages")
            if response.status == 304:
                bump(self.crawler.stats, source_id, "not_modified")

    def spider_error(self, failure: Any, response: Response, spider: Spider) -> None:
        source_id = response.meta.get("source_id") if response is not None else None
        if source_id:
            bump(self.crawler.stats, source_id, "errors")
            self.crawler.stats.set_value(f"source/{source_id}/last_error", f"{failure.getErrorMessage()} at {response.url}")

    def per_source(self) -> dict[str, dict[str, Any]]:
        """This crawler's figures by source id."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in (self.crawler.stats.get_stats() or {}).items():
            if not key.startswith("source/"):
                continue
            _, source_id, name = key.split("/", 2)
            out.setdefault(source_id, {})[name] = value
        return out

    def spider_closed(self, spider: Spider, reason: str) -> None:
        figures = self.per_source()
        spider_sources = getattr(spider, "my_sources", None)
        for source in spider_sources() if spider_sources else []:
            figures.setdefault(source.id, {})
        if self.store is None or self.run_id is None:
            return
        with self.store.session() as session:
            for source_id, values in figures.items():
                row = session.scalar(select(CrawlRunSource).where(CrawlRunSource.run_id == self.run_id,
                                                                  CrawlRunSource.source_id == source_id))
                if row is None:
                    row = CrawlRunSource(run_id=self.run_id, source_id=source_id, **{f: 0 for f in FIGURES})
                    session.add(row)
                for name in FIGURES:
                    setattr(row, name, (getattr(row, name) or 0) + int(values.get(name, 0)))
                if values.get("last_error"):
                    row.message = str(values["last_error"])[:1000]
