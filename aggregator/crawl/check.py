"""`sources check --live ID`: fetch one list page and one article of a source, the way the crawl would.

Same settings as a crawl (User-Agent, robots.txt, politeness, retries, block detection, host map), no store:
nothing is written. An operator runs it before enabling or verifying a source, and after a layout warning.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from twisted.python.failure import Failure

from aggregator.clock import crawl_now
from aggregator.crawl.blocking import Blocked
from aggregator.crawl.responses import page_from_response
from aggregator.encoding import decode_html
from aggregator.extract import extract_article
from aggregator.families import article_pattern, parse_list
from aggregator.normalize import normalize_record
from aggregator.records import ArticleRecord, ListEntry
from aggregator.sources import Source

logger = logging.getLogger(__name__)

DAYS_BACK = 7  # e-papers: today's issue may not be out yet, nor yesterday's on a Sunday


@dataclass(slots=True)
class LiveReport:
    """What one live check saw: the list page, its links, and the first article as extracted."""

    source_id: str
    list_url: str | None = None
    list_status: int | None = None
    list_encoding: str | None = None
    entries: list[ListEntry] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)
    article_url: str | None = None
    article_status: int | None = None
    article_encoding: str | None = None
    record: ArticleRecord | None = None
    problems: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the list page held article links and the article had a title and a body."""
        return (not self.problems and bool(self.entries) and self.record is not None
                and bool(self.record.title) and bool(self.record.body_text))


def list_candidates(source: Source, today: date) -> list[str]:
    """List URLs to try, first to last: each template's URL for today, then earlier days (dated templates)."""
    urls: list[str] = []
    for template in source.lists:
        if "{date:" in template:
            for offset in range(DAYS_BACK):
                urls.extend(replace(source, lists=(template,)).list_urls(today - timedelta(days=offset), 1))
        else:
            urls.append(template)
    return list(dict.fromkeys(urls))


class CheckSpider(scrapy.Spider):
    """Fetch a source's first answering list page and its first article link; record what was extracted."""

    name = "check"

    def __init__(self, source: Source, report: LiveReport, today: date, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.report = report
        self.candidates = list_candidates(source, today)
        self.now = crawl_now()

    async def start(self) -> AsyncIterator[Any]:
        if not self.candidates:
            self.report.problems.append("the source has no list URL (set `lists` in the registry)")
            return
        yield self.list_request(0)

    def list_request(self, index: int) -> scrapy.Request:
        """A request for the index-th candidate list URL (404s come back to us to try the next)."""
        url = self.candidates[index]
        self.report.tried.append(url)
        return scrapy.Request(url, callback=self.parse_list, errback=self.on_error, dont_filter=True,
                              meta={"source_id": self.source.id, "kind": "list", "index": index,
                                    "handle_httpstatus_list": [404]})

    def parse_list(self, response: Response) -> Iterator[Any]:
        """Parse the list page with the family's parser; go on to its first article link."""
        index = response.meta["index"]
        if response.status == 404:
            if index + 1 < len(self.candidates):
                yield self.list_request(index + 1)
            else:
                self.report.problems.append(f"no list page answered (HTTP 404 for {len(self.candidates)} URL(s))")
            return
        page = page_from_response(response, self.source.encoding)
        self.report.list_url, self.report.list_status = response.url, response.status
        self.report.list_encoding = decode_html(page.body, page.header("content-type"), page.encoding)[1]
        listing = parse_list(page, self.source)
        self.report.entries = listing.entries
        self.report.next_urls = listing.next_urls + [url for url, _form in listing.next_forms]
        if listing.entries:
            entry = listing.entries[0]
            self.report.article_url = entry.url
            yield scrapy.Request(entry.url, callback=self.parse_article, errback=self.on_error,
                                 meta={"source_id": self.source.id, "kind": "article", "entry": entry})
        elif listing.next_urls and not listing.paged:
            # An e-paper's issue index (period.xml) lists pages, not articles: look at its first page.
            self.candidates.insert(index + 1, listing.next_urls[0])
            yield self.list_request(index + 1)
        else:
            pattern = article_pattern(self.source)
            self.report.problems.append(
                f"the list page held no article links (pattern {pattern!r}): wrong list URL, changed layout, "
                "or links written by JavaScript")

    def parse_article(self, response: Response) -> None:
        """Extract and normalize the article exactly as the crawl's pipelines would."""
        page = page_from_response(response, self.source.encoding)
        self.report.article_status = response.status
        self.report.article_encoding = decode_html(page.body, page.header("content-type"), page.encoding)[1]
        record = extract_article(page, self.source)
        normalize_record(record, self.source, self.now, response.meta.get("entry"))
        self.report.record = record
        if not record.title:
            self.report.problems.append("the article page gave no title")
        if not record.body_text:
            self.report.problems.append("the article page gave no body text: set `selectors.body` for this source")
        if record.published_at is None:
            self.report.problems.append("the article page gave no publication date: set `selectors.published`")

    def on_error(self, failure: Failure) -> None:
        """Record why a request failed (blocked, refused by robots.txt, HTTP error, network error)."""
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(Blocked):
            self.report.problems.append(f"{failure.getErrorMessage()}: the site answers with a challenge page")
            return
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.report.problems.append(f"HTTP {response.status} at {request.url}")
        else:
            self.report.problems.append(f"{failure.getErrorMessage()} at {request.url}")


def run_live_check(source: Source, **overrides: Any) -> LiveReport:
    """Run the check in this process (once per process: Scrapy's reactor does not restart)."""
    from aggregator.crawl.runner import crawl_settings

    report = LiveReport(source_id=source.id)
    settings = crawl_settings(ITEM_PIPELINES={}, EXTENSIONS={"scrapy.extensions.telnet.TelnetConsole": None},
                              UNION_NEWS_CONDITIONAL_GET=False, LOG_INSTALL_ROOT_HANDLER=False,
                              UNION_NEWS_BLOCKED_GIVE_UP=0, **overrides)
    process = CrawlerProcess(settings)
    process.crawl(CheckSpider, source=source, report=report, today=crawl_now().date())
    process.start()
    return report
