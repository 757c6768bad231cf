"""The week's page and the index page: structure, charts, review marks, no script, referrer policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from aggregator.digest import Digest, build_week
from aggregator.publish import feed_groups, feed_links
from aggregator.render.html import WeekEntry, digest_fragment, render_digest_html, render_index_html, week_label
from aggregator.store import Store
from tests.digest_data import add_articles, add_sources, week30


@pytest.fixture
def digest(store: Store) -> Digest:
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
        return build_week(s, "2025-W30")


@pytest.fixture
def page(digest: Digest) -> BeautifulSoup:
    return BeautifulSoup(render_digest_html(digest, feed_links()), "lxml")


def test_page_head_is_safe_and_mobile_ready(page: BeautifulSoup) -> None:
    assert page.html["lang"] == "zh-CN"
    assert page.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"
    assert "width=device-width" in page.find("meta", attrs={"name": "viewport"})["content"]
    csp = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "script-src 'none'" in csp
    assert page.find("script") is None
    assert [link["href"] for link in page.find_all("link", rel="alternate")] == ["digest.rss.xml", "digest.atom.xml"]


def test_title_reads_as_the_digest_title(page: BeautifulSoup, digest: Digest) -> None:
    assert page.title.get_text() == digest.title
    assert page.find(id="digest-title").get_text() == digest.title


def test_headlines_link_to_their_items(page: BeautifulSoup, digest: Digest) -> None:
    links = page.select("#core li a")
    assert [a.get_text() for a in links] == [i.title for i in digest.headlines]
    for a in links:
        assert page.find(id=a["href"][1:]) is not None


def test_sections_items_and_outlets(page: BeautifulSoup, digest: Digest) -> None:
    sections = page.select("section.digest-section")
    assert [s["data-section"] for s in sections] == [name for name, _ in digest.sections]
    for section, (_name, items) in zip(sections, digest.sections, strict=True):
        articles = section.select("article.item")
        assert [a.h3.a.get_text() for a in articles] == [i.title for i in items]
        for article, item in zip(articles, items, strict=True):
            assert article.select_one("p.summary").get_text() == item.summary
            assert [a["href"] for a in article.select(".outlets a")] == [o.url for o in item.outlets]
    assert page.select_one(".size").get_text() == "3 家刊发"
    assert page.find(id="credits").get_text() == "部分图文来源：" + "、".join(digest.credits)


def test_charts_by_province_and_by_section(page: BeautifulSoup, digest: Digest) -> None:
    region = page.select_one("#chart-region svg")
    section = page.select_one("#chart-section svg")
    assert region is not None and section is not None
    assert [t.get_text() for t in section.select("g.row text")][::2] == [name for name, _ in digest.sections]
    assert len(region.select("rect.bar")) == len(digest.by_region)
    assert "江苏 2条" in region.find("desc").get_text()


def test_review_marks_on_the_page_and_not_in_the_feed(digest: Digest, page: BeautifulSoup) -> None:
    marked = page.select("article.needs-review")
    assert [a.h3.a.get_text() for a in marked] == ["四川招聘会服务新就业形态劳动者"]
    assert marked[0].select_one(".review").get_text() == "待审"
    assert page.find(id="review-note") is not None
    hidden = BeautifulSoup(render_digest_html(digest, show_review=False), "lxml")
    assert hidden.select(".review, .needs-review, #review-note") == []
    assert "待审" not in digest_fragment(digest)


def test_text_is_escaped(digest: Digest) -> None:
    digest.items[0].title = "<img src=x onerror=alert(1)>标题"
    digest.items[0].summary = "<script>alert(1)</script>"
    html = render_digest_html(digest)
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_week_label() -> None:
    from datetime import datetime

    from aggregator.dates import SHANGHAI

    digest = Digest(start=datetime(2025, 12, 29, tzinfo=SHANGHAI), end=datetime(2026, 1, 5, tzinfo=SHANGHAI),
                    week="2026-W01", title="一周速览", headlines=[], sections=[], credits=[], updated=None)
    assert week_label(digest) == "2026年第1周（2025年12月29日—2026年1月4日）"


def test_index_lists_weeks_and_every_feed(tmp_path: Path) -> None:
    weeks = [WeekEntry("2025-W30.html", "一周速览 | 甲 ;乙", "2025年第30周", 25, ["甲", "乙", "丙"]),
             WeekEntry("2025-W29.html", "一周速览 | 丁", "2025年第29周", 3, ["丁"])]
    soup = BeautifulSoup(render_index_html(weeks, feed_links(), feed_groups()), "lxml")
    assert [a["href"] for a in soup.select(".weeks h2 a")] == ["2025-W30.html", "2025-W29.html"]
    hrefs = [a["href"] for a in soup.select("#subscribe a")]
    assert len(hrefs) == 16 and "section-weiquan-fuwu.atom.xml" in hrefs and "articles.rss.xml" in hrefs
    assert soup.find("script") is None
