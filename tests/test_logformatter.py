"""The crawl's log formatter: short lines for dropped items; per-page lines only when the crawl logs DEBUG."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from aggregator.crawl.logformatter import QuietLogFormatter
from aggregator.records import ArticleItem, ArticleRecord

URL = "https://www.workercn.cn/c/2025-07-24/1.shtml"


def formatter(level: str | int) -> QuietLogFormatter:
    return QuietLogFormatter.from_crawler(get_crawler(Spider, {"LOG_LEVEL": level}))


def response() -> HtmlResponse:
    return HtmlResponse(URL, body=b"<html></html>", request=Request(URL))


@pytest.mark.parametrize(("level", "per_page"), [
    ("DEBUG", True), ("debug", True), (logging.DEBUG, True),
    ("INFO", False), ("WARNING", False), ("ERROR", False), (logging.INFO, False),
])
def test_per_page_lines_only_at_debug(level: str | int, per_page: bool) -> None:
    item = ArticleItem(record=ArticleRecord(url=URL, source_id="workercn"))
    fmt = formatter(level)
    crawled, scraped = fmt.crawled(Request(URL), response()), fmt.scraped(item, response())
    assert (crawled is not None) is per_page
    assert (scraped is not None) is per_page
    if per_page:
        assert scraped["args"] == {"url": URL}  # type: ignore[index]


def test_dropped_items_are_one_info_line_at_any_level() -> None:
    result = formatter("ERROR").dropped(object(), DropItem("workercn: duplicate of article 3"), response())
    assert result["level"] == logging.INFO
    assert result["msg"] % result["args"] == "Dropped: workercn: duplicate of article 3"
