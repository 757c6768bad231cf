"""Conditional GET for list pages: If-None-Match / If-Modified-Since from the http_cache table.

A list page that answers 304 Not Modified holds nothing new, so the spider stops there. The table also
tells when a dated list page (an e-paper's issue) was last answered, 200 or 404, which makes it settled
once its day is over (aggregator.crawl.incremental.settled). Validators are
written back only when the spider finished normally and only for sources without errors or blocks in the
run: otherwise a 304 next time could hide articles that this run failed to fetch.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Self

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from aggregator.clock import crawl_now
from aggregator.crawl.incremental import save_validators, validators
from aggregator.store import Store, shared_store

logger = logging.getLogger(__name__)


class ConditionalGetMiddleware:
    """Adds validators to list requests and remembers the ones list pages answer with."""

    def __init__(self, store: Store | None, stats: object | None = None, now: datetime | None = None) -> None:
        self.store = store
        self.stats = stats
        self.now = now or crawl_now()
        self.answered: dict[str, dict[str, tuple[str | None, str | None]]] = {}  # source -> url -> validators

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        enabled = settings.getbool("UNION_NEWS_CONDITIONAL_GET", True) and not settings.getbool("UNION_NEWS_REFRESH")
        store = shared_store(settings.get("UNION_NEWS_DB") or None) if enabled else None
        middleware = cls(store, crawler.stats, crawl_now(settings.get("UNION_NEWS_NOW") or None))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    @staticmethod
    def applies(request: Request) -> bool:
        """Only GET requests for a source's list pages whose spider asked for it (meta "conditional") and so
        handles the 304 answer itself (handle_httpstatus_list); other spiders' requests pass untouched."""
        meta = request.meta
        return request.method == "GET" and bool(meta.get("conditional")) and bool(meta.get("source_id"))

    def process_request(self, request: Request) -> None:
        if self.store is None or not self.applies(request):
            return
        if b"If-None-Match" in request.headers or b"If-Modified-Since" in request.headers:
            return
        with self.store.sessions() as session:
            known = validators(session, request.url)
        if known is None:
            return
        etag, last_modified = known
        if etag:
            request.headers[b"If-None-Match"] = etag.encode("latin-1")
        if last_modified:
            request.headers[b"If-Modified-Since"] = last_modified.encode("latin-1")

    def process_response(self, request: Request, response: Response) -> Response:
        if self.store is None or request.method != "GET" or not request.meta.get("conditional"):
            return response
        source_id = request.meta.get("source_id")
        if not source_id:
            return response
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            last_modified = response.headers.get(b"Last-Modified")
            self.answered.setdefault(source_id, {})[response.url] = (
                etag.decode("latin-1") if etag else None, last_modified.decode("latin-1") if last_modified else None)
        elif response.status == 404 and request.meta.get("optional"):
            # A dated page that does not exist (no issue that day): remembered without validators, so that
            # once its day is over it counts as settled and is not asked for again.
            self.answered.setdefault(source_id, {})[response.url] = (None, None)
        elif response.status == 304:
            sent_etag = request.headers.get(b"If-None-Match")
            sent_lm = request.headers.get(b"If-Modified-Since")
            self.answered.setdefault(source_id, {})[response.url] = (
                sent_etag.decode("latin-1") if sent_etag else None, sent_lm.decode("latin-1") if sent_lm else None)
        return response

    def _clean(self, source_id: str) -> bool:
        if self.stats is None:
            return True
        get = self.stats.get_value  # type: ignore[attr-defined]
        return not any(get(f"source/{source_id}/{key}", 0) for key in ("errors", "blocked", "skipped_blocked"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.store is None or not self.answered:
            return
        if reason != "finished":
            logger.info("crawl ended (%s): list validators not saved, the next run fetches every list page", reason)
            return
        rows = [(url, etag, lm) for source_id, pages in self.answered.items() if self._clean(source_id)
                for url, (etag, lm) in pages.items()]
        with self.store.session() as session:
            save_validators(session, rows, self.now)
        self.answered.clear()
