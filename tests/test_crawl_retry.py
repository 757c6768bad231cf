"""Retries: Retry-After (seconds and HTTP dates), exponential backoff, a pause for the whole host, a cap."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy import Spider
from scrapy.utils.test import get_crawler

from aggregator import settings as project_settings
from aggregator.crawl.retry import PoliteRetryMiddleware, backoff_delay, parse_retry_after

NOW = datetime(2025, 9, 15, 4, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("value", "expected"), [
    ("120", 120.0), (" 5 ", 5.0), ("0", 0.0),
    ("Mon, 15 Sep 2025 04:01:30 GMT", 90.0),
    ("Mon, 15 Sep 2025 03:59:00 GMT", 0.0),  # a date in the past: retry now
    ("soon", None), ("", None), (None, None),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(("attempt", "expected"), [(1, 2.0), (2, 4.0), (3, 8.0), (10, 60.0)])
def test_backoff_doubles_up_to_the_cap(attempt: int, expected: float) -> None:
    assert backoff_delay(attempt, 2.0, 60.0) == expected


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def make(clock: FakeClock, **overrides: object) -> PoliteRetryMiddleware:
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    settings.update(overrides)
    crawler = get_crawler(Spider, settings_dict=settings)
    crawler.spider = crawler._create_spider("sites")
    middleware = PoliteRetryMiddleware(crawler.settings, sleep=clock.sleep, clock=clock)
    middleware.crawler = crawler
    return middleware


def answer(url: str, status: int, headers: dict[str, str] | None = None) -> HtmlResponse:
    return HtmlResponse(url=url, status=status, headers=headers or {}, body=b"<html></html>", request=Request(url))


def test_429_with_retry_after_pauses_the_host_then_retries() -> None:
    clock = FakeClock()
    middleware = make(clock, UNION_NEWS_RETRY_BACKOFF=0.5)
    request = Request("https://a.example/list.html", meta={"source_id": "s"})
    retry = middleware.process_response(request, answer(request.url, 429, {"Retry-After": "30"}))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1
    # Every request to that host waits out the pause, not only the retry; other hosts do not.
    asyncio.run(middleware.process_request(Request("https://a.example/other.html")))
    asyncio.run(middleware.process_request(Request("https://b.example/x.html")))
    assert clock.slept == [30.0]


def test_5xx_without_retry_after_backs_off_exponentially() -> None:
    clock = FakeClock()
    middleware = make(clock, UNION_NEWS_RETRY_BACKOFF=1.0)
    request = Request("https://a.example/n.html")
    waits = []
    for _ in range(3):
        retry = middleware.process_response(request, answer(request.url, 503))
        assert isinstance(retry, Request)
        waits.append(middleware.not_before["a.example"] - clock.now)
        request = retry
    assert waits == [1.0, 2.0, 4.0]
    assert middleware.process_response(request, answer(request.url, 503)).status == 503  # RETRY_TIMES (3) spent


def test_retry_after_beyond_the_cap_gives_up_for_this_run() -> None:
    clock = FakeClock()
    middleware = make(clock, UNION_NEWS_RETRY_AFTER_MAX=300.0)
    request = Request("https://a.example/n.html")
    result = middleware.process_response(request, answer(request.url, 429, {"Retry-After": "7200"}))
    assert result.status == 429
    assert "a.example" not in middleware.not_before


def test_success_and_other_errors_pass_through() -> None:
    middleware = make(FakeClock())
    for status in (200, 304, 404, 412):
        request = Request("https://a.example/n.html")
        assert middleware.process_response(request, answer(request.url, status)).status == status
    dont = Request("https://a.example/n.html", meta={"dont_retry": True})
    assert middleware.process_response(dont, answer(dont.url, 503)).status == 503
