"""Scrapy responses to the typed Page records the parsers read."""

from __future__ import annotations

from scrapy.http import Response

from aggregator.clock import crawl_now
from aggregator.records import Page


def page_from_response(response: Response, encoding: str | None = None) -> Page:
    """A Page (url, status, headers, raw body) from a Scrapy response."""
    headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
    return Page(url=response.url, body=response.body, headers=headers, status=response.status,
                fetched_at=crawl_now(), encoding=encoding)


def bump(stats: object, source_id: str, key: str, count: int = 1) -> None:
    """Add to a per-source counter (read by the run report)."""
    stats.inc_value(f"source/{source_id}/{key}", count)  # type: ignore[attr-defined]
