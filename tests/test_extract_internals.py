"""Internal helpers of the extractor that replaced slower code: each gives what the code it replaced gave
(kept here as the reference), on tables of the cases that could tell them apart."""

from __future__ import annotations

import copy
import gc
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from aggregator.extract import generic
from aggregator.extract.html import HtmlElement, node_text_lines, parse_html, text_content

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pages"
URL = "https://www.example.cn/a/1.html"

# -- _squash -------------------------------------------------------------------------------------------------

_FORMER_WHITESPACE = re.compile(r"\s+")
_SPACES = [chr(code) for code in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(code))]


@pytest.mark.parametrize("text", ["", " ", "职工 书屋", "\u3000职工\u00a0书屋\u2003", "a\tb\nc\rd\x0be\x0cf",
                                  "\x1c\x1d\x1e\x1f\x85\u2028\u2029\u202f\u205f\u1680",
                                  "".join(_SPACES) + "尾",
                                  "\u200b零宽不是空白\ufeff"])
def test_squash_removes_what_the_whitespace_regex_removed(text: str) -> None:
    assert generic._squash(text) == _FORMER_WHITESPACE.sub("", text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*_SPACES, "工", "会", "a", "1", "\u200b", "\xad"])))
def test_squash_agrees_with_the_regex_on_any_mix(text: str) -> None:
    assert generic._squash(text) == _FORMER_WHITESPACE.sub("", text)


# -- _paragraphs(until_scoring=True) -------------------------------------------------------------------------

LONG = "第一段讲清楚了时间、地点和事情的经过，字数足够。"
RUNS = {
    "first paragraph scores": f"<div><p>{LONG}</p><p>{LONG}</p></div>",
    "short lines first": f"<div><p>来源：某报</p><p>2025-07-20</p><p>{LONG}</p><p>{LONG}</p></div>",
    "nothing scores": "<div><p>短句</p><p>又一句</p></div>",
    "links first": f"<div><p><a href='/x'>{LONG}</a></p><p>{LONG}</p></div>",
    "nested blocks": f"<div><section><div><p>标题</p><p>{LONG}</p></div></section><p>{LONG}</p></div>",
    "text of the root": f"<div>{LONG}<br>{LONG}<p>{LONG}</p></div>",
    "br lines": f"<div><p>短句<br>{LONG}<br>{LONG}</p></div>",
    "comment inside": f"<div><p>短句<!-- x -->尾</p><p>{LONG}</p></div>",
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_runs_until_scoring_are_the_runs_up_to_the_first_that_scores(name: str) -> None:
    root = parse_html(RUNS[name]).find(".//div")
    full, _ = generic._paragraphs(root)
    first = next((i for i, (_b, text, links) in enumerate(full) if generic._run_score(text, links) > 0), None)
    short, _ = generic._paragraphs(root, until_scoring=True)
    assert short == (full if first is None else full[: first + 1])


# -- _read_meta and base_url: one walk -----------------------------------------------------------------------

def _former_read_meta(doc: HtmlElement, scripts: bool = True) -> generic._Meta:
    meta = generic._Meta()
    head_title = doc.find(".//title")
    meta.page_title = generic.clean_title(head_title.text_content()) if head_title is not None else ""
    base = doc.find(".//base[@href]")  # the former base_url's own walk
    meta.base_href = base.get("href") if base is not None else None
    for el in doc.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or el.get("http-equiv") or "")
        key = key.strip().lower()
        content = (el.get("content") or "").strip()
        if key and content and key not in meta.tags:
            meta.tags[key] = content
    for script in doc.iter("script"):
        json_ld = (script.get("type") or "").lower() == "application/ld+json"
        if not json_ld and not scripts:
            continue
        text = script.text or ""
        if not text:
            continue
        if json_ld:
            generic._read_json_ld(text, meta.ld)
            continue
        if len(meta.script_dates) < 3:
            meta.script_dates.extend(m.group(1) for m in generic._SCRIPT_DATE.finditer(text[:200_000]))
        if meta.script_title is None:
            found = generic._SCRIPT_TITLE.search(text[:50_000])
            if found:
                meta.script_title = found.group(1)
    return meta


META_PAGES = {
    "plain": "<html><head><title>标题_网站</title><meta name='author' content='王某'></head><body></body></html>",
    "no title": "<html><head><meta property='og:title' content='标题'></head><body><p>x</p></body></html>",
    "two titles": "<html><head><title>第一</title></head><body><svg><title>图标</title></svg>"
                  "<title>第二</title></body></html>",
    "title after metas and scripts": "<html><head><meta name='a' content='1'>"
                                     "<script>var pubtime='2025-07-24 09:30';</script>"
                                     "<title>后来的标题</title></head><body></body></html>",
    "duplicate metas": "<html><head><meta name='source' content=''><meta name='SOURCE' content='甲报'>"
                       "<meta name='source' content='乙报'><meta http-equiv='Refresh' content='5'>"
                       "</head></html>",
    "scripts and json-ld": "<html><head><script type='application/ld+json'>{\"headline\": \"JSON标题\", "
                           "\"datePublished\": \"2025-07-24\", \"author\": {\"name\": \"李某\"}}</script>"
                           "<script>var title = '脚本里的标题'; var publishTime = '2025-07-23 08:00';</script>"
                           "<script type='Application/LD+JSON'>"
                           "[{\"@graph\": [{\"dateCreated\": \"2025-07-22\"}]}]"
                           "</script><script></script></head><body><script>ptime: '2025-07-21 07:00'</script>"
                           "<meta itemprop='datePublished' content='2025-07-20'></body></html>",
    "broken json-ld": "<html><head><script type='application/ld+json'>{not json</script><title>t</title>"
                      "</head></html>",
    "bases": "<html><head><base target='_top'><title>t</title><base href='/x/'><base href='/y/'>"
             "</head></html>",
}


@pytest.mark.parametrize("scripts", [True, False])
@pytest.mark.parametrize("name", sorted(META_PAGES))
def test_read_meta_reads_what_three_walks_read(name: str, scripts: bool) -> None:
    doc = parse_html(META_PAGES[name])
    assert generic._read_meta(doc, scripts) == _former_read_meta(doc, scripts)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.stem)
def test_read_meta_on_the_fixture_pages(path: Path) -> None:
    doc = parse_html(path.read_text(encoding="utf-8", errors="replace"))
    assert generic._read_meta(doc) == _former_read_meta(doc)


@pytest.mark.parametrize(("head", "expected"), [
    ("", URL),
    ("<base target='_blank'>", URL),
    ("<base target='_blank'><base href='/b/'>", "https://www.example.cn/b/"),
    ("<base href=''><base href='/b/'>", URL),  # the first with an href decides, even an empty one
    ("<base href='https://other.example/'>", URL),
    ("<base href='javascript:void(0)'>", URL),
    ("<base href='https://www.example.cn/c/'><base href='/b/'>", "https://www.example.cn/c/"),
    ("</head><body><base href='/b/'>", "https://www.example.cn/b/"),
])
def test_base_url_takes_the_first_base_with_an_href(head: str, expected: str) -> None:
    doc = parse_html(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert generic.base_url(doc, URL) == expected
    assert generic.base_url_of(generic.page_head(doc), URL) == expected  # from the metadata's walk
    former = doc.find(".//base[@href]")
    assert (former.get("href") if former is not None else None) == next(
        (el.get("href") for el in doc.iter("base") if el.get("href") is not None), None)


# -- extract_around reads the page's own elements when nothing would be stripped -----------------------------

@pytest.mark.parametrize(("inner", "furniture"), [
    ("<p>正文</p>", False),
    ("<p style='color:red' type='x'>正文</p>", False),
    ("<div id='js_content' style='visibility:hidden'><p>正文</p></div>", False),  # WeChat's body is not hidden
    ("<p>正文<script>var x;</script></p>", True),
    ("<p>正文</p><!-- 注释 -->", True),
    ("<p>正文<?php echo 1; ?></p>", True),
    ("<p>正文<input type='text'></p>", True),
    ("<p style='display: none'>隐藏</p>", True),
    ("<p hidden>隐藏</p>", True),
    ("<p><span style='VISIBILITY:hidden'>隐藏</span></p>", True),
    ("<input type='hidden' value='1'>", True),
])
def test_has_furniture(inner: str, furniture: bool) -> None:
    page = f"<html><body><div id='root' style='display:none'>{inner}</div></body></html>"
    root = parse_html(page).find(".//div")
    assert generic._has_furniture(root) is furniture  # the root's own style does not count: it never goes


AROUND = """<html><head><title>职工技能大赛在市里举行_示例网</title><meta name="author" content="示例网"></head><body>
<div class="nav"><a href="/">首页</a></div>
<div class="detail"><h1 class="title">职工技能大赛<span>在市里举行</span></h1>{between}
<div class="article">{first}<p>第一段，讲清楚了时间、地点和事情的经过，字数足够，句子也够长。</p>
<p>第二段，补充了一些细节，也有足够的字数，句子也够长。</p></div></div>{after}</body></html>"""
AROUND_CASES = {
    "info line": {"between": "<div class='info'>发布时间：2025-07-20 09:30 来源：示例日报 作者：王小明</div>"},
    "named spans": {"between": "<p><span class='source'>示例日报</span> <span class='author'>记者 李四</span></p>"},
    "text and tails": {"between": "来源：<b>示例日报</b> 记者：<i>赵六</i> 编辑：钱七"},
    "short first lines": {"first": "<p>本报讯</p><p>（记者 孙八）</p>",
                          "between": "<div class='time'>2025-07-20</div>"},
    "nothing between": {},
    "tail after the common ancestor": {"after": "来源：不该读到的报纸 作者：不该读到的人"},
}


@pytest.mark.parametrize("name", sorted(AROUND_CASES))
def test_extract_around_without_a_copy_reads_what_the_cleaned_copy_reads(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = parse_html(AROUND.format(**{"between": "", "first": "", "after": "", **AROUND_CASES[name]}), URL)
    title_el, body_el = doc.find(".//h1"), doc.find(".//div[@class='article']")
    before = copy.deepcopy(doc)
    assert not generic._has_furniture(body_el.getparent())
    direct = generic.extract_around(doc, URL, title_el, body_el)
    monkeypatch.setattr(generic, "_has_furniture", lambda root: True)
    copied = generic.extract_around(doc, URL, title_el, body_el)
    assert direct == copied and direct is not None
    assert etree.tostring(doc) == etree.tostring(before)  # the page is not changed


def test_extract_around_reads_the_header() -> None:
    doc = parse_html(AROUND.format(between=AROUND_CASES["info line"]["between"], first="", after=""), URL)
    found = generic.extract_around(doc, URL, doc.find(".//h1"), doc.find(".//div[@class='article']"))
    assert found is not None and (found.author, found.origin) == ("王小明", "示例日报")


# -- body_lines_and_leaves + prune_leaves: one walk for the lines and the leaves -----------------------------

def _former_prune_to_lines(node: HtmlElement, kept: list[str]) -> None:
    keep = set(kept)
    joined = "\n".join(kept)
    for el in list(node.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span", "table", "ul",
                             "section", "font", "strong", "b", "center", "td", "dl", "dd", "dt", "blockquote",
                             "ol", "a")):
        if el is node or el.getparent() is None:
            continue
        if next(el.iter("img"), None) is not None:
            continue
        if any(isinstance(c.tag, str) and c.tag in generic.BLOCK_TAGS and c.tag != "br"
               for c in el.iterdescendants()):
            continue
        text = generic.clean_line(text_content(el))
        if text and text not in keep and text not in joined:
            el.drop_tree()


BODIES = {
    "paragraphs": "<p>第一段。</p><p>第二段。</p><p>责任编辑：某某</p>",
    "nested inline leaves": "<p><span>来源：<b>某报</b></span>正文<a href='/x'>链接</a></p><p><font>分享到</font></p>",
    "br inside a leaf": "<p>第一行<br>第二行</p><div>上<br/>下</div>",
    "script text in a leaf": "<p>正文<script>var x = 1;</script>尾巴</p><span>甲<style>.a{}</style></span>",
    "comments": "<p>正<!-- 注释 -->文</p><div><!-- 只有注释 --></div><p><!-- x -->尾</p>",
    "images": "<p><img src='a.jpg'>图注</p><div><span><img src='b.jpg'></span></div><p>说明文字</p>",
    "blocks below": "<div><p>甲</p>乙</div><li><ul><li>丙</li></ul></li>"
                    "<td><table><tr><td>丁</td></tr></table></td>",
    "noscript with elements": "<div><noscript><p>请开启脚本</p><img src='n.jpg'></noscript>正文</div>"
                              "<span><noscript><div><b>丙</b></div></noscript>丁</span>",
    "template with a block": "<p>甲<template><div><span>模板</span></div></template></p>",
    "tails merging": "<div>头<span>删</span>中<span>删</span>尾</div><p>留</p><p>删</p>末",
    "empty and blank leaves": "<p></p><p> </p><span>\u3000</span><div>实</div>",
    "same text twice": "<p>重复</p><div><p>重复</p></div><p>重复的一部分</p>",
}


@pytest.mark.parametrize("name", sorted(BODIES))
def test_body_lines_and_leaves_give_the_lines_and_the_pruning_of_the_former_walks(name: str) -> None:
    page = f"<html><body><div id='body'>{BODIES[name]}</div></body></html>"
    node = parse_html(page).find(".//div[@id='body']")
    lines, _leaves = generic.body_lines_and_leaves(node)
    assert lines == node_text_lines(node)
    for kept in (lines, lines[::2], lines[1:], [], ["第一段。", "重复", "正文"]):
        former, fused = copy.deepcopy(node), copy.deepcopy(node)
        _former_prune_to_lines(former, kept)
        generic.prune_leaves(generic.body_lines_and_leaves(fused)[1], kept)
        assert etree.tostring(fused, encoding="unicode") == etree.tostring(former, encoding="unicode")
        again = copy.deepcopy(node)
        generic.prune_to_lines(again, kept)
        assert etree.tostring(again, encoding="unicode") == etree.tostring(former, encoding="unicode")


def test_leaves_are_in_document_order_with_their_cleaned_text() -> None:
    node = parse_html("<div id='b'><p>甲\u3000乙</p><div><span>丙<script>x</script></span><img src='a'></div>"
                      "<li>丁<br>戊</li></div>").find(".//div[@id='b']")
    leaves = generic.body_lines_and_leaves(node)[1]
    assert [(el.tag, text) for el, text in leaves] == [("p", "甲 乙"), ("span", "丙x"), ("li", "丁戊")]


# -- no reference cycles: each page's garbage goes when it is dropped, not at the next cyclic collection -----

@pytest.mark.parametrize("selectors", [{}, {"title": "h1", "published": ".info", "body": ".article"},
                                       {"title": "h1", "body": ".article"}],
                         ids=["generic", "selectors", "partial"])
def test_extracting_a_page_leaves_no_reference_cycles(selectors: dict[str, str]) -> None:
    from aggregator.extract import extract_article
    from aggregator.records import Page
    from aggregator.sources import Source

    html = AROUND.format(between=AROUND_CASES["info line"]["between"], first="", after="")
    page = Page(url=URL, body=html.replace("<div class='info'>", "<div class='info'><!-- x -->").encode())
    source = Source(id="s", name="s", family="trs", selectors=selectors)
    extract_article(page, source)  # first use: caches filled
    gc.collect()
    gc.disable()
    try:
        record = extract_article(page, source)
        assert gc.collect() == 0
    finally:
        gc.enable()
    assert record.body_text.startswith("第一段")
