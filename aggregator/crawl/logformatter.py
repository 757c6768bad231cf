"""Log lines for scraped and dropped items that name the article instead of dumping the whole item."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.logformatter import LogFormatter, LogFormatterResult


class QuietLogFormatter(LogFormatter):
    """Dropped items (duplicates, deleted pages) are routine: one INFO line with the reason, no item dump.

    The per-page DEBUG lines (crawled, scraped) are not even built when the crawl logs above DEBUG: Scrapy's
    loggers pass every level and the handler drops them, after a log record was made for each page.
    """

    def __init__(self, level: int = logging.DEBUG) -> None:
        self.per_page = level <= logging.DEBUG

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        return cls(level if isinstance(level, int) else logging.getLevelName(str(level).upper()))

    def crawled(self, request: Any, response: Any, spider: Any = None) -> LogFormatterResult | None:  # type: ignore[override]
        return super().crawled(request, response, spider) if self.per_page else None

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any = None) -> LogFormatterResult:
        return {"level": logging.INFO, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}

    def scraped(self, item: Any, response: Any, spider: Any = None) -> LogFormatterResult | None:  # type: ignore[override]
        if not self.per_page:
            return None
        record = getattr(item, "record", None)
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": getattr(record, "url", response)}}
