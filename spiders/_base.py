"""What both spiders share: the registry, the crawl clock and window, and the store's knowledge of known URLs."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from aggregator import clock
from aggregator.clock import crawl_now
from aggregator.crawl.blocking import Blocked
from aggregator.crawl.responses import bump
from aggregator.dates import date_from_url, parse_date
from aggregator.sources import Registry, Source, load_registry
from aggregator.store import Store, shared_store
from aggregator.store.queries import is_known

logger = logging.getLogger(__name__)

# Final answers (after retries) that mean "not for you": refused, rate-limited, challenged.
BLOCK_STATUSES = {403, 412, 418, 429, 521, 555}


class RegistrySpider(scrapy.Spider):
    """A spider driven by the source registry; subclasses pick the sources of their kind."""

    kind = "site"

    def __init__(self, sources: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.only = [s for s in (sources or "").split(",") if s]
        self.registry: Registry | None = None
        self.store: Store | None = None
        self.now: datetime = crawl_now()
        self.window_days = 14
        self.refresh = False
        self.max_list_pages = 20

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> RegistrySpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.registry = load_registry(settings.get("UNION_NEWS_SOURCES"))
        only = spider.only or settings.getlist("UNION_NEWS_ONLY_SOURCES")
        spider.only = list(only)
        # A pinned crawl clock (the demo, tests) also dates what is fetched: fetched_at becomes reproducible.
        clock.pin(settings.get("UNION_NEWS_NOW") or None)
        spider.now = crawl_now()
        spider.window_days = settings.getint("UNION_NEWS_WINDOW_DAYS", 14)
        spider.refresh = settings.getbool("UNION_NEWS_REFRESH")
        spider.max_list_pages = settings.getint("UNION_NEWS_MAX_LIST_PAGES", 20)
        spider.store = shared_store(settings.get("UNION_NEWS_DB") or None)
        return spider

    def my_sources(self) -> list[Source]:
        """Enabled sources of this spider's kind (or the ones named with -a sources=...)."""
        assert self.registry is not None
        only = [s for s in self.only if self.registry.sources.get(s) and self.registry.sources[s].kind == self.kind]
        if self.only and not only:
            return []
        return [s for s in self.registry.enabled(only or None) if s.kind == self.kind]

    def cutoff(self, source: Source) -> datetime:
        """Articles published before this are not fetched."""
        return self.now - timedelta(days=source.window_days or self.window_days)

    def too_old(self, source: Source, date_raw: str | None, url: str) -> bool:
        """True when the list's date (or the URL's) says the article is outside the window."""
        parsed = parse_date(date_raw, now=self.now) if date_raw else None
        parsed = parsed or date_from_url(url)
        return parsed is not None and parsed.value.date() < self.cutoff(source).date()

    def known(self, url: str) -> bool:
        """True when the URL is stored already (and --refresh is off)."""
        if self.refresh or self.store is None:
            return False
        with self.store.sessions() as session:
            return is_known(session, url)

    def on_error(self, failure: Failure) -> None:
        """Count a failed request for its source: blocked for anti-bot statuses, else an error.

        Challenge pages were counted by the block detection middleware already; requests robots.txt
        forbids are not errors (the site said no, we obeyed) but are counted and named in the report.
        """
        request = failure.request  # type: ignore[attr-defined]
        source_id = request.meta.get("source_id", "unknown")
        if failure.check(Blocked):
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):  # HttpError is an IgnoreRequest too
            bump(self.crawler.stats, source_id, "robots_forbidden")
            logger.info("%s: %s (%s)", source_id, failure.getErrorMessage(), request.url)
            if not self.crawler.stats.get_value(f"source/{source_id}/last_error"):
                self.crawler.stats.set_value(f"source/{source_id}/last_error",
                                             f"forbidden by robots.txt: {request.url}")
            return
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        if status in BLOCK_STATUSES:
            bump(self.crawler.stats, source_id, "blocked")
            logger.warning("%s: blocked (HTTP %s) at %s", source_id, status, request.url)
        else:
            bump(self.crawler.stats, source_id, "errors")
            reason = f"HTTP {status}" if status else failure.getErrorMessage()
            logger.error("%s: failed %s: %s", source_id, request.url, reason)
            self.crawler.stats.set_value(f"source/{source_id}/last_error", f"{reason} at {request.url}")
