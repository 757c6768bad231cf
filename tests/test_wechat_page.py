"""WeChat page objects: every fixture page (each page type, deleted, verification, expired, repost) against its
expected JSON, one assertion per field; and the heuristics of the parser as tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aggregator.clock import crawl_now
from aggregator.extract import extract_article
from aggregator.extract.html import parse_html
from aggregator.extract.wechat import (
    detect_state,
    fix_image_url,
    js_unescape,
    parse_wechat,
    picture_list,
    script_vars,
)
from aggregator.normalize import normalize_record
from aggregator.records import ArticleRecord, Page

PAGES = Path(__file__).parent / "fixtures" / "wechat" / "pages"
NOW = crawl_now("2025-07-28T12:00:00+08:00")
CASES = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(PAGES.glob("*.json"))}


def record_of(name: str) -> ArticleRecord:
    case = CASES[name]
    page = Page(url=case["opened_at"], body=(PAGES / f"{name}.html").read_bytes(),
                headers={"content-type": "text/html; charset=utf-8"})
    return normalize_record(extract_article(page), None, NOW)


_RECORDS: dict[str, ArticleRecord] = {}


def parsed(name: str) -> ArticleRecord:
    if name not in _RECORDS:
        _RECORDS[name] = record_of(name)
    return _RECORDS[name]


def actual(record: ArticleRecord, field: str) -> Any:
    """The value of one expected field, read from the record."""
    getters = {
        "account": lambda r: r.wechat_account,
        "published": lambda r: r.published_at.isoformat() if r.published_at else None,
        "key": lambda r: list(r.wechat_key) if r.wechat_key else None,
        "original": lambda r: bool(r.extra.get("original")),
        "source_url": lambda r: r.extra.get("source_url"),
        "ip_location": lambda r: r.extra.get("ip_location"),
        "wechat_state": lambda r: r.extra.get("wechat_state"),
        "repost_of": lambda r: r.extra.get("repost_of"),
    }
    return getters[field](record) if field in getters else getattr(record, field)


FIELD_CASES = [(name, field) for name, case in CASES.items() for field in case["expect"]
               if field not in ("body_first", "body_last", "body_excludes", "html_contains", "html_excludes")]


@pytest.mark.parametrize(("name", "field"), FIELD_CASES, ids=[f"{n}-{f}" for n, f in FIELD_CASES])
def test_field(name: str, field: str) -> None:
    assert actual(parsed(name), field) == CASES[name]["expect"][field]


BODY_CASES = [name for name, case in CASES.items() if "body_first" in case["expect"]]


@pytest.mark.parametrize("name", BODY_CASES)
def test_body_starts_with_first_paragraph(name: str) -> None:
    assert parsed(name).body_text.startswith(CASES[name]["expect"]["body_first"])


@pytest.mark.parametrize("name", BODY_CASES)
def test_body_ends_with_last_paragraph(name: str) -> None:
    assert parsed(name).body_text.endswith(CASES[name]["expect"]["body_last"])


EXCLUDES = [(name, junk) for name, case in CASES.items() for junk in case["expect"].get("body_excludes", [])]


@pytest.mark.parametrize(("name", "junk"), EXCLUDES, ids=[f"{n}-{j}" for n, j in EXCLUDES])
def test_body_leaves_out(name: str, junk: str) -> None:
    assert junk not in parsed(name).body_text


HTML_IN = [(name, s) for name, case in CASES.items() for s in case["expect"].get("html_contains", [])]


@pytest.mark.parametrize(("name", "snippet"), HTML_IN, ids=[f"{n}-{s[:20]}" for n, s in HTML_IN])
def test_body_html_keeps(name: str, snippet: str) -> None:
    assert snippet in parsed(name).body_html


HTML_OUT = [(name, s) for name, case in CASES.items() for s in case["expect"].get("html_excludes", [])]


@pytest.mark.parametrize(("name", "snippet"), HTML_OUT, ids=[f"{n}-{s}" for n, s in HTML_OUT])
def test_body_html_leaves_out(name: str, snippet: str) -> None:
    assert snippet not in parsed(name).body_html


@pytest.mark.parametrize("name", BODY_CASES)
def test_images_load_without_a_referer(name: str) -> None:
    """Every image is an https WeChat URL without lazy-load leftovers, sent with referrerpolicy=no-referrer."""
    html = parsed(name).body_html
    assert "data-src" not in html and 'src=""' not in html and "data:image" not in html
    doc = parse_html(html)
    for img in doc.iter("img"):
        assert img.get("src", "").startswith("https://mmbiz.qpic.cn/"), img.get("src")
        assert img.get("referrerpolicy") == "no-referrer"


@pytest.mark.parametrize("name", BODY_CASES)
def test_hidden_style_is_gone(name: str) -> None:
    html = parsed(name).body_html
    assert "visibility" not in html and "opacity" not in html and "style=" not in html


# -- heuristics, as tables --------------------------------------------------------------------------------
@pytest.mark.parametrize(("script", "expected"), [
    ('var biz = "" || "MzA=";', {"biz": "MzA="}),
    ('var biz = "MzA="||"";', {"biz": "MzA="}),
    ('var mid = "" || ""|| "2650934104";', {"mid": "2650934104"}),
    ("var appmsgid = '' || '26'|| \"\";", {"appmsgid": "26"}),
    ('var ct = "1581517074";', {"ct": "1581517074"}),
    ("window.ct = '1790499600' || '';", {"ct": "1790499600"}),
    ('var copyright_stat = "1" * 1;', {"copyright_stat": "1"}),
    ("  copyright_stat : \"0\",", {"copyright_stat": "0"}),
    ("item_show_type: '8' * 1,", {"item_show_type": "8"}),
    ("var createTime = '2025-07-24 09:05';", {"createTime": "2025-07-24 09:05"}),
    ('var nickname = htmlDecode("陕西工会");', {"nickname": "陕西工会"}),
    ("var msg_title = 'A\\x26amp;B'.html(false);", {"msg_title": "A&amp;B"}),
    ("window.msg_title = window.title = '标题' || '';", {"msg_title": "标题"}),
    ("nick_name: JsDecode('青禾工会'),", {"nickname": None, "nick_name": "青禾工会"}),
    # A URL being built from variables is not an assignment of them.
    ('location.href = "x?__biz=" + biz + "&sn="+sn+"#wechat_redirect";', {"sn": None, "biz": None}),
    ('var sn = "" + sn;', {"sn": None}),
    ('var idx = "1" || "" || "";', {"idx": "1"}),
    ('var ct = "";', {"ct": None}),
])
def test_script_vars(script: str, expected: dict[str, str | None]) -> None:
    found = script_vars(script)
    for name, value in expected.items():
        assert found.get(name) == value, name


@pytest.mark.parametrize(("literal", "value"), [
    ("\\x26quot;", "&quot;"),
    ("a\\x0ab", "a\nb"),
    ("\\u4e2d\\u6587", "中文"),
    ('\\"q\\"', '"q"'),
    ("\\\\", "\\"),
    ("http:\\/\\/x", "http://x"),
])
def test_js_unescape(literal: str, value: str) -> None:
    assert js_unescape(literal) == value


@pytest.mark.parametrize(("text", "url", "has_article", "state"), [
    ("<h2>该内容已被发布者删除</h2>", "https://mp.weixin.qq.com/s/abcdefghij", False, "deleted"),
    ("<p>此内容因违规无法查看</p>", "https://mp.weixin.qq.com/s/abcdefghij", False, "deleted"),
    ("<p>当前环境异常，完成验证后即可继续访问。</p>", "https://mp.weixin.qq.com/s/abcdefghij", False, "verify"),
    ("<p>请稍候</p>", "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=x", False, "verify"),
    ("<p>链接已过期</p>", "https://mp.weixin.qq.com/s?src=11&timestamp=1&signature=x", False, "expired"),
    ("<p>nothing here</p>", "https://mp.weixin.qq.com/s/abcdefghij", False, "empty"),
    # An article that talks about a 环境异常 or quotes a deletion notice is still an article.
    ("<p>该内容已被发布者删除 当前环境异常</p>", "https://mp.weixin.qq.com/s/abcdefghij", True, "ok"),
])
def test_detect_state(text: str, url: str, has_article: bool, state: str) -> None:
    assert detect_state(text, url, has_article)[0] == state


@pytest.mark.parametrize(("url", "fixed"), [
    ("http://mmbiz.qpic.cn/mmbiz_jpg/K/640?wx_fmt=jpeg", "https://mmbiz.qpic.cn/mmbiz_jpg/K/640?wx_fmt=jpeg"),
    ("//mmbiz.qpic.cn/mmbiz_png/K/0?wx_fmt=png", "https://mmbiz.qpic.cn/mmbiz_png/K/0?wx_fmt=png"),
    ("https://mmbiz.qpic.cn/a/K/0?wx_fmt=gif&amp;tp=webp", "https://mmbiz.qpic.cn/a/K/0?wx_fmt=gif&tp=webp"),
    # A mirror's image proxy is unwrapped: its access key must never reach a published page.
    ("https://w2r.example.org/img-proxy?k=SECRETKEY&u=https%3A%2F%2Fmmbiz.qpic.cn%2Fmmbiz_jpg%2FK%2F640",
     "https://mmbiz.qpic.cn/mmbiz_jpg/K/640"),
    ("data:image/gif;base64,R0lGOD", None),
    ("", None),
    ("https://res.wx.qq.com/mmbizwap/zh_CN/htmledition/images/pic/pic_blank.gif", None),
    ("https://www.example.org/a.png", "https://www.example.org/a.png"),
])
def test_fix_image_url(url: str, fixed: str | None) -> None:
    assert fix_image_url(url) == fixed


def test_picture_list_takes_each_items_own_image_only() -> None:
    script = """picture_page_info_list: [{cdn_url: 'https://mmbiz.qpic.cn/a/1/0', watermark_info: {cdn_url: 'https://mmbiz.qpic.cn/w/1/0'}},
    {share_cover: {cdn_url: 'https://mmbiz.qpic.cn/s/2/0'}, cdn_url: "https://mmbiz.qpic.cn/a/2/0", note: '{"x": "}"}'}]"""
    assert picture_list(script) == ["https://mmbiz.qpic.cn/a/1/0", "https://mmbiz.qpic.cn/a/2/0"]


@pytest.mark.parametrize(("script", "shown", "published"), [
    ('var ct = "1753147812"; var createTime = "2025-07-22 09:30";', "", "1753147812"),
    ("var createTime = '2025-07-22 09:30';", "", "2025-07-22 09:30"),
    ("var oriCreateTime = 1603870767;", "", "1603870767"),
    # A rendered page shows 昨天 relative to when it was saved: never a publish time.
    ("", "昨天", None),
    ("", "2025年7月22日 09:30", "2025年7月22日 09:30"),
])
def test_publish_time_sources(script: str, shown: str, published: str | None) -> None:
    html = (f'<html><body><div id="js_content"><p>正文内容</p></div><em id="publish_time">{shown}</em>'
            f"<script>{script}</script></body></html>")
    page = parse_wechat(parse_html(html), html, "https://mp.weixin.qq.com/s/abcdefghij")
    assert page.published_raw == published


def test_truncated_page_is_flagged() -> None:
    body = (PAGES / "article_old.html").read_bytes()
    cut = body[: body.index(b"<mpprofile")]
    record = extract_article(Page(url=CASES["article_old"]["opened_at"], body=cut))
    assert record.status == "truncated" and record.wechat_key is not None


def test_temporary_link_is_never_an_identity() -> None:
    html = "<html><body><div id='js_content'><p>一段正文</p></div></body></html>"
    url = "https://mp.weixin.qq.com/s?src=11&timestamp=1753300000&ver=6100&signature=abc&new=1"
    record = extract_article(Page(url=url, body=html.encode()))
    assert record.status == "empty" and record.extra.get("unidentified") is True
