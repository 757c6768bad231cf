"""The spider for union websites: list pages by family, paging with a stop rule, article pages to records."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from aggregator.crawl.responses import bump, page_from_response
from aggregator.dates import date_from_url
from aggregator.extract import extract_article
from aggregator.families import parse_list
from aggregator.records import ArticleItem, ListEntry
from aggregator.sources import Source
from spiders._base import RegistrySpider


class SitesSpider(RegistrySpider):
    """Crawl every enabled union website of the registry (or those given with -a sources=id1,id2)."""

    name = "sites"
    kind = "site"

    async def start(self) -> AsyncIterator[Any]:
        for source in self.my_sources():
            seen: set[str] = set()
            for url in source.list_urls(self.now.date(), source.window_days or self.window_days):
                if url in seen:
                    continue
                seen.add(url)
                yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error, dont_filter=True,
                                     meta={"source_id": source.id, "list_depth": 0, "kind": "list"})

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Queue new articles of a list page; follow its next pages only while it still held something new."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        listing = parse_list(page_from_response(response, source.encoding), source)
        bump(self.crawler.stats, source.id, "list_pages")
        bump(self.crawler.stats, source.id, "article_links", len(listing.entries))
        fresh = 0
        for entry in listing.entries:
            if self.too_old(source, entry.date_raw, entry.url):
                continue
            if self.known(entry.url):
                bump(self.crawler.stats, source.id, "known")
                continue
            fresh += 1
            yield scrapy.Request(entry.url, callback=self.parse_article, errback=self.on_error,
                                 meta={"source_id": source.id, "kind": "article", "list_entry": entry})
        depth = response.meta.get("list_depth", 0)
        # Stop rule: a list page with nothing new or recent ends the paging; an e-paper's issue index and
        # sibling pages are not paging and are always followed (the dupefilter stops loops).
        if (fresh or not listing.paged) and depth + 1 < (source.max_pages or self.max_list_pages):
            for url in listing.next_urls:
                dated = date_from_url(url)
                if dated is not None and dated.value.date() < self.cutoff(source).date():
                    continue
                yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error,
                                     meta={"source_id": source.id, "list_depth": depth + 1, "kind": "list"})

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        """Parse an article page into a record; the pipelines normalize, deduplicate, classify and store it."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        page = page_from_response(response, source.encoding)
        record = extract_article(page, source)
        entry: ListEntry | None = response.meta.get("list_entry")
        yield ArticleItem(record=record, page=page, list_entry=entry)
