"""Family parsers on the fixture sites' pages: list links, dates, paging; article fields; and the fixture build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from aggregator.clock import crawl_now
from aggregator.extract import extract_article
from aggregator.families import article_pattern, parse_list
from aggregator.normalize import normalize_record
from aggregator.records import Page
from aggregator.sources import Source, load_registry
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "sites"
REGISTRY = load_registry(FIXTURES / "sources.toml")
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
NOW = crawl_now("2025-09-15T12:00:00+08:00")


def page(url: str, content_type: str = "text/html; charset=utf-8", file: str | None = None) -> Page:
    """A fixture page as the server sends it."""
    parts = urlsplit(url)
    rel = file or f"{parts.hostname}{parts.path}"
    return Page(url=url, body=(FIXTURES / rel).read_bytes(), headers={"content-type": content_type})


def urls(listing_entries: list) -> list[str]:  # type: ignore[type-arg]
    return [e.url for e in listing_entries]


# --- list pages -----------------------------------------------------------------------------------------
def test_trs_first_page_links_dates_and_createpagehtml_paging() -> None:
    listing = parse_list(page("https://www.acftu.org/xwdt/ghyw/index.html"), REGISTRY["fx_trs"])
    assert len(listing.entries) == 3
    assert [e.date_raw for e in listing.entries] == ["2025-09-15", "2025-09-13", "2025-09-11"]
    assert listing.next_urls == ["https://www.acftu.org/xwdt/ghyw/index_1.html"]
    assert listing.total_pages == 4
    assert listing.paged


def test_trs_last_page_has_no_next() -> None:
    listing = parse_list(page("https://www.acftu.org/xwdt/ghyw/index_3.html"), REGISTRY["fx_trs"])
    assert listing.next_urls == []
    assert listing.total_pages == 4


@pytest.mark.parametrize(("script", "expected"), [
    ('createPageHTML(10, 0, "index", "shtml");', ["https://x.example/col/index_1.shtml"]),
    ("createPageHTML('5','3','index','html');", ["https://x.example/col/index_4.html"]),
    ('createPageHTML(5, 4, "index", "html");', []),
    ("var countPage = 3//共多少页\nvar currentPage = 1;", ["https://x.example/col/index_2.html"]),
    ('<a href="list_2.html">下一页</a>', ["https://x.example/col/list_2.html"]),
    ('<a href="index.html">首页</a>', []),
], ids=["shtml", "quoted-numbers", "last-page", "countPage-var", "next-link", "no-paging"])
def test_trs_paging_conventions(script: str, expected: list[str]) -> None:
    html = f"<html><body><ul><li><a href='202509/t20250901_1.html'>标题</a></li></ul><script>{script}</script>" \
           f"{script if script.startswith('<a') else ''}</body></html>"
    listing = parse_list(Page(url="https://x.example/col/index.html", body=html.encode()), Source(id="x", name="x", family="trs"))
    assert listing.next_urls == expected


def test_gdpost_links_and_paging() -> None:
    listing = parse_list(page("https://www.gdftu.org.cn/ghyw/dwjl/index.html"), REGISTRY["fx_gdpost"])
    assert urls(listing.entries) == EXPECTED["sources"]["fx_gdpost"]["stored"][:2]
    assert listing.next_urls == ["https://www.gdftu.org.cn/ghyw/dwjl/index_1.html"]


def test_hanweb_datastore_records_and_get_proxy() -> None:
    listing = parse_list(page("https://www.jsgh.org/col/col3577/index.html?uid=18462&pageNum=1",
                              file="www.jsgh.org/col/col3577/index.html"), REGISTRY["fx_hanweb_get"])
    assert urls(listing.entries) == EXPECTED["sources"]["fx_hanweb_get"]["stored"][:3]
    assert [e.date_raw for e in listing.entries] == ["2025-09-15", "2025-09-14", "2025-09-12"]
    (proxy,) = listing.next_urls
    query = dict(parse_qsl(urlsplit(proxy).query))
    assert urlsplit(proxy).path == "/module/web/jpage/dataproxy.jsp"
    assert (query["page"], query["columnid"], query["unitid"]) == ("2", "3577", "18462")


def test_hanweb_get_proxy_reply_is_the_last_page() -> None:
    url = "https://www.jsgh.org/module/web/jpage/dataproxy.jsp?page=2&columnid=3577&unitid=18462"
    listing = parse_list(page(url, "text/xml; charset=UTF-8", file="www.jsgh.org/module/web/jpage/dataproxy-page2.xml"),
                         REGISTRY["fx_hanweb_get"])
    assert urls(listing.entries) == EXPECTED["sources"]["fx_hanweb_get"]["stored"][3:]
    assert listing.next_urls == []


def test_hanweb_post_form_from_the_column_page() -> None:
    listing = parse_list(page("https://www.sdgh.org.cn/col/col101583/index.html"), REGISTRY["fx_hanweb_post"])
    assert len(listing.entries) == 3
    assert listing.next_urls == []
    ((url, form),) = listing.next_forms
    assert url == "https://www.sdgh.org.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3"
    assert form == {"col": "1", "appid": "1", "webid": "1", "path": "/", "columnid": "101583",
                    "sourceContentType": "1", "unitid": "56789", "webname": "山东工会网", "permissiontype": "0"}


def test_hanweb_post_reply_shorter_than_asked_ends_paging() -> None:
    url = "https://www.sdgh.org.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3"
    listing = parse_list(page(url, "text/xml", file="www.sdgh.org.cn/module/web/jpage/dataproxy-post4.xml"),
                         REGISTRY["fx_hanweb_post"])
    assert len(listing.entries) == 2
    assert listing.next_forms == []


def test_hanweb_post_full_reply_asks_for_more() -> None:
    records = "".join(f"<record><![CDATA[<li><a href='/art/2025/9/1/art_7_{i}.html'>t{i}</a></li>]]></record>" for i in range(3))
    body = f"<datastore><recordset>{records}</recordset><totalrecord>9</totalrecord></datastore>".encode()
    url = "https://h.example/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=3"
    source = Source(id="h", name="h", family="hanweb", options={"proxy": "post", "columnid": 7, "unitid": 8})
    listing = parse_list(Page(url=url, body=body), source)
    ((next_url, form),) = listing.next_forms
    assert next_url.endswith("dataproxy.jsp?startrecord=7&endrecord=9&perpage=3")
    assert (form["columnid"], form["unitid"]) == ("7", "8")


def test_peoplecn_gb2312_list_links() -> None:
    listing = parse_list(page("http://acftu.people.com.cn/GB/67582/index.html", "text/html; charset=GB2312"),
                         REGISTRY["fx_peoplecn"])
    assert sorted(urls(listing.entries)) == sorted(EXPECTED["sources"]["fx_peoplecn"]["stored"])
    assert all(e.title.endswith("期）") for e in listing.entries)  # decoded, not mojibake


def test_founder_page_node_articles_dates_and_sibling_nodes() -> None:
    listing = parse_list(page("https://epaper.zjgrrb.com/html/2025-09/15/node_2577.htm"), REGISTRY["fx_founder"])
    assert urls(listing.entries) == [u for u in EXPECTED["sources"]["fx_founder"]["stored"] if "/15/" in u][:2]
    assert {e.date_raw for e in listing.entries} == {"2025-09-15"}
    assert listing.next_urls == ["https://epaper.zjgrrb.com/html/2025-09/15/node_2578.htm"]
    assert not listing.paged


def test_founder_col_pages_and_c_articles_with_options() -> None:
    """甘肃工人报's layout: col01.html page nodes and c*.html articles, dated /YYYYMM/DD/."""
    html = ("<html><body><a href='col01.html'>第01版</a><a href='col02.html'>第02版</a>"
            "<a href='c1234.html'>劳模风采</a><map><area href='c1235.html'></map></body></html>")
    registry = load_registry(ROOT / "data" / "sources.toml")
    listing = parse_list(Page(url="https://szb.gansudaily.com.cn/gsgrb/202509/15/col01.html", body=html.encode()),
                         registry["gsgrb"])
    assert urls(listing.entries) == ["https://szb.gansudaily.com.cn/gsgrb/202509/15/c1234.html",
                                     "https://szb.gansudaily.com.cn/gsgrb/202509/15/c1235.html"]
    assert listing.entries[0].date_raw == "2025-09-15"
    assert listing.next_urls == ["https://szb.gansudaily.com.cn/gsgrb/202509/15/col02.html"]


def test_founder_period_xml_leads_to_front_pages() -> None:
    body = ("<periodlist><period><period_date>2025-09-12</period_date><front_page>node_2.htm</front_page></period>"
            "<period><period_date>2025-09-15</period_date><front_page>node_2.htm</front_page></period></periodlist>")
    listing = parse_list(Page(url="https://ldwb.workerbj.cn/content/2025-09/period.xml", body=body.encode()),
                         Source(id="l", name="l", family="founder"))
    assert listing.next_urls == ["https://ldwb.workerbj.cn/content/2025-09/15/node_2.htm",
                                 "https://ldwb.workerbj.cn/content/2025-09/12/node_2.htm"]
    assert listing.entries == []


def test_workercn_list_items_with_times_and_next_link() -> None:
    listing = parse_list(page("https://www.workercn.cn/character/index.html"), REGISTRY["fx_workercn"])
    assert urls(listing.entries) == EXPECTED["sources"]["fx_workercn"]["stored"][:2]
    assert listing.entries[0].date_raw == "2025-09-15 11:20:00"
    assert listing.next_urls == ["https://www.workercn.cn/character/index_2.shtml"]


def test_grrb_page_articles_and_other_pages() -> None:
    listing = parse_list(page("https://www.workercn.cn/papers/grrb/2025/09/15/1/page.html"), REGISTRY["fx_grrb"])
    assert urls(listing.entries) == ["https://www.workercn.cn/papers/grrb/2025/09/15/1/news-1.html",
                                     "https://www.workercn.cn/papers/grrb/2025/09/15/1/news-2.html"]
    assert {e.date_raw for e in listing.entries} == {"2025-09-15"}
    assert listing.next_urls == ["https://www.workercn.cn/papers/grrb/2025/09/15/2/page.html"]
    assert not listing.paged


def test_generic_pattern_and_next_link() -> None:
    source = REGISTRY["fx_generic"]
    listing = parse_list(page(source.lists[0]), source)
    assert urls(listing.entries) == EXPECTED["sources"]["fx_generic"]["stored"][:2]
    assert [e.date_raw for e in listing.entries] == ["2025-09-15", "2025-09-12"]
    assert listing.next_urls == [source.lists[0].replace(".html", "_2.html")]


@pytest.mark.parametrize(("family", "url"), [
    ("trs", "https://www.acftu.org/xwdt/ghyw/202509/t20250915_700101.html"),
    ("hanweb", "https://www.jsgh.org/art/2025/9/15/art_3577_20401.html"),
    ("peoplecn", "http://acftu.people.com.cn/n1/2025/0912/c67502-40600510.html"),
    ("founder", "https://epaper.zjgrrb.com/html/2025-09/15/content_1601.htm"),
    ("gdpost", "https://www.gdftu.org.cn/ghyw/dwjl/content/post_900301.html"),
    ("workercn", "https://www.workercn.cn/c/2025-09-15/8900701.shtml"),
    ("grrb", "https://www.workercn.cn/papers/grrb/2025/09/15/1/news-1.html"),
])
def test_default_article_patterns_match_the_family_urls(family: str, url: str) -> None:
    import re

    pattern = article_pattern(Source(id="x", name="x", family=family))
    assert pattern is not None and re.search(pattern, url)


# --- article pages: every fixture article, field by field ----------------------------------------------
ARTICLES = {url: info for url, info in EXPECTED["articles"].items() if not info["source"] in ("fx_challenge",)}
CONTENT_TYPES = {"http://acftu.people.com.cn/n1/2025/0912/c67502-40600510.html": "text/html; charset=UTF-8",
                 "https://gbk.fixture.test/news/g1.html": "text/html; charset=utf-8"}


def record_of(url: str):  # type: ignore[no-untyped-def]
    info = ARTICLES[url]
    source = REGISTRY[info["source"]]
    default = "text/html; charset=GB2312" if "people.com.cn" in url else "text/html"
    record = extract_article(page(url, CONTENT_TYPES.get(url, default)), source)
    return normalize_record(record, source, NOW)


@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_article_title(url: str) -> None:
    assert record_of(url).title == ARTICLES[url]["title"]


@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_article_date(url: str) -> None:
    published = record_of(url).published_at
    assert published is not None and published.strftime("%Y-%m-%d") == ARTICLES[url]["date"]


@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_article_body_starts_with_first_paragraph(url: str) -> None:
    assert record_of(url).body_text.startswith(ARTICLES[url]["body_first"])


@pytest.mark.parametrize("url", sorted(ARTICLES))
def test_article_body_has_no_chrome(url: str) -> None:
    body = record_of(url).body_text
    for junk in ("备案号", "分享到", "责编", "上一篇", "《工人日报》（", "相关新闻", "当前位置"):
        assert junk not in body, junk


def test_grrb_article_keeps_photos_and_drops_the_credit_line() -> None:
    record = record_of("https://www.workercn.cn/papers/grrb/2025/09/15/1/news-1.html")
    assert record.images == ["https://www.workercn.cn/papers/img/801.jpg"]
    assert "（2025年09月15日" not in record.body_text


def test_selectors_win_over_the_generic_extractor() -> None:
    """A source's selectors decide the fields they name, whatever the generic extractor would find."""
    from dataclasses import replace

    url = "https://epaper.zjgrrb.com/html/2025-09/15/content_1601.htm"
    source = REGISTRY["fx_founder"]
    generic = extract_article(page(url), replace(source, family="generic", selectors={}))
    assert generic.title == ARTICLES[url]["title"]
    pointed = replace(source, family="generic", selectors={"title": ".main-article-pretitle", "body": ".side"})
    record = extract_article(page(url), pointed)
    assert record.title == "本报讯"
    assert record.body_text.startswith("本版其他新闻")


def test_hanweb_article_origin_from_meta() -> None:
    assert record_of("https://www.jsgh.org/art/2025/9/15/art_3577_20401.html").origin == "工人日报"


def test_fixture_build_is_current(tmp_path: Path) -> None:
    """The committed fixture tree is what build.py writes (edit build.py, then run it)."""
    import shutil

    copy = tmp_path / "sites"
    shutil.copytree(FIXTURES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([sys.executable, str(copy / "build.py")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    built = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    committed = {p.relative_to(FIXTURES): p.read_bytes() for p in FIXTURES.rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
    assert built.keys() == committed.keys()
    stale = [str(k) for k in built if built[k] != committed[k]]
    assert stale == [], "run python tests/fixtures/sites/build.py"
