"""Retries that honour Retry-After and back off exponentially, pausing the whole host, not just one request.

Scrapy's RetryMiddleware re-queues a failed request at once. Here a 429 or 5xx answer (and a connection
error) sets a "not before" time for its host: the answer's Retry-After (seconds or an HTTP date) when
given, else UNION_NEWS_RETRY_BACKOFF * 2**(attempt-1) capped at UNION_NEWS_RETRY_BACKOFF_MAX. Every request
to that host, the retry included, waits until then. A Retry-After longer than UNION_NEWS_RETRY_AFTER_MAX
is not waited for: the request fails for this run and the source is reported.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Self

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff: base, 2*base, 4*base ... for attempts 1, 2, 3 ..., at most `cap`."""
    return min(cap, base * 2 ** max(0, attempt - 1))


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, plus Retry-After, exponential backoff and a per-host pause."""

    def __init__(self, settings, *, sleep: Callable[[float], Awaitable[None]] | None = None,  # type: ignore[no-untyped-def]
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("UNION_NEWS_RETRY_BACKOFF", 2.0)
        self.cap = settings.getfloat("UNION_NEWS_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("UNION_NEWS_RETRY_AFTER_MAX", 300.0)
        self.sleep = sleep or asyncio.sleep
        self.clock = clock
        self.not_before: dict[str, float] = {}  # host -> monotonic time before which nothing is sent to it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler
        return middleware

    @staticmethod
    def host_of(request: Request) -> str:
        """The key requests are paused by: the host name."""
        return urlparse_cached(request).hostname or ""

    def pause_host(self, host: str, seconds: float) -> None:
        """Send nothing to `host` for `seconds` (a longer pause already set stays)."""
        until = self.clock() + seconds
        if until > self.not_before.get(host, 0.0):
            self.not_before[host] = until

    async def process_request(self, request: Request) -> None:
        wait = self.not_before.get(self.host_of(request), 0.0) - self.clock()
        if wait > 0:
            await self.sleep(wait)

    def delay_for(self, request: Request, response: Response | None) -> float | None:
        """How long to pause before retrying; None when the server asks for longer than we are willing to wait."""
        attempt = request.meta.get("retry_times", 0) + 1
        retry_after = parse_retry_after(response.headers.get(b"Retry-After", b"").decode("latin-1")) if response is not None else None
        if retry_after is None:
            return backoff_delay(attempt, self.base, self.cap)
        if retry_after > self.retry_after_max:
            return None
        # Never retry sooner than our own backoff either: Retry-After: 0 from an overloaded server is optimistic.
        return max(retry_after, backoff_delay(attempt, self.base, self.cap) if response.status >= 500 else 0.0)

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self.delay_for(request, response)
        source = request.meta.get("source_id", "?")
        if delay is None:
            logger.warning("%s: %s asks to retry after %s; more than UNION_NEWS_RETRY_AFTER_MAX (%.0f s), "
                           "giving up for this run", source, request.url,
                           response.headers.get(b"Retry-After", b"").decode("latin-1"), self.retry_after_max)
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        self.pause_host(self.host_of(request), delay)
        logger.info("%s: HTTP %s at %s, retrying in %.1f s", source, response.status, request.url, delay)
        return retry

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self.pause_host(self.host_of(request), backoff_delay(result.meta.get("retry_times", 1), self.base, self.cap))
        return result
