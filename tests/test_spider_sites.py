"""The sites spider end to end over every fixture site, and its callbacks on hand-made responses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from aggregator import settings as project_settings
from aggregator.records import ArticleItem
from aggregator.sampleserver import SampleServer
from spiders.sites import SitesSpider
from tests.crawl_support import EXPECTED, FIXTURES, NOW, REGISTRY, crawl, run_rows, stored

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def full_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, SampleServer, Any]]:
    """One crawl of every fixture source; yields the store, the server (with its hit log) and the result."""
    db = tmp_path_factory.mktemp("sites") / "sites.db"
    with SampleServer(FIXTURES) as server:
        result = crawl(server, db)
        yield db, server, result


def test_crawl_succeeds(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    _db, _server, result = full_crawl
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]


@pytest.mark.parametrize("source_id", sorted(EXPECTED["sources"]))
def test_each_source_stores_exactly_its_expected_articles(full_crawl: tuple[Path, SampleServer, Any], source_id: str) -> None:
    db, _server, _result = full_crawl
    have = {url for url, a in stored(db).items() if a.source_id == source_id}
    assert have == set(EXPECTED["sources"][source_id]["stored"])


@pytest.mark.parametrize("url", sorted(u for u, info in EXPECTED["articles"].items() if info["stored"]))
def test_stored_article_fields(full_crawl: tuple[Path, SampleServer, Any], url: str) -> None:
    db, _server, _result = full_crawl
    article = stored(db)[url]
    info = EXPECTED["articles"][url]
    assert article.title == info["title"]
    assert article.published_at is not None and article.published_at.strftime("%Y-%m-%d") == info["date"]
    assert article.body_text.startswith(info["body_first"])
    assert article.status == "ok"


def test_paging_stops_at_the_first_page_with_nothing_recent(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    """TRS: page 2 (index_1) still held recent articles, page 3 (index_2) none; page 4 is never asked for."""
    _db, server, _result = full_crawl
    paths = [h.path for h in server.hits_for("www.acftu.org")]
    assert "/xwdt/ghyw/index_2.html" in paths
    assert "/xwdt/ghyw/index_3.html" not in paths
    for url in EXPECTED["sources"]["fx_trs"]["never_fetched"]:
        assert url.removeprefix("https://www.acftu.org") not in paths, url


def test_old_articles_are_not_fetched(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    _db, server, _result = full_crawl
    paths = {h.path for h in server.hits_for("www.acftu.org")}
    old = [u for u, info in EXPECTED["articles"].items() if info["source"] == "fx_trs" and info["date"] < "2025-09-01"]
    assert old and not any(u.removeprefix("https://www.acftu.org") in paths for u in old)


def test_robots_txt_is_obeyed(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    _db, server, _result = full_crawl
    paths = [h.path for h in server.hits_for("robots.fixture.test")]
    assert paths[0] == "/robots.txt"
    assert "/news/r1.html" in paths
    assert "/internal/r2.html" not in paths


def test_every_host_is_asked_for_robots_txt_once(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    _db, server, _result = full_crawl
    hosts = {h.host for h in server.hits}
    for host in hosts:
        assert [h.path for h in server.hits_for(host)].count("/robots.txt") == 1, host


def test_challenge_pages_are_reported_blocked_and_never_stored(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    db, _server, _result = full_crawl
    articles = stored(db)
    assert "https://challenge.fixture.test/news/c1.html" not in articles
    assert "https://challenge.fixture.test/news/c2.html" not in articles
    assert "https://challenge.fixture.test/news/c3.html" in articles
    row = next(r for r in run_rows(db) if r.source_id == "fx_challenge")
    assert row.blocked == 2
    assert row.message and "blocked" in row.message


def test_429_and_503_are_retried_and_retry_after_is_honoured(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    db, server, _result = full_crawl
    lists = [h for h in server.hits_for("flaky.fixture.test", "/news/index.html")]
    assert [h.status for h in lists] == [429, 200]
    assert lists[1].at - lists[0].at >= 0.9  # Retry-After: 1 (never sooner; later is fine)
    assert [h.status for h in server.hits_for("flaky.fixture.test", "/news/f1.html")] == [503, 503, 200]
    assert {u for u, a in stored(db).items() if a.source_id == "fx_flaky"} == set(EXPECTED["sources"]["fx_flaky"]["stored"])


def test_gbk_pages_decode_whatever_the_header_says(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    db, _server, _result = full_crawl
    articles = stored(db)
    for name in ("g1", "g2", "g3"):  # header says UTF-8 / only the meta says GB2312 / nothing says anything
        url = f"https://gbk.fixture.test/news/{name}.html"
        assert articles[url].title == EXPECTED["articles"][url]["title"], name
        assert "\ufffd" not in articles[url].body_text


def test_hanweb_post_paging_was_posted(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    _db, server, _result = full_crawl
    proxy = server.hits_for("www.sdgh.org.cn", "/module/web/jpage/dataproxy.jsp")
    assert [(h.method, h.query) for h in proxy] == [("POST", "startrecord=4&endrecord=6&perpage=3")]


def test_e_paper_missing_days_are_not_errors(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    db, server, _result = full_crawl
    missing = [h for h in server.hits_for("epaper.zjgrrb.com") if h.status == 404]
    assert len(missing) == 12  # 14 days of window, 2 issues
    row = next(r for r in run_rows(db) if r.source_id == "fx_founder")
    assert (row.status, row.errors) == ("ok", 0)


def test_run_figures_per_source(full_crawl: tuple[Path, SampleServer, Any]) -> None:
    db, _server, _result = full_crawl
    rows = {r.source_id: r for r in run_rows(db)}
    assert set(rows) == set(EXPECTED["sources"])
    trs = rows["fx_trs"]
    assert (trs.list_pages, trs.article_links, trs.new, trs.empty_bodies) == (3, 9, 5, 0)
    assert all(r.status == "ok" for r in rows.values()), {k: r.status for k, r in rows.items()}


# --- callbacks on hand-made responses (no reactor, no subprocess) -------------------------------------
def make_spider(tmp_path: Path) -> SitesSpider:
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    settings.update(UNION_NEWS_SOURCES=str(REGISTRY), UNION_NEWS_DB=f"sqlite:///{tmp_path / 'unit.db'}", UNION_NEWS_NOW=NOW)
    crawler = get_crawler(SitesSpider, settings_dict=settings)
    spider = SitesSpider.from_crawler(crawler)
    crawler.spider = spider
    return spider


def list_response(url: str, body: bytes, meta: dict[str, Any], status: int = 200, content_type: str = "text/html") -> HtmlResponse:
    request = Request(url, meta=meta)
    return HtmlResponse(url=url, status=status, body=body, headers={"Content-Type": content_type}, request=request)


def test_parse_list_queues_recent_articles_before_the_next_page(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    body = (FIXTURES / "www.acftu.org/xwdt/ghyw/index_1.html").read_bytes()
    out = list(spider.parse_list(list_response("https://www.acftu.org/xwdt/ghyw/index_1.html", body,
                                               {"source_id": "fx_trs", "list_depth": 1})))
    articles = [r for r in out if r.meta.get("kind") == "article"]
    lists = [r for r in out if r.meta.get("kind") == "list"]
    assert len(articles) == 2  # the third is older than the window
    assert [r.url for r in lists] == ["https://www.acftu.org/xwdt/ghyw/index_2.html"]
    assert all(a.priority > lists[0].priority for a in articles)


def test_parse_list_stops_on_a_page_with_nothing_recent(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    body = (FIXTURES / "www.acftu.org/xwdt/ghyw/index_2.html").read_bytes()
    out = list(spider.parse_list(list_response("https://www.acftu.org/xwdt/ghyw/index_2.html", body,
                                               {"source_id": "fx_trs", "list_depth": 2})))
    assert out == []


def test_parse_list_on_304_does_nothing(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    out = list(spider.parse_list(list_response("https://www.acftu.org/xwdt/ghyw/index.html", b"", {"source_id": "fx_trs"},
                                               status=304)))
    assert out == []
    assert spider.crawler.stats.get_value("source/fx_trs/list_pages") == 1


def test_parse_article_decodes_from_bytes_not_from_the_header(tmp_path: Path) -> None:
    """The header says UTF-8, the bytes are GBK: Scrapy's response.text would be mojibake; the record is not."""
    spider = make_spider(tmp_path)
    url = "https://gbk.fixture.test/news/g1.html"
    body = (FIXTURES / "gbk.fixture.test/news/g1.html").read_bytes()
    response = list_response(url, body, {"source_id": "fx_gbk"}, content_type="text/html; charset=utf-8")
    assert EXPECTED["articles"][url]["title"] not in response.text
    (item,) = list(spider.parse_article(response))
    assert isinstance(item, ArticleItem)
    assert item.record.title == EXPECTED["articles"][url]["title"]


def test_e_paper_without_any_issue_is_an_error_but_today_not_out_yet_is_not(tmp_path: Path) -> None:
    registry = tmp_path / "papers.toml"
    registry.write_text('''
[[source]]
id = "gone"
name = "改版的电子报"
family = "founder"
lists = ["https://epaper.zjgrrb.com/old/{date:%Y%m%d}/node_1.htm"]
window_days = 5

[[source]]
id = "early"
name = "尚未出版的电子报"
family = "founder"
lists = ["https://epaper.zjgrrb.com/later/{date:%Y%m%d}/node_1.htm"]
window_days = 1
''', encoding="utf-8")
    db = tmp_path / "papers.db"
    from tests.conftest import run_cli
    from tests.crawl_support import crawl_env

    with SampleServer(FIXTURES) as server:
        result = run_cli("crawl", "--db", str(db), "--sources", str(registry), "--spider", "sites", env=crawl_env(server))
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    rows = {r.source_id: r for r in run_rows(db)}
    assert rows["gone"].status == "failed"
    assert "none of the 5 dated list pages exists" in (rows["gone"].message or "")
    assert (rows["early"].status, rows["early"].errors, rows["early"].list_pages) == ("ok", 0, 0)
