"""RSS 2.0 and Atom 1.0: parsed back with feedparser, required elements, order, stable ids, times from the data."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.dates import SHANGHAI
from aggregator.digest import Digest, build_week
from aggregator.render.feeds import (
    ArticleView,
    FeedConfig,
    FeedEntry,
    FeedMeta,
    article_entry,
    articles_feeds,
    digest_feeds,
    render_feeds,
    section_feeds,
    story_entry,
)
from aggregator.store import Store
from aggregator.text import strip_xml_invalid
from tests.digest_data import Art, add_articles, add_sources, at, raw_contents, week30

CFG = FeedConfig("https://news.example.org/union")  # no trailing slash on purpose
CLOCK = datetime(2030, 1, 1, tzinfo=SHANGHAI)  # a clock far from the data: it must not show up


def parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def check_rss(data: bytes) -> Any:
    """Parse RSS and check every item has guid, pubDate, link and title."""
    parsed = parse(data)
    assert parsed.version == "rss20"
    for entry in parsed.entries:
        assert entry.get("id") and entry.get("published_parsed") and entry.get("link") and entry.get("title"), entry
    return parsed


def check_atom(data: bytes) -> Any:
    """Parse Atom and check every entry has id, updated, title and link."""
    parsed = parse(data)
    assert parsed.version == "atom10"
    for entry in parsed.entries:
        assert entry.get("id") and entry.get("updated_parsed") and entry.get("title") and entry.get("link"), entry
    return parsed


@pytest.fixture
def digests(store: Store) -> list[Digest]:
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
        return [build_week(s, w) for w in ("2025-W29", "2025-W30", "2025-W31")]


def test_digest_feeds_parse_and_carry_every_required_element(digests: list[Digest]) -> None:
    rss, atom = digest_feeds(digests, CFG, CLOCK)
    for parsed in (check_rss(rss), check_atom(atom)):
        assert [e.id for e in parsed.entries] == [f"tag:union-news.example,2025:digest:2025-W{n}" for n in (31, 30, 29)]
        assert parsed.entries[1].link == "https://news.example.org/union/2025-W30.html"
        assert parsed.entries[1].title == digests[1].title
        assert parsed.feed.language == "zh-CN"
    assert parse(rss).feed.link == "https://news.example.org/union/index.html"


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
def test_self_links(digests: list[Digest], atom: bool) -> None:
    parsed = parse(digest_feeds(digests, CFG, CLOCK)[atom])
    selfs = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert selfs == [f"https://news.example.org/union/digest.{'atom' if atom else 'rss'}.xml"]


def test_whole_digest_is_the_entry_content(digests: list[Digest]) -> None:
    for data in digest_feeds(digests, CFG, CLOCK):
        entry = parse(data).entries[1]
        content = entry.content[0].value
        assert entry.content[0].type == "text/html"
        for name, items in digests[1].sections:
            assert f"<h2>{name}</h2>" in content
            for item in items:
                assert item.title in content and item.summary in content
                for outlet in item.outlets:
                    assert outlet.url.replace("&", "&amp;") in content
        assert "部分图文来源：" in content and "核心提示" in content
        assert "待审" not in content  # review marks are for editors, not subscribers


def test_timestamps_come_from_the_data_not_the_clock(digests: list[Digest]) -> None:
    first = digest_feeds(digests, CFG, CLOCK)
    again = digest_feeds(digests, CFG, CLOCK + timedelta(days=400))
    assert first == again  # byte for byte: nothing depends on when the feed is built
    atom = parse(first[1])
    w30 = atom.entries[1]
    assert w30.published == "2025-07-28T00:00:00+08:00"  # the end of the week
    assert w30.updated == digests[1].modified.isoformat()
    assert atom.feed.updated == max(d.modified for d in digests).isoformat()
    assert "2030" not in first[0].decode() and "2030" not in first[1].decode()


def test_ids_never_change_when_a_week_is_rebuilt(store: Store) -> None:
    with store.session() as s:
        add_sources(s)
        rows = add_articles(s, week30())
        before = parse(digest_feeds([build_week(s, "2025-W30")], CFG, CLOCK)[1]).entries[0]
        # a late repost of the biggest story, fetched later: same entry, new content and a newer updated
        late = add_articles(s, [Art("province", "big-4", "全国总工会部署夏季送清凉（转）", at("2025-07-24"), "工作动态",
                                    fetched=at("2025-07-30"))])
        late["big-4"].story_id = rows["big-1"].story_id
        s.flush()
        after = parse(digest_feeds([build_week(s, "2025-W30")], CFG, CLOCK)[1]).entries[0]
    assert after.id == before.id
    assert after.published == before.published
    assert after.updated > before.updated
    assert "big-4" in after.content[0].value and "big-4" not in before.content[0].value


def test_empty_feed_is_valid(digests: list[Digest]) -> None:
    rss, atom = digest_feeds([], CFG, at("2025-07-28"))
    assert check_rss(rss).entries == [] and check_atom(atom).entries == []
    assert parse(atom).feed.updated == at("2025-07-28").isoformat()


def _views(digest: Digest) -> list[ArticleView]:
    return [ArticleView(url=o.url, title=item.title, summary=item.summary, body_html="<p>正文</p>", source=o.name,
                        section=item.section, region=item.region, published=o.published_at,  # type: ignore[arg-type]
                        updated=o.published_at + timedelta(hours=1))  # type: ignore[operator]
            for item in digest.items for o in item.outlets]


def test_section_feed_entries_have_section_and_region_categories(digests: list[Digest]) -> None:
    items = [i for i in digests[1].items if i.section == "工作动态"]
    rss, atom = section_feeds("工作动态", [story_entry(i, "<p>正文<script>x()</script></p>", CFG) for i in items], CFG, CLOCK)
    for parsed in (check_rss(rss), check_atom(atom)):
        entry = parsed.entries[0]
        tags = {(t.term, t.scheme) for t in entry.tags}
        assert ("工作动态", "tag:union-news.example,2025:section") in tags
        assert ("全国", "tag:union-news.example,2025:region") in tags
        assert entry.id == f"tag:union-news.example,2025:story:{items[0].key}"
        assert "正文" in entry.content[0].value
        assert "同时刊发" in entry.content[0].value
    for data in (rss, atom):  # as written, not as feedparser's own sanitizer returns it
        assert all("<script" not in html and "x()" not in html for html in raw_contents(data))
    assert [s.href for s in parse(atom).feed.links if s.rel == "self"] == \
        ["https://news.example.org/union/section-gongzuo-dongtai.atom.xml"]


def test_articles_feed_is_newest_first_with_categories(digests: list[Digest]) -> None:
    views = _views(digests[1])
    rss, atom = articles_feeds([article_entry(v, CFG) for v in views], CFG, CLOCK)
    for parsed in (check_rss(rss), check_atom(atom)):
        times = [e.published_parsed for e in parsed.entries]
        assert times == sorted(times, reverse=True)
        assert len(parsed.entries) == len(views)
        assert all(len(e.tags) == 2 for e in parsed.entries)
    assert parse(atom).entries[0].author in {v.source for v in views}


def test_order_is_newest_first_whatever_the_input_order() -> None:
    meta = FeedMeta("tag:x,2025:t", "t", "s", "https://x.example/", "https://x.example/r", "https://x.example/a", CLOCK)
    entries = [FeedEntry(f"tag:x,2025:{n}", f"标题{n}", f"https://x.example/{n}", at("2025-07-2" + str(n)),
                         at("2025-07-2" + str(n)), "<p>x</p>", "x") for n in (3, 1, 5, 2)]
    for data in render_feeds(meta, entries):
        assert [e.title for e in parse(data).entries] == ["标题5", "标题3", "标题2", "标题1"]


def test_cdata_terminator_in_a_source_page_is_harmless() -> None:
    meta = FeedMeta("tag:x,2025:t", "t", "s", "https://x.example/", "https://x.example/r", "https://x.example/a", CLOCK)
    entry = FeedEntry("tag:x,2025:1", "标题]]>", "https://x.example/1", CLOCK, CLOCK, "<p>a]]>b</p>", "]]>")
    for data in render_feeds(meta, [entry]):
        parsed = parse(data)
        assert parsed.entries[0].title == "标题]]>"
        assert "a]]&gt;b" in parsed.entries[0].content[0].value or "a]]>b" in parsed.entries[0].content[0].value


# Any text at all, controls, surrogates and non-characters included: what a broken source page might hold.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)


# Titles from Chinese, markup characters and the controls a broken page holds (feedparser "repairs" some Latin-1
# sequences such as 'Â¡', so an exact round trip is only checked on this alphabet).
TITLE_TEXT = st.text(alphabet=st.sampled_from(list("工会新闻职工权益「」，。 abc123<>&\"']]") +
                                              ["\x00", "\x0b", "\x1f", "\x85", "\ufffe", "\uffff", "\ud800",
                                               "\u3000", "\t", "\n", "\r"]), max_size=30)


@settings(max_examples=60, deadline=None)
@given(title=TITLE_TEXT, summary=ANY_TEXT, body=ANY_TEXT, source=ANY_TEXT, region=ANY_TEXT)
def test_no_source_text_can_break_a_feed(title: str, summary: str, body: str, source: str, region: str) -> None:
    view = ArticleView(url=f"https://x.example/a{body[:5]}.html", title=title or "t", summary=summary, body_html=f"<p>{body}</p>",
                       source=source or "s", section="维权服务", region=region or None, published=CLOCK, updated=CLOCK)
    rss, atom = articles_feeds([article_entry(view, CFG)], CFG, CLOCK)
    for parsed in (check_rss(rss), check_atom(atom)):
        assert len(parsed.entries) == 1
        # The title survives, minus what XML cannot carry, C1 controls, and runs of white space.
        def shown(text: str) -> str:
            return " ".join(re.sub("[\x7f-\x9f]", "", strip_xml_invalid(text)).split())

        # a blank title falls back to the summary's start, then to a placeholder: never an empty title
        if shown(title or "t"):
            assert parsed.entries[0].title == shown(title or "t")
        else:
            assert parsed.entries[0].title.strip()


def test_blank_title_falls_back_to_the_summary() -> None:
    meta = FeedMeta("tag:x,2025:t", "t", "s", "https://x.example/", "https://x.example/r", "https://x.example/a", CLOCK)
    entries = [FeedEntry("tag:x,2025:1", " \x0b ", "https://x.example/1", CLOCK, CLOCK, "<p>x</p>", "摘要开头。后文"),
               FeedEntry("tag:x,2025:2", "", "https://x.example/2", CLOCK, CLOCK, "<p>x</p>", "")]
    for data in render_feeds(meta, entries):
        assert sorted(e.title for e in parse(data).entries) == sorted(["摘要开头。后文", "（无标题）"])
