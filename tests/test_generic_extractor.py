"""The generic extractor on our own fixture pages (tests/fixtures/pages), field by field against expected JSON.

Each page is a template we wrote to reproduce one trap seen on real Chinese news pages (its JSON "notes" says
which); the articles are our own text. Pages are read as a crawl reads them: no source, no selectors.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from aggregator.clock import crawl_now
from aggregator.extract import extract_article
from aggregator.extract.generic import extract_generic
from aggregator.extract.html import parse_html
from aggregator.extract.selectors import apply_selectors, selector_fields
from aggregator.normalize import normalize_record
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Source

PAGES_DIR = Path(__file__).resolve().parent / "fixtures" / "pages"
NAMES = sorted(p.stem for p in PAGES_DIR.glob("*.json"))
DEFAULT_NOW = "2025-07-28T12:00:00+08:00"


def truth(name: str) -> dict[str, Any]:
    return json.loads((PAGES_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def record(name: str) -> ArticleRecord:
    expected = truth(name)
    page = Page(url=expected["url"], body=(PAGES_DIR / f"{name}.html").read_bytes())
    return normalize_record(extract_article(page), None, crawl_now(expected.get("now") or DEFAULT_NOW))


def test_there_are_fixture_pages() -> None:
    assert len(NAMES) >= 15


@pytest.mark.parametrize("name", NAMES)
def test_title(name: str) -> None:
    assert record(name).title == truth(name)["title"]


@pytest.mark.parametrize("name", NAMES)
def test_published(name: str) -> None:
    expected = truth(name).get("expect_published") or truth(name)["published"]
    got = record(name).published_at
    assert got is not None
    assert got.utcoffset().total_seconds() == 8 * 3600
    assert got.strftime("%Y-%m-%d %H:%M" if len(expected) > 10 else "%Y-%m-%d") == expected


@pytest.mark.parametrize("name", NAMES)
def test_published_precise(name: str) -> None:
    assert record(name).published_precise is truth(name)["precise"]


@pytest.mark.parametrize("name", NAMES)
def test_author(name: str) -> None:
    assert record(name).author == truth(name)["author"]


@pytest.mark.parametrize("name", NAMES)
def test_source(name: str) -> None:
    assert record(name).origin == truth(name)["source"]


@pytest.mark.parametrize("name", NAMES)
def test_byline_kept_apart(name: str) -> None:
    assert record(name).byline == truth(name)["byline"]


@pytest.mark.parametrize("name", NAMES)
def test_body_first(name: str) -> None:
    assert truth(name)["body_first"] in record(name).body_text


@pytest.mark.parametrize("name", NAMES)
def test_body_mid(name: str) -> None:
    assert truth(name)["body_mid"] in record(name).body_text


@pytest.mark.parametrize("name", NAMES)
def test_body_ends_with_last_paragraph(name: str) -> None:
    assert record(name).body_text.endswith(truth(name)["body_last"])


@pytest.mark.parametrize("name", NAMES)
def test_no_boilerplate_in_text(name: str) -> None:
    leaked = [b for b in truth(name)["boilerplate"] if b in record(name).body_text]
    assert leaked == []


@pytest.mark.parametrize("name", NAMES)
def test_no_boilerplate_in_html(name: str) -> None:
    leaked = [b for b in truth(name)["boilerplate"] if b in record(name).body_html]
    assert leaked == []


@pytest.mark.parametrize("name", NAMES)
def test_body_html_holds_the_body(name: str) -> None:
    html = lxml.html.fromstring(f"<div>{record(name).body_html}</div>").text_content()
    assert truth(name)["body_first"] in html and truth(name)["body_last"] in html


@pytest.mark.parametrize("name", NAMES)
def test_images_absolute(name: str) -> None:
    assert record(name).images == truth(name)["images"]


@pytest.mark.parametrize("name", NAMES)
def test_region(name: str) -> None:
    assert (record(name).region, record(name).city) == (truth(name)["region"], truth(name)["city"])


@pytest.mark.parametrize("name", NAMES)
def test_summary_is_the_lede(name: str) -> None:
    summary = record(name).summary
    assert summary.startswith(truth(name)["summary_start"])
    assert len(summary) <= 200


@pytest.mark.parametrize("name", NAMES)
def test_status_ok(name: str) -> None:
    assert record(name).status == "ok"


# ---------------------------------------------------------------------------------------------------------------

ARTICLE = """<html><head><title>示例标题_示例网</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<h1>示例标题</h1><div class="info">2025-07-24 09:05 来源：示例报</div>
<div id="main"><p>第一段，讲清楚了时间、地点和事情的经过，字数足够。</p><p>第二段，补充了一些细节，也有足够的字数。</p>
<p class="credit">（责任编辑：某某）</p></div>
<div class="custom-box"><h2 class="tt">站点自定标题</h2><span class="when">2025年7月20日</span>
<div class="txt"><p>自定正文第一段。</p><p class="ad">广告</p><p>自定正文第二段。</p></div></div>
</body></html>"""


def test_selectors_win_over_generic() -> None:
    doc = parse_html(ARTICLE, "https://example.com/a.html")
    fields = extract_generic(doc, "https://example.com/a.html")
    apply_selectors(doc, "https://example.com/a.html",
                    {"title": "h2.tt", "published": ".when", "body": ".txt", "drop": [".ad"]}, fields)
    assert (fields.title, fields.published_raw, fields.body_lines) == (
        "站点自定标题", "2025年7月20日", ["自定正文第一段。", "自定正文第二段。"])


def test_selector_matching_nothing_keeps_the_generic_value() -> None:
    doc = parse_html(ARTICLE, "https://example.com/a.html")
    fields = extract_generic(doc, "https://example.com/a.html")
    apply_selectors(doc, "https://example.com/a.html", {"title": ".gone", "body": ".gone"}, fields)
    assert fields.title == "示例标题" and fields.body_lines[0].startswith("第一段")


def test_broken_selector_keeps_the_generic_value() -> None:
    doc = parse_html(ARTICLE, "https://example.com/a.html")
    fields = extract_generic(doc, "https://example.com/a.html")
    apply_selectors(doc, "https://example.com/a.html", {"body": "div[[["}, fields)
    assert fields.body_lines[0].startswith("第一段")


def test_selector_body_of_several_matches_in_page_order() -> None:
    doc = parse_html(ARTICLE, "https://example.com/a.html")
    fields = extract_generic(doc, "https://example.com/a.html")
    apply_selectors(doc, "https://example.com/a.html", {"body": "#main p"}, fields)
    assert [line[:3] for line in fields.body_lines] == ["第一段", "第二段"]


def test_selectors_through_extract_article() -> None:
    source = Source(id="demo", name="示例网", selectors={"title": "h2.tt", "body": ".txt", "drop": [".ad"]})
    rec = extract_article(Page(url="https://example.com/a.html", body=ARTICLE.encode()), source)
    assert (rec.title, rec.body_text) == ("站点自定标题", "自定正文第一段。\n自定正文第二段。")


INFO_PAGE = """<html><head><title>职工技能大赛在市里举行_示例网</title></head><body>
<div class="nav"><a href="/">首页</a><a href="/a">要闻</a></div>
<div class="detail"><h1 class="title">职工技能大赛在市里举行</h1>
<div class="info">发布时间：2025-07-20 09:30 来源：示例日报 作者：王小明</div>
<div class="article"><p>第一段，讲清楚了时间、地点和事情的经过，字数足够，句子也够长。</p>
<p>第二段，补充了一些细节，也有足够的字数，句子也够长。</p></div></div></body></html>"""
INFO_SELECTORS = {"title": "h1.title", "published": ".info", "body": ".article"}


def test_selectors_naming_headline_time_and_body_give_the_record_of_the_full_extraction() -> None:
    """With title, published and body selectors the generic body search is skipped; author and 来源 still come
    from the header between that headline and that body, as the full extraction reads them."""
    url = "https://example.com/a.html"
    doc = parse_html(INFO_PAGE, url)
    full = extract_generic(doc, url)
    apply_selectors(doc, url, INFO_SELECTORS, full)
    fast = selector_fields(doc, url, INFO_SELECTORS)
    assert fast == full
    assert (fast.author, fast.origin) == ("王小明", "示例日报")


@pytest.mark.parametrize("selectors", [
    {"title": "h1.title", "body": ".article"},  # no published selector: the generic extractor reads the time
    {"title": "h1.title", "published": ".gone", "body": ".article"},
    {"title": "h1.title", "published": ".info", "body": ".gone"},
])
def test_selectors_short_of_headline_time_and_body_leave_the_page_to_the_generic_extractor(
        selectors: dict[str, str]) -> None:
    assert selector_fields(parse_html(INFO_PAGE, "https://example.com/a.html"), "https://example.com/a.html",
                           selectors) is None


def test_generic_does_not_change_the_page() -> None:
    doc = parse_html(ARTICLE, "https://example.com/a.html")
    before = lxml.html.tostring(doc)
    extract_generic(doc, "https://example.com/a.html")
    assert lxml.html.tostring(doc) == before


def test_editor_line_is_not_body() -> None:
    rec = extract_article(Page(url="https://example.com/a.html", body=ARTICLE.encode()))
    assert "责任编辑" not in rec.body_text


def test_body_hidden_until_script_runs_is_still_read() -> None:
    html = ("<html><head><title>隐藏正文的页面</title></head><body><h1>隐藏正文的页面</h1>"
            "<div id='content' style='visibility: hidden'><p>这是一段被脚本隐藏的正文，等脚本运行以后才会显示出来。</p>"
            "<p>第二段正文，同样在页面加载时是隐藏的，但它就是文章本身。</p></div></body></html>")
    rec = extract_article(Page(url="https://example.com/h.html", body=html.encode()))
    assert rec.body_text.startswith("这是一段被脚本隐藏的正文")


@pytest.mark.parametrize("body", [b"", b"<html></html>", b"\xff\xfe\x00\x00garbage", b"<div>" * 3000 + b"x",
                                  b"<!-- only a comment -->", b"<?xml version='1.0' encoding='gbk'?><html><h1>x</h1></html>"])
def test_broken_pages_give_an_empty_record_not_an_error(body: bytes) -> None:
    rec = extract_article(Page(url="https://example.com/x.html", body=body))
    assert rec.status == "empty"


def test_truncated_page_is_marked() -> None:
    page = (PAGES_DIR / "portal_article.html").read_bytes()
    cut = page[: page.index("下一步将联合".encode())]
    rec = extract_article(Page(url="https://www.hbgh.example.cn/gh/x.html", body=cut))
    assert rec.status == "truncated"


def test_base_href_on_another_host_is_ignored() -> None:
    html = ("<html><head><base href='https://evil.example/'><title>送清凉_县工会网</title></head><body><h1>送清凉</h1>"
            "<div class='content'><p>7月22日，县总工会为户外劳动者送去防暑物资，覆盖全县三千余人次。</p>"
            "<p><img src='x.jpg'></p><p>活动还向职工宣讲高温天气劳动保护政策，提醒企业落实高温津贴。</p></div></body></html>")
    rec = extract_article(Page(url="https://county.example.cn/a/1.html", body=html.encode()))
    assert rec.images == ["https://county.example.cn/a/x.jpg"]


# -- script variables: the patterns find what they found with the optional quote before the name -------------

import re  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from aggregator.extract import generic  # noqa: E402

_NAMES = ["pubtime", "pub_time", "publish_time", "publishtime", "publishTime", "pubDate", "pubdate", "ptime",
          "publishDate", "publish_date", "releaseTime", "release_time", "datePublished", "createTime", "create_time",
          "time_published", "title", "articleTitle", "article_title", "msg_title"]
_SCRIPT_PIECES = st.sampled_from([*_NAMES, "'", '"', ":", "=", " ", "\n", "2025-07-24", "2025/7/24 09:30",
                                  "1999.1.2T03:04:05", "+08", "标题文字", "x", ";", "var ", "20", "19"])
_FORMER_DATE = re.compile("""["']?""" + generic._SCRIPT_DATE.pattern)
_FORMER_TITLE = re.compile("""["']?""" + generic._SCRIPT_TITLE.pattern)


@settings(max_examples=500, deadline=None)
@given(pieces=st.lists(_SCRIPT_PIECES, max_size=30))
def test_script_variable_patterns_find_what_the_former_ones_found(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert [m.group(1) for m in generic._SCRIPT_DATE.finditer(text)] == [m.group(1) for m in _FORMER_DATE.finditer(text)]
    found, former = generic._SCRIPT_TITLE.search(text), _FORMER_TITLE.search(text)
    assert (found and found.group(1)) == (former and former.group(1))
