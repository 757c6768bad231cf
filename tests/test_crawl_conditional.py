"""Conditional GET: validators go on list requests that ask for them, and are saved only after a clean, finished run."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector

from aggregator.clock import crawl_now
from aggregator.crawl.conditional import ConditionalGetMiddleware
from aggregator.crawl.incremental import save_validators, validators
from aggregator.store import Store

NOW = crawl_now("2025-09-15T12:00:00+08:00")
LIST = "https://a.example/news/index.html"


def stats() -> MemoryStatsCollector:
    collector = MemoryStatsCollector.__new__(MemoryStatsCollector)
    collector._stats = {}
    return collector


def answer(request: Request, status: int, headers: dict[str, str] | None = None) -> HtmlResponse:
    return HtmlResponse(url=request.url, status=status, headers=headers or {}, body=b"<html></html>", request=request)


def test_validators_are_sent_only_when_the_request_asks(store: Store) -> None:
    with store.session() as session:
        save_validators(session, [(LIST, '"v1"', "Mon, 15 Sep 2025 01:00:00 GMT")], NOW)
    middleware = ConditionalGetMiddleware(store, stats(), NOW)
    asked = Request(LIST, meta={"source_id": "s", "kind": "list", "conditional": True})
    middleware.process_request(asked)
    assert asked.headers[b"If-None-Match"] == b'"v1"'
    assert asked.headers[b"If-Modified-Since"] == b"Mon, 15 Sep 2025 01:00:00 GMT"
    for meta in ({"source_id": "s", "kind": "list"}, {"source_id": "s", "kind": "list", "conditional": False}):
        plain = Request(LIST, meta=meta)  # e.g. a WeChat mirror feed, or a resumed crawl's list page
        middleware.process_request(plain)
        assert b"If-None-Match" not in plain.headers


def test_validators_are_saved_after_a_clean_finished_run(store: Store) -> None:
    collector = stats()
    middleware = ConditionalGetMiddleware(store, collector, NOW)
    good = Request(LIST, meta={"source_id": "good", "conditional": True})
    middleware.process_response(good, answer(good, 200, {"ETag": '"new"', "Last-Modified": "Mon, 15 Sep 2025 02:00:00 GMT"}))
    bad = Request("https://b.example/list.html", meta={"source_id": "bad", "conditional": True})
    middleware.process_response(bad, answer(bad, 200, {"ETag": '"b"'}))
    collector.inc_value("source/bad/errors")  # an article of "bad" failed: a 304 next time could hide it
    middleware.spider_closed(None, "finished")  # type: ignore[arg-type]
    with store.sessions() as session:
        assert validators(session, LIST) == ('"new"', "Mon, 15 Sep 2025 02:00:00 GMT")
        assert validators(session, "https://b.example/list.html") is None


def test_nothing_is_saved_when_the_run_did_not_finish(store: Store) -> None:
    middleware = ConditionalGetMiddleware(store, stats(), NOW)
    request = Request(LIST, meta={"source_id": "s", "conditional": True})
    middleware.process_response(request, answer(request, 200, {"ETag": '"x"'}))
    middleware.spider_closed(None, "shutdown")  # type: ignore[arg-type]
    with store.sessions() as session:
        assert validators(session, LIST) is None
