"""The spider for WeChat accounts: read each account's mirror feeds, fetch the article pages they point at.

The decisions live in aggregator.wechat_crawl and aggregator.extract.wechat; this spider only navigates.
A mirror that is down, answers something that is not a feed, or returns an empty feed is reported for its
account (errors, and the message in crawl_run_sources) while the other mirrors and accounts go on.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.crawl.responses import bump, page_from_response
from aggregator.extract import extract_article
from aggregator.extract.wechat import record_from_feed
from aggregator.mirrors import FeedEntry, FeedError, MirrorFeed, read_feed
from aggregator.records import ArticleItem, ArticleRecord, ListEntry, Page
from aggregator.sources import Source
from aggregator.urls import parse_wechat_url
from aggregator.wechat_crawl import clear_failure, lookup, note_failure, title_known
from spiders._base import BLOCK_STATUSES, RegistrySpider

logger = logging.getLogger(__name__)


class WechatSpider(RegistrySpider):
    """Crawl every enabled WeChat account of the registry through its mirror feeds."""

    name = "wechat"
    kind = "wechat"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: set[object] = set()  # identities handled in this run (one article, several mirrors)
        self.problems: dict[str, list[str]] = {}

    async def start(self) -> AsyncIterator[Any]:
        for source in self.my_sources():
            for mirror in source.mirrors:
                yield scrapy.Request(mirror.url, callback=self.parse_feed, errback=self.on_error, dont_filter=True,
                                     meta={"source_id": source.id, "kind": "list", "mirror_format": mirror.format,
                                           "mirror_url": mirror.url})

    # -- reporting ---------------------------------------------------------------------------------------
    def report(self, source_id: str, message: str, counter: str | None = "errors") -> None:
        """Count a problem for an account and keep its message (all of them, for crawl_run_sources)."""
        if counter:
            bump(self.crawler.stats, source_id, counter)
        messages = self.problems.setdefault(source_id, [])
        if message not in messages:
            messages.append(message)
        self.crawler.stats.set_value(f"source/{source_id}/last_error", "; ".join(messages)[:1000])

    def _store_session(self):  # type: ignore[no-untyped-def]
        assert self.store is not None
        return self.store.session()

    def _note(self, url: str, source_id: str, state: str, message: str) -> None:
        with self._store_session() as session:
            row = note_failure(session, url, source_id, state, self.now, message)
            retry = row.next_attempt_at
        logger.warning("%s: %s (%s)", source_id, message,
                       f"next try after {retry:%Y-%m-%d %H:%M}" if retry else "not retried")

    # -- feeds -------------------------------------------------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Any]:
        """Read one mirror feed: store items that carry full text, queue the pages of the others."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        mirror = response.meta.get("mirror_url", response.url)
        bump(self.crawler.stats, source.id, "list_pages")
        page = page_from_response(response)
        try:
            feed = read_feed(page, response.meta.get("mirror_format", "auto"))
        except FeedError as exc:
            self.report(source.id, f"mirror {mirror} answered garbage: {exc}")
            return
        if not feed.entries:
            self.report(source.id, f"mirror {mirror} returned an empty feed")
            return
        bump(self.crawler.stats, source.id, "article_links", len(feed.entries))
        outputs: list[Any] = []
        with self._store_session() as session:
            for entry in feed.entries:
                outputs.extend(self._plan(session, source, entry, feed, mirror, page))
        yield from outputs

    def _too_old(self, source: Source, entry: FeedEntry) -> bool:
        # A crawl time (feeddd) is later than the publish time: older than the window means older still.
        date = entry.published_raw or entry.seen_raw
        return bool(date) and self.too_old(source, date, entry.link)

    def _plan(self, session: Any, source: Source, entry: FeedEntry, feed: MirrorFeed, mirror: str,
              page: Page) -> list[Any]:
        ref = parse_wechat_url(entry.link)
        if ref.kind == "other":
            self.report(source.id, f"mirror {mirror} links to {entry.link}, not a WeChat article", counter=None)
            return []
        identity = ref.key or ref.url or entry.link
        if identity in self.seen:
            return []
        self.seen.add(identity)
        if self._too_old(source, entry):
            return []
        if ref.kind == "temporary" and not self.refresh and title_known(session, source.id, entry.title):
            bump(self.crawler.stats, source.id, "known")
            return []
        known = lookup(session, ref, self.now) if ref.url else None
        if known is not None:
            if known.stored == "known" and not self.refresh:
                bump(self.crawler.stats, source.id, "known")
                return []
            if known.retry == "gone":
                bump(self.crawler.stats, source.id, "gone")
                return []
            if known.retry == "deferred" and not self.refresh:
                bump(self.crawler.stats, source.id, "deferred")
                return []
        entry_meta = ListEntry(url=ref.url or entry.link, title=entry.title, date_raw=entry.published_raw)
        fallback: tuple[ArticleRecord, Page] | None = None
        if entry.fulltext and not (known and known.stored == "provisional"):
            record, item_page = record_from_feed(entry, mirror, feed.title, source, fetched_at=page.fetched_at)
            if record.status == "ok" and record.wechat_key:
                if record.wechat_key != ref.key:
                    # The item held the whole page (WeWe-RSS without cleaning): its key may be known already.
                    named = parse_wechat_url(record.url)
                    if record.wechat_key in self.seen or lookup(session, named, self.now).stored == "known":
                        return []
                self.seen.add(record.wechat_key)
                bump(self.crawler.stats, source.id, "from_feed")
                return [ArticleItem(record=record, page=item_page, list_entry=entry_meta)]
            if record.status == "ok" and ref.short_id:
                # The text is here, the key is not: fetch the page once; keep the text if the page won't come.
                fallback = (record, item_page)
        return [scrapy.Request(ref.url or entry.link, callback=self.parse_article, errback=self.on_error,
                               meta={"source_id": source.id, "kind": "article", "list_entry": entry_meta,
                                     "identity_url": ref.url, "fallback": fallback})]

    # -- article pages -----------------------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        """Parse a WeChat page; its script variables give the canonical key and the publish time."""
        source: Source = self.registry[response.meta["source_id"]]  # type: ignore[index]
        page = page_from_response(response)
        record = extract_article(page, source)
        entry: ListEntry | None = response.meta.get("list_entry")
        identity: str | None = response.meta.get("identity_url")
        requested = identity or (response.request.url if response.request is not None else response.url)
        state = record.extra.get("wechat_state")
        if record.status in ("deleted", "blocked") or state == "expired":
            yield from self._not_an_article(source, record, requested, page, response.meta.get("fallback"))
            return
        if record.status == "empty" and record.extra.get("repost_of"):
            yield from self._follow_repost(source, str(record.extra["repost_of"]), requested, entry)
            return
        ref = parse_wechat_url(requested)
        if ref.short_id and ref.url and ref.url != record.url and ref.url not in record.aliases:
            record.aliases.append(ref.url)
        if record.status in ("ok", "truncated"):
            with self._store_session() as session:
                clear_failure(session, [requested, record.url, *record.aliases])
        yield ArticleItem(record=record, page=page, list_entry=entry)

    def _follow_repost(self, source: Source, original: str, requested: str, entry: ListEntry | None) -> Iterator[Any]:
        """A share without text of its own: fetch the article it shares, unless that is known already."""
        ref = parse_wechat_url(original)
        with self._store_session() as session:
            if parse_wechat_url(requested).url is not None:
                # The share page itself never becomes an article; remember it so it is not fetched every run.
                note_failure(session, requested, source.id, "empty", self.now, f"repost of {original}")
            known = ref.key in self.seen or (ref.url is not None and lookup(session, ref, self.now).stored is not None)
        if known or not ref.url:
            return
        self.seen.add(ref.key or ref.url)
        yield scrapy.Request(ref.url, callback=self.parse_article, errback=self.on_error,
                             meta={"source_id": source.id, "kind": "article", "list_entry": entry,
                                   "identity_url": ref.url})

    def _not_an_article(self, source: Source, record: ArticleRecord, requested: str, page: Page,
                        fallback: tuple[ArticleRecord, Page] | None) -> Iterator[Any]:
        """A deleted page, the verification gate or an expired link: remember it, never store it as text."""
        state = {"deleted": "deleted", "blocked": "verify"}.get(record.status, "expired")
        if parse_wechat_url(requested).url is not None:
            self._note(requested, source.id, state, f"{state} page for {requested} (answered at {page.url})")
        else:
            # A temporary link is never remembered: the mirror will list a fresh one.
            logger.warning("%s: %s page for a temporary link %s", source.id, state, requested)
        if state == "verify":
            bump(self.crawler.stats, source.id, "blocked")
            if fallback is not None:
                # The feed had the text: store it under the short link; a later run learns the key.
                bump(self.crawler.stats, source.id, "from_feed")
                yield ArticleItem(record=fallback[0], page=fallback[1],
                                  list_entry=ListEntry(url=fallback[0].url, title=fallback[0].title))
        else:
            bump(self.crawler.stats, source.id, state)

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """A mirror that is down is reported for its account; a failed page is retried on a later run."""
        request = failure.request  # type: ignore[attr-defined]
        source_id = request.meta.get("source_id", "unknown")
        response = getattr(failure.value, "response", None)
        status = getattr(response, "status", None)
        reason = f"HTTP {status}" if status else failure.getErrorMessage()
        if request.meta.get("kind") == "list":
            self.report(source_id, f"mirror {request.meta.get('mirror_url', request.url)} is down: {reason}")
            return
        blocked = status in BLOCK_STATUSES
        url = request.meta.get("identity_url") or request.url
        if request.meta.get("identity_url"):  # a temporary link is never remembered
            self._note(url, source_id, "blocked" if blocked else "error", f"{reason} for {url}")
        if blocked:
            bump(self.crawler.stats, source_id, "blocked")
        else:
            self.report(source_id, f"{reason} at {url}")
        fallback = request.meta.get("fallback")
        if fallback is not None:
            bump(self.crawler.stats, source_id, "from_feed")
            yield ArticleItem(record=fallback[0], page=fallback[1],
                              list_entry=ListEntry(url=fallback[0].url, title=fallback[0].title))
