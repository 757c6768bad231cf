"""RunStats: per-source figures of a crawl (pages, items, new, duplicates, errors, blocked) into crawl_run_sources.

The figures are written every UNION_NEWS_STATS_FLUSH_SECONDS while the spider runs, not only when it closes,
so a run killed in the middle still leaves what it had done in its record.
"""

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

FIGURE_PREFIX = "source/"
FIGURES = ("pages", "list_pages", "article_links", "items", "new", "duplicates", "errors", "blocked", "not_modified",
           "empty_bodies")


class RunStats:
    """Counts responses per source and adds every source's figures to the run's rows, periodically and at close."""

    def __init__(self, crawler: Crawler, store: Store | None, run_id: int | None, interval: float = 15.0) -> None:
        self.crawler = crawler
        self.store = store
        self.run_id = run_id
        self.interval = interval
        self.written: dict[str, dict[str, int]] = {}  # what this crawler has already added to the rows
        self.sources: list[str] = []
        self._ticker: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run_id = crawler.settings.get("UNION_NEWS_RUN_ID")
        store = shared_store(crawler.settings.get("UNION_NEWS_DB") or None) if run_id else None
        ext = cls(crawler, store, int(run_id) if run_id else None,
                  crawler.settings.getfloat("UNION_NEWS_STATS_FLUSH_SECONDS", 15.0))
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
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
            if not key.startswith(FIGURE_PREFIX):
                continue
            _, source_id, name = key.split("/", 2)
            out.setdefault(source_id, {})[name] = value
        return out

    def spider_opened(self, spider: Spider) -> None:
        spider_sources = getattr(spider, "my_sources", None)
        self.sources = [s.id for s in spider_sources()] if spider_sources else []
        if self.store is None or self.run_id is None or self.interval <= 0:
            return
        from twisted.internet import task

        self._ticker = task.LoopingCall(self.flush)
        self._ticker.start(self.interval, now=False)

    def flush(self) -> None:
        """Add what changed since the last flush to the run's rows, in one committed transaction."""
        if self.store is None or self.run_id is None:
            return
        figures = self.per_source()
        for source_id in self.sources:
            figures.setdefault(source_id, {})
        committed: dict[str, dict[str, int]] = {}
        try:
            with self.store.session() as session:
                for source_id, values in figures.items():
                    done = self.written.get(source_id, {})
                    delta = {name: int(values.get(name, 0)) - done.get(name, 0) for name in FIGURES}
                    row = session.scalar(select(CrawlRunSource).where(CrawlRunSource.run_id == self.run_id,
                                                                      CrawlRunSource.source_id == source_id))
                    if row is None:
                        row = CrawlRunSource(run_id=self.run_id, source_id=source_id, **{f: 0 for f in FIGURES})
                        session.add(row)
                    for name in FIGURES:
                        setattr(row, name, (getattr(row, name) or 0) + delta[name])
                    if values.get("last_error"):
                        row.message = str(values["last_error"])[:1000]
                    session.flush()
                    committed[source_id] = {name: int(values.get(name, 0)) for name in FIGURES}
        except Exception:  # figures are a report, not the crawl: never let them stop it (next flush retries)
            logger.exception("could not write run %s figures", self.run_id)
            return
        self.written.update(committed)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._ticker is not None and self._ticker.running:
            self._ticker.stop()
        self.flush()
