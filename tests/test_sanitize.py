"""Sanitizing source HTML: an allow-list, no script of any kind, safe URLs, WeChat images without a Referer."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.sanitize import ALLOWED_ATTRS, ALLOWED_TAGS, IFRAME_HOSTS, sanitize_html

BASE = "https://www.example-union.cn/news/2025/0722/a.html"
SAFE_SCHEMES = ("http://", "https://")


def assert_safe(html: str) -> None:
    """Only allowed tags and attributes, only http(s) URLs, iframes only from known players."""
    soup = BeautifulSoup(html, "lxml")
    body = soup.body or soup
    for tag in body.find_all(True):
        assert tag.name in ALLOWED_TAGS, tag.name
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr)
            assert attr in ALLOWED_ATTRS.get(tag.name, set()) | {"rel", "referrerpolicy", "loading", "sandbox",
                                                                 "allowfullscreen"}, (tag.name, attr)
            if attr in ("href", "src", "poster"):
                assert str(value).startswith(SAFE_SCHEMES), (tag.name, attr, value)
        if tag.name == "iframe":
            from urllib.parse import urlsplit

            assert urlsplit(tag["src"]).hostname in IFRAME_HOSTS
            assert "sandbox" in tag.attrs
    # Text may say "javascript:" (it is only text); markup may not: no raw < survives outside tags we allowed.
    lowered = html.lower()
    assert "<script" not in lowered and "<style" not in lowered and "<svg" not in lowered


HOSTILE = [
    pytest.param('<p>正文<script>alert(1)</script></p>', "<p>正文</p>", id="script"),
    pytest.param('<p onclick="alert(1)" onmouseover=x>正文</p>', "<p>正文</p>", id="event-handlers"),
    pytest.param('<a href="javascript:alert(1)">链接</a>', "<a>链接</a>", id="javascript-url"),
    pytest.param('<a href="JaVaScRiPt:alert(1)">链接</a>', "<a>链接</a>", id="javascript-url-mixed-case"),
    pytest.param('<a href="java\tscript:alert(1)">链接</a>', "<a>链接</a>", id="javascript-url-with-tab"),
    pytest.param('<a href="&#106;avascript:alert(1)">链接</a>', "<a>链接</a>", id="javascript-url-entity"),
    pytest.param('<a href="data:text/html;base64,PHNjcmlwdD4=">链接</a>', "<a>链接</a>", id="data-url"),
    pytest.param('<a href="vbscript:msgbox(1)">链接</a>', "<a>链接</a>", id="vbscript-url"),
    pytest.param('<img src="x" onerror="alert(1)">', '<img loading="lazy" src="https://www.example-union.cn/news/2025/0722/x"/>',
                 id="img-onerror"),
    pytest.param('<iframe src="https://evil.example/x"></iframe><p>正文</p>', "<p>正文</p>", id="iframe-unknown-host"),
    pytest.param('<iframe srcdoc="<script>alert(1)</script>"></iframe><p>正文</p>', "<p>正文</p>", id="iframe-srcdoc"),
    pytest.param('<svg onload="alert(1)"><a xlink:href="javascript:1">x</a></svg><p>正文</p>', "<p>正文</p>", id="svg"),
    pytest.param('<math><mtext><style><img src=x onerror=alert(1)></style></mtext></math><p>正文</p>', "<p>正文</p>",
                 id="math-mxss"),
    pytest.param('<p style="background:url(javascript:alert(1))">正文</p>', "<p>正文</p>", id="style-attribute"),
    pytest.param('<style>body{}</style><p>正文</p>', "<p>正文</p>", id="style-element"),
    pytest.param('<form action="https://evil.example"><input name=q></form><p>正文</p>', "<p>正文</p>", id="form"),
    pytest.param('<object data="x.swf"></object><embed src="x.swf"><p>正文</p>', "<p>正文</p>", id="object-embed"),
    pytest.param('<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example">'
                 '<p>正文</p>', "<p>正文</p>", id="base-meta-refresh"),
    pytest.param('<!-- <script>alert(1)</script> --><p>正文</p>', "<p>正文</p>", id="comment"),
    pytest.param('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></p></noscript><p>正文</p>', "<p>正文</p>",
                 id="noscript-mxss"),
    pytest.param('<xmp><script>alert(1)</script></xmp><p>正文</p>', "<p>正文</p>", id="xmp"),
    pytest.param('<template><script>alert(1)</script></template><p>正文</p>', "<p>正文</p>", id="template"),
    pytest.param('<p>正文\x00\x0b\ufffe</p>', "<p>正文</p>", id="xml-invalid-characters"),
    pytest.param("<section>&lt;img src=x onerror=alert(1)&gt; a&amp;b</section>", "&lt;img src=x onerror=alert(1)&gt; a&amp;b",
                 id="escaped-markup-in-unwrapped-text"),
]


@pytest.mark.parametrize(("raw", "expected"), HOSTILE)
def test_hostile_markup_is_removed(raw: str, expected: str) -> None:
    cleaned = sanitize_html(raw, BASE)
    assert cleaned == expected
    assert_safe(cleaned)


def test_known_video_player_stays_sandboxed() -> None:
    cleaned = sanitize_html('<iframe src="https://v.qq.com/txp/iframe/player.html?vid=x" onload="x()"></iframe>', BASE)
    soup = BeautifulSoup(cleaned, "lxml")
    frame = soup.find("iframe")
    assert frame["src"].startswith("https://v.qq.com/")
    assert frame["sandbox"] and frame["referrerpolicy"] == "no-referrer" and "onload" not in frame.attrs


def test_wechat_images_load_without_a_referer() -> None:
    raw = ('<img data-src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg" src="data:image/gif;base64,R0lGOD">'
           '<img src="https://www.example-union.cn/pic.jpg">')
    images = BeautifulSoup(sanitize_html(raw, "https://mp.weixin.qq.com/s?__biz=x"), "lxml").find_all("img")
    assert images[0]["src"] == "https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg"  # lazy source taken
    assert images[0]["referrerpolicy"] == "no-referrer"
    assert "referrerpolicy" not in images[1].attrs  # other hosts keep the browser's default


def test_relative_links_become_absolute_and_open_safely() -> None:
    soup = BeautifulSoup(sanitize_html('<a href="../0721/b.html" target="_blank">前一篇</a>', BASE), "lxml")
    assert soup.a["href"] == "https://www.example-union.cn/news/2025/0721/b.html"
    assert soup.a["rel"] == ["noopener", "noreferrer"] and "target" not in soup.a.attrs


def test_sanitizing_twice_changes_nothing() -> None:
    raw = "".join(p.values[0] for p in HOSTILE) + '<p>正文<img data-src="https://mmbiz.qpic.cn/a/640"></p>'
    once = sanitize_html(raw, BASE)
    assert sanitize_html(once, BASE) == once


FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>", "<svg><script>1</script></svg>", "<p onclick=1>", "</p>", "<div>", "</div>",
    "正文", "<!--", "-->", "<style>", "</style>", '<a href="  javascript:1">', "</a>", "<table><tr><td>", "<math>",
    "<noscript>", "</noscript>", '"', "'", ">", "<", "&", "&#x6a;avascript:", "<img src=\"", "\x00", "\x0c", "]]>",
    "<iframe src=\"https://v.qq.com/x\" onload=1>", "<form>", "<textarea>", "</textarea>", "<title>", "<xmp>",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=14))
def test_any_mix_of_hostile_fragments_comes_out_safe(parts: list[str]) -> None:
    assert_safe(sanitize_html("".join(parts), BASE))


def test_source_indentation_folds_to_one_newline_except_in_pre() -> None:
    cleaned = sanitize_html("<div>\n      <p>一</p>\n      <p>二</p>  </div><pre>  a\n  b  </pre>", BASE)
    assert cleaned == "<div>\n<p>一</p>\n<p>二</p> </div>  a\n  b  "


def test_ruby_annotations_count_as_text() -> None:
    # A paragraph holding only a pronunciation guide is not an empty wrapper.
    assert sanitize_html("<p><ruby>工<rt>gōng</rt></ruby></p><div><rt>huì</rt></div>", BASE) == "<p>工gōng</p><div>huì</div>"
