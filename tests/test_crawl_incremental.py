"""Incremental crawling: a second run fetches only what is new (counted on the server), lists are fetched
conditionally, settled e-paper issues are skipped, --refresh fetches everything; and the store helpers."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aggregator.clock import crawl_now
from aggregator.crawl.incremental import (
    begin_crawl, finish_crawl, known_urls, parked_urls, save_validators, settled, validators)
from aggregator.records import ArticleRecord, Page
from aggregator.sampleserver import SampleServer
from aggregator.store import Store
from aggregator.store.models import Source
from aggregator.store.writer import record_fetch_status, save_article
from tests.crawl_support import EXPECTED, FIXTURES, crawl, stored

NOW = crawl_now("2025-09-15T12:00:00+08:00")
TRS = "www.acftu.org"


# --- the store's knowledge ---------------------------------------------------------------------------
def test_known_urls_finds_articles_and_aliases(store: Store) -> None:
    with store.session() as session:
        session.add(Source(id="s", name="s", kind="site", family="generic", consecutive_failures=0, consecutive_empty=0))
        record = ArticleRecord(url="https://a.example/1.html", source_id="s", title="t", body_text="正文",
                               aliases=["https://m.a.example/1.html"])
        save_article(session, record, Page(url=record.url, body=b"x", fetched_at=NOW), NOW)
    with store.sessions() as session:
        found = known_urls(session, ["https://a.example/1.html", "https://m.a.example/1.html", "https://a.example/2.html"])
    assert found == {"https://a.example/1.html", "https://m.a.example/1.html"}


def test_parked_urls_wait_for_their_next_attempt(store: Store) -> None:
    with store.session() as session:
        record_fetch_status(session, "https://a.example/gone.html", "s", "deleted", NOW)
        record_fetch_status(session, "https://a.example/gate.html", "s", "blocked", NOW)
        record_fetch_status(session, "https://a.example/old.html", "s", "blocked", NOW - timedelta(days=3))
    with store.sessions() as session:
        parked = parked_urls(session, ["https://a.example/gone.html", "https://a.example/gate.html",
                                       "https://a.example/old.html", "https://a.example/new.html"], NOW)
    assert parked == {"https://a.example/gone.html": "deleted", "https://a.example/gate.html": "blocked"}


def test_validators_round_trip(store: Store) -> None:
    with store.session() as session:
        save_validators(session, [("https://a.example/list.html", '"abc"', "Mon, 15 Sep 2025 01:00:00 GMT"),
                                  ("https://a.example/plain.html", None, None)], NOW)
    with store.sessions() as session:
        assert validators(session, "https://a.example/list.html") == ('"abc"', "Mon, 15 Sep 2025 01:00:00 GMT")
        assert validators(session, "https://a.example/plain.html") is None


@pytest.mark.parametrize(("url", "checked", "expected"), [
    ("https://p.example/html/2025-09/12/node_1.htm", "2025-09-15T12:00:00+08:00", True),
    ("https://p.example/html/2025-09/15/node_1.htm", "2025-09-15T23:00:00+08:00", False),  # its day is not over
    ("https://p.example/html/2025-09/14/node_1.htm", "2025-09-15T00:30:00+08:00", True),
    ("https://p.example/html/2025-09/14/node_1.htm", None, False),  # never answered in a finished run
    ("https://p.example/col/index.html", "2025-09-15T12:00:00+08:00", False),  # not dated
])
def test_settled_dated_pages(store: Store, url: str, checked: str | None, expected: bool) -> None:
    if checked:
        with store.session() as session:
            save_validators(session, [(url, None, None)], datetime.fromisoformat(checked))
    with store.sessions() as session:
        assert settled(session, url) is expected


def test_begin_and_finish_tell_an_interrupted_crawl(store: Store) -> None:
    with store.session() as session:
        assert begin_crawl(session, ["a", "b"], NOW, 1) == set()
    with store.session() as session:
        finish_crawl(session, ["a"], NOW)  # b's crawl never finished (killed)
    with store.session() as session:
        assert begin_crawl(session, ["a", "b"], NOW, 2) == {"b"}
    with store.session() as session:
        finish_crawl(session, ["a", "b"], NOW)
    with store.session() as session:
        assert begin_crawl(session, ["a", "b"], NOW, 3) == set()


# --- runs against the fixture server ------------------------------------------------------------------
def hits_since(server: SampleServer, start: int, host: str) -> list[tuple[str, int, bool]]:
    return [(h.path, h.status, h.conditional) for h in server.hits[start:] if h.host == host]


@pytest.mark.slow
def test_second_run_fetches_only_new_pages_and_third_run_only_one_conditional_list(tmp_path: Path) -> None:
    db = tmp_path / "inc.db"
    base = "/xwdt/ghyw/"
    with SampleServer(FIXTURES) as server:
        first = crawl(server, db, "fx_trs")
        assert first.returncode == 0, first.stderr[-2000:]
        assert len(stored(db)) == 5
        # The site publishes two articles: the first list page now leads with them.
        server.add_route(host=TRS, path=base + "index.html", file=f"{TRS}{base}index_v2.html")
        mark = len(server.hits)
        second = crawl(server, db, "fx_trs")
        assert second.returncode == 0, second.stderr[-2000:]
        new = sorted(u.removeprefix(f"https://{TRS}") for u, i in EXPECTED["articles"].items() if i.get("later"))
        # Robots, the changed first page (asked conditionally), the two new articles, and page 2 because page 1
        # held something new (asked conditionally, unchanged: 304). No stored article is fetched again.
        assert sorted(hits_since(server, mark, TRS)) == sorted([
            ("/robots.txt", 200, False), (base + "index.html", 200, True),
            *[(path, 200, False) for path in new], (base + "index_1.html", 304, True)])
        assert len(stored(db)) == 7
        mark = len(server.hits)
        third = crawl(server, db, "fx_trs")
        assert third.returncode == 0, third.stderr[-2000:]
        assert hits_since(server, mark, TRS) == [("/robots.txt", 200, False), (base + "index.html", 304, True)]
        assert "fx_trs" in third.stdout and "ok" in third.stdout


@pytest.mark.slow
def test_refresh_fetches_stored_articles_again_without_conditional_requests(tmp_path: Path) -> None:
    db = tmp_path / "refresh.db"
    with SampleServer(FIXTURES) as server:
        assert crawl(server, db, "fx_gdpost").returncode == 0
        mark = len(server.hits)
        result = crawl(server, db, "fx_gdpost", args=("--refresh",))
        assert result.returncode == 0, result.stderr[-2000:]
        hits = hits_since(server, mark, "www.gdftu.org.cn")
    articles = {p for p, _s, _c in hits if "/content/post_" in p}
    assert len(articles) == 3
    assert not any(conditional for _p, _s, conditional in hits)


@pytest.mark.slow
def test_settled_e_paper_issues_are_not_fetched_again(tmp_path: Path) -> None:
    db = tmp_path / "paper.db"
    host = "epaper.zjgrrb.com"
    with SampleServer(FIXTURES) as server:
        assert crawl(server, db, "fx_founder").returncode == 0
        first = [h.path for h in server.hits_for(host)]
        assert len([p for p in first if p.endswith(".htm") and "node_" in p]) == 4 + 12  # 2 issues x 2 nodes, 12 missing days
        mark = len(server.hits)
        result = crawl(server, db, "fx_founder")
        assert result.returncode == 0, result.stderr[-2000:]
        hits = hits_since(server, mark, host)
    # Only today's front page is asked again (conditionally); past issues and past missing days are settled.
    assert hits == [("/robots.txt", 200, False), ("/html/2025-09/15/node_2577.htm", 304, True)]
