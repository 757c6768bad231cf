"""The spider for WeChat accounts: read each account's mirror feeds, fetch the article pages they point at."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from aggregator.crawl.responses import bump, page_from_response
from aggregator.extract import extract_article
from aggregator.mirrors import FeedError, parse_feed
from aggregator.records import ArticleItem, ListEntry
from aggregator.sources import Source
from aggregator.urls import canonical_url
from spiders._base import RegistrySpider

logger = logging.getLogger(__name__)


class WechatSpider(RegistrySpider):
    """Crawl every enabled WeChat account of the registry through its mirror feeds."""

    name = "wechat"
    kind = "wechat"

    async def start(self) -> AsyncIterator[Any]:
        for source in self.my_sources():
            for mirror in source.mirrors:
                yield scrapy.Request(mirror.url, callback=self.parse_feed, errback=self.on_error, dont_filter=True,
                                     meta={"source_id": source.id, "kind": "list", "mirror_format": mirror.format})

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """Queue the feed's new articles; a feed that is broken or empty is reported for its account."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        bump(self.crawler.stats, source.id, "list_pages")
        try:
            entries = parse_feed(page_from_response(response), response.meta.get("mirror_format", "auto"))
        except FeedError as exc:
            bump(self.crawler.stats, source.id, "errors")
            self.crawler.stats.set_value(f"source/{source.id}/last_error", f"mirror {response.url}: {exc}")
            logger.error("%s: mirror %s is not a feed: %s", source.id, response.url, exc)
            return
        bump(self.crawler.stats, source.id, "article_links", len(entries))
        if not entries:
            logger.warning("%s: mirror %s returned an empty feed", source.id, response.url)
        for entry in entries:
            url = canonical_url(entry.link)
            if url is not None and self.known(url):
                bump(self.crawler.stats, source.id, "known")
                continue
            if entry.published_raw and self.too_old(source, entry.published_raw, entry.link):
                continue
            yield scrapy.Request(entry.link, callback=self.parse_article, errback=self.on_error,
                                 meta={"source_id": source.id, "kind": "article",
                                       "list_entry": ListEntry(url=url or entry.link, title=entry.title, date_raw=entry.published_raw)})

    def parse_article(self, response: Response) -> Iterator[ArticleItem]:
        """Parse a WeChat page; its script variables give the canonical key and the publish time."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        page = page_from_response(response)
        record = extract_article(page, source)
        entry: ListEntry | None = response.meta.get("list_entry")
        requested = canonical_url(response.request.url) if response.request is not None else None
        if requested and requested != record.url and requested not in record.aliases:
            record.aliases.append(requested)
        yield ArticleItem(record=record, page=page, list_entry=entry)
