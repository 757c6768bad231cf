"""The spider for union websites: list pages by family, paging with a stop rule, article pages to records.

Incremental by the store's knowledge (aggregator.crawl.incremental): stored articles are not fetched
again, list pages are fetched conditionally, settled e-paper issues are skipped, and paging stops at the
first list page that holds nothing new within the window. A crawl that was killed is resumed by the next
run, which pages past already-stored articles until the window ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import scrapy
from scrapy.http import Response

from aggregator.crawl.incremental import begin_crawl, finish_crawl, known_urls, parked_urls, settled
from aggregator.crawl.responses import bump, page_from_response
from aggregator.dates import date_from_url
from aggregator.extract import extract_article
from aggregator.families import parse_list
from aggregator.records import ArticleItem, ListEntry
from aggregator.sources import Source
from spiders._base import RegistrySpider

logger = logging.getLogger(__name__)

# Articles go before further list pages: the queue stays short, and a run killed half-way leaves the
# newest pages complete (which is what the resume rule assumes).
ARTICLE_PRIORITY = 10
LIST_PRIORITY = 0
MISSING_DAYS_ERROR = 3


class SitesSpider(RegistrySpider):
    """Crawl every enabled union website of the registry (or those given with -a sources=id1,id2)."""

    name = "sites"
    kind = "site"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.resuming: set[str] = set()
        self.crawled: list[str] = []
        self.dated_lists: dict[str, list[int]] = {}  # source -> [dated list URLs asked, answered 404]

    async def start(self) -> AsyncIterator[Any]:
        sources = self.my_sources()
        self.crawled = [s.id for s in sources]
        if self.store is not None and sources:
            with self.store.session() as session:
                run_id = self.settings.get("UNION_NEWS_RUN_ID")
                self.resuming = begin_crawl(session, self.crawled, self.now, int(run_id) if run_id else None)
            for source_id in sorted(self.resuming):
                logger.warning("%s: its last crawl did not finish; resuming (paging past stored articles)", source_id)
        for source in sources:
            seen: set[str] = set()
            days = source.window_days or self.window_days
            for template in source.lists:
                # A template with {date:...} is one URL per day of the window (an e-paper's issues).
                dated = "{date:" in template
                for url in replace(source, lists=(template,)).list_urls(self.now.date(), days):
                    if url in seen:
                        continue
                    seen.add(url)
                    if dated and self.is_settled(source, url):
                        continue
                    if dated:
                        self.dated_lists.setdefault(source.id, [0, 0])[0] += 1
                    yield self.list_request(source, url, depth=0, optional=dated)

    # -- requests ----------------------------------------------------------------------------------
    def list_request(self, source: Source, url: str, depth: int, optional: bool = False,
                     form: dict[str, str] | None = None) -> scrapy.Request:
        """A request for a list page (304 answers reach parse_list; so do 404s of optional dated pages)."""
        statuses = [304, 404] if optional else [304]
        # Conditional GET (aggregator.crawl.conditional) for list pages, except when resuming or refreshing:
        # both must see every list page in full.
        meta = {"source_id": source.id, "list_depth": depth, "kind": "list", "handle_httpstatus_list": statuses,
                "optional": optional, "conditional": source.id not in self.resuming and not self.refresh}
        if form is not None:
            return scrapy.FormRequest(url, formdata=form, callback=self.parse_list, errback=self.on_error,
                                      meta=meta, priority=LIST_PRIORITY)
        # Start pages go through the duplicate filter too: an e-paper's page links back to its front page.
        return scrapy.Request(url, callback=self.parse_list, errback=self.on_error, meta=meta, priority=LIST_PRIORITY)

    def is_settled(self, source: Source, url: str) -> bool:
        """A dated list page already fetched after its day by a finished run (never with --refresh)."""
        if self.refresh or self.store is None or source.id in self.resuming:
            return False
        with self.store.sessions() as session:
            done = settled(session, url)
        if done:
            bump(self.crawler.stats, source.id, "settled")
        return done

    # -- callbacks ---------------------------------------------------------------------------------
    def parse_list(self, response: Response) -> Iterator[Any]:
        """Queue new articles of a list page; follow its next pages only while it still held something new."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        if response.status == 404 and response.meta.get("optional"):
            # No issue that day (Sundays, holidays, today's not out yet): not a list page, not an error.
            self.dated_lists.setdefault(source.id, [0, 0])[1] += 1
            logger.debug("%s: no issue at %s", source.id, response.url)
            return
        bump(self.crawler.stats, source.id, "list_pages")
        if response.status == 304:
            return  # unchanged since the last finished run: nothing new here, nor on the pages after it
        listing = parse_list(page_from_response(response, source.encoding), source)
        bump(self.crawler.stats, source.id, "article_links", len(listing.entries))
        recent: list[ListEntry] = []
        for entry in listing.entries:
            if self.too_old(source, entry.date_raw, entry.url):
                bump(self.crawler.stats, source.id, "too_old")
            else:
                recent.append(entry)
        fresh = self.fresh_entries(source, recent)
        for entry in fresh:
            yield scrapy.Request(entry.url, callback=self.parse_article, errback=self.on_error,
                                 priority=ARTICLE_PRIORITY,
                                 meta={"source_id": source.id, "kind": "article", "list_entry": entry})
        depth = response.meta.get("list_depth", 0)
        # Stop rule: a list page with nothing new within the window ends the paging. When resuming a killed
        # crawl, stored articles do not end it (the older pages were perhaps never reached), only old ones do.
        # An e-paper's issue index and sibling pages are not paging and are always followed.
        go_on = bool(fresh) or not listing.paged or (source.id in self.resuming and bool(recent))
        if not go_on or depth + 1 >= (source.max_pages or self.max_list_pages):
            return
        cutoff = self.cutoff(source).date()
        for url in listing.next_urls:
            dated = date_from_url(url)
            if dated is not None and (dated.value.date() < cutoff or self.is_settled(source, url)):
                continue
            yield self.list_request(source, url, depth + 1)
        for url, form in listing.next_forms:
            yield self.list_request(source, url, depth + 1, form=form)

    def fresh_entries(self, source: Source, entries: list[ListEntry]) -> list[ListEntry]:
        """Entries not stored yet (unless --refresh) and not parked in fetch_status."""
        if self.refresh or self.store is None or not entries:
            return entries
        urls = [e.url for e in entries]
        with self.store.sessions() as session:
            known = known_urls(session, urls)
            parked = parked_urls(session, urls, self.now)
        if known:
            bump(self.crawler.stats, source.id, "known", len(known))
        if parked:
            bump(self.crawler.stats, source.id, "parked", len(parked))
        return [e for e in entries if e.url not in known and e.url not in parked]

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        """Parse an article page into a record; the pipelines normalize, deduplicate, classify and store it."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        page = page_from_response(response, source.encoding)
        # Challenge pages never get here: BlockDetectionMiddleware turns them into a Blocked failure.
        record = extract_article(page, source)
        entry: ListEntry | None = response.meta.get("list_entry")
        yield ArticleItem(record=record, page=page, list_entry=entry)

    def closed(self, reason: str) -> None:
        """Report sources whose every dated list page was missing; mark finished crawls in the store."""
        for source_id, (asked, missing) in self.dated_lists.items():
            # Three days without any issue is no weekend: the URL scheme has probably changed.
            if asked >= MISSING_DAYS_ERROR and missing == asked:
                bump(self.crawler.stats, source_id, "errors")
                self.crawler.stats.set_value(f"source/{source_id}/last_error",
                                             f"none of the {asked} dated list pages exists (404): has the URL scheme changed?")
        if reason == "finished" and self.store is not None and self.crawled:
            with self.store.session() as session:
                finish_crawl(session, self.crawled, self.now)
