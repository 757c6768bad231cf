"""Mirror feeds: every format (RSSHub RSS and JSON Feed, Wechat2RSS, WeWe-RSS Atom and JSON, feeddd), what each
item says, which items carry the full text, and the records built from that text."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.clock import crawl_now
from aggregator.extract.wechat import MIRROR_ITEM_TYPE, record_from_feed
from aggregator.extract import extract_article
from aggregator.mirrors import FeedEntry, FeedError, MirrorFeed, looks_like_full_text, read_feed, sniff_format
from aggregator.normalize import normalize_record
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Source

FEEDS = Path(__file__).parent / "fixtures" / "wechat" / "feeds"
NOW = crawl_now("2025-07-28T12:00:00+08:00")
A = "MzkwMDExMjIzMw=="
B = "MzAxMTIyMzM0NA=="
A1 = f"https://mp.weixin.qq.com/s?__biz={A}&mid=2650000101&idx=1&sn=27f237e6b7f96587b6202ff3607ad88a"
B1 = f"https://mp.weixin.qq.com/s?__biz={B}&mid=2247480001&idx=1&sn=c9512565ef6194ca664dc41ec0de7a53"


def feed(name: str, mirror: str = "https://mirror.example.org/feed") -> MirrorFeed:
    return read_feed(Page(url=mirror, body=(FEEDS / name).read_bytes()))


# (file, format, title, generator, number of items, items with full text)
FEED_CASES = [
    ("rsshub.rss", "rss", "青禾工会", "RSSHub", 5, 1),
    ("wechat2rss.xml", "rss", "南岭工会", "Wechat2RSS", 1, 1),
    ("wewe.atom", "atom", "青禾工会", "WeWe-RSS", 2, 1),
    ("wewe.json", "jsonfeed", "南岭工会", "", 1, 0),
    ("rsshub.json", "jsonfeed", "南岭工会", "", 2, 1),
    ("feeddd.json", "feeddd", "云岭职工", "", 4, 0),
    ("empty.rss", "rss", "东岸工会", "RSSHub", 0, 0),
]


@pytest.mark.parametrize(("name", "fmt", "title", "generator", "count", "fulltext"), FEED_CASES)
def test_feed_format(name: str, fmt: str, title: str, generator: str, count: int, fulltext: int) -> None:
    assert feed(name).format == fmt


@pytest.mark.parametrize(("name", "fmt", "title", "generator", "count", "fulltext"), FEED_CASES)
def test_feed_title_and_generator(name: str, fmt: str, title: str, generator: str, count: int, fulltext: int) -> None:
    parsed = feed(name)
    assert (parsed.title, parsed.generator) == (title, generator)


@pytest.mark.parametrize(("name", "fmt", "title", "generator", "count", "fulltext"), FEED_CASES)
def test_feed_items(name: str, fmt: str, title: str, generator: str, count: int, fulltext: int) -> None:
    assert len(feed(name).entries) == count


@pytest.mark.parametrize(("name", "fmt", "title", "generator", "count", "fulltext"), FEED_CASES)
def test_items_with_full_text(name: str, fmt: str, title: str, generator: str, count: int, fulltext: int) -> None:
    assert sum(1 for e in feed(name).entries if e.fulltext) == fulltext


# (file, item index, field, value): what an item says, as the mirror said it
ITEM_CASES = [
    ("rsshub.rss", 0, "link", A1 + "&chksm=e1a2b3c4d5e6&scene=27#rd"),
    ("rsshub.rss", 0, "published_raw", "Tue, 22 Jul 2025 01:30:12 GMT"),
    ("rsshub.rss", 0, "author", "林晓"),
    ("rsshub.rss", 3, "guid", "sogou-temporary-1"),
    ("wechat2rss.xml", 0, "published_raw", "Wed, 23 Jul 2025 07:50:00 +0800"),
    ("wechat2rss.xml", 0, "summary_html", None),
    # WeWe-RSS writes the publish time into <updated> (Atom) and date_modified (JSON Feed)
    ("wewe.atom", 0, "link", "https://mp.weixin.qq.com/s/qhAudioPost_FeedText2B"),
    ("wewe.atom", 0, "published_raw", "2025-07-25T04:00:00.000Z"),
    ("wewe.atom", 0, "guid", "qhAudioPost_FeedText2B"),
    ("wewe.json", 0, "published_raw", "2025-07-23T13:15:30.000Z"),
    ("wewe.json", 0, "image", "https://mmbiz.qpic.cn/mmbiz_jpg/NlBookCover/0?wx_fmt=jpeg"),
    ("rsshub.json", 0, "published_raw", "2025-07-22T23:50:00.000Z"),
    ("rsshub.json", 0, "author", "南岭工会"),
    # feeddd's date is when it crawled the item: kept apart, never a publish time
    ("feeddd.json", 0, "published_raw", None),
    ("feeddd.json", 0, "seen_raw", "2025-07-26T03:00:00.000Z"),
    ("feeddd.json", 0, "guid", "64b0f00000000000000000c1"),
]


@pytest.mark.parametrize(("name", "index", "field", "value"), ITEM_CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in ITEM_CASES])
def test_item_field(name: str, index: int, field: str, value: object) -> None:
    assert getattr(feed(name).entries[index], field) == value


def test_rsshub_feeddd_route_dates_are_crawl_times() -> None:
    parsed = feed("rsshub.rss", mirror="https://rsshub.example.org/wechat/feeddd/6131e1441269c358aa0e2141")
    assert parsed.crawl_times and all(e.published_raw is None and e.seen_raw for e in parsed.entries)


@pytest.mark.parametrize(("name", "reason"), [
    ("garbage.html", "HTML page"),
    ("error.json", "neither RSS"),
])
def test_garbage_is_a_feed_error(name: str, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        feed(name)


@pytest.mark.parametrize(("body", "reason"), [
    (b"", "empty response"),
    (b"   \n", "empty response"),
    (b"Service Unavailable", "neither RSS"),
    (b"{not json", "neither RSS"),
    (b'{"items": "nope"}', "neither RSS"),
])
def test_bad_answers_are_feed_errors(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        read_feed(Page(url="https://mirror.example.org/feed", body=body))


def test_declared_encoding_is_checked_against_the_bytes() -> None:
    """A feed in GBK that says so, and one that says GBK but is UTF-8: both read right."""
    xml = ('<?xml version="1.0" encoding="GBK"?><rss version="2.0"><channel><title>工会</title><item>'
           "<title>职工书屋</title><link>https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A</link></item></channel></rss>")
    for body in (xml.encode("gbk"), xml.encode("utf-8")):
        parsed = read_feed(Page(url="https://mirror.example.org/feed", body=body))
        assert parsed.title == "工会" and parsed.entries[0].title == "职工书屋"


def test_rss_channel_atom_self_link_is_not_the_channel_link() -> None:
    body = (b'<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><atom:link href="https://m.example.org/self"'
            b' rel="self"/><link>https://mp.weixin.qq.com/</link><item><title>t</title><link>/s/relativeLink01</link></item>'
            b"</channel></rss>")
    parsed = read_feed(Page(url="https://m.example.org/feed", body=body))
    assert parsed.entries[0].link == "https://mp.weixin.qq.com/s/relativeLink01"


def test_sniffing_decides_over_a_wrong_declaration() -> None:
    body = (FEEDS / "wewe.atom").read_bytes()
    assert sniff_format(body, "rss") == "atom"
    assert read_feed(Page(url="https://m.example.org/f", body=body), "rss").format == "atom"


@pytest.mark.parametrize(("html", "full"), [
    ("城南物流园的工会驿站", False),
    ("<p>" + "职工" * 80 + "</p>", True),
    ("<p>" + "职工" * 80 + "…</p>", False),
    ("职工" * 200, False),  # long plain text without markup: a long teaser
    ('<style>.x{}</style><div class="rich_media_content" id="js_content"><p>短</p></div>', True),
])
def test_full_text_or_teaser(html: str, full: bool) -> None:
    assert looks_like_full_text(html) is full


def test_content_field_is_full_text_even_when_short() -> None:
    assert FeedEntry(link="x", content_html="<p>短讯一则。</p>").fulltext == "<p>短讯一则。</p>"
    assert FeedEntry(link="x", content_html="<p> </p>").fulltext is None


# -- records from mirror text -------------------------------------------------------------------------------
def from_feed(name: str, index: int, source: Source | None = None) -> ArticleRecord:
    parsed = feed(name)
    record, _page = record_from_feed(parsed.entries[index], "https://mirror.example.org/feed", parsed.title, source)
    return normalize_record(record, source, NOW)


def test_rsshub_full_text_keeps_identity_and_time_from_the_item() -> None:
    record = from_feed("rsshub.rss", 0)
    assert (record.url, record.wechat_key) == (A1, (A, "2650000101", "1"))
    assert record.published_at is not None and record.published_at.isoformat() == "2025-07-22T09:30:12+08:00"


def test_rsshub_trailers_become_fields_not_text() -> None:
    record = from_feed("rsshub.rss", 0)
    assert "📍" not in record.body_text and "阅读原文" not in record.body_text
    assert record.extra["ip_location"] == "浙江"
    assert record.extra["source_url"] == "https://www.example.org/qinghe/2025/0722/notice.html?from=wx&id=7"
    assert record.body_text.endswith("将及时提出整改意见。")


def test_wechat2rss_preamble_is_not_text_and_proxy_images_are_unwrapped() -> None:
    record = from_feed("wechat2rss.xml", 0)
    assert record.body_text.startswith("【工会提醒】今起我市进入主汛期。")
    assert "2025-07-23 07:50" not in record.body_text
    assert record.extra["original"] is True and record.extra["ip_location"] == "广东"
    assert record.images == ["https://mmbiz.qpic.cn/mmbiz_jpg/NlFloodPic/640?wx_fmt=jpeg"]
    assert "img-proxy" not in record.body_html and "K3yOfTheMirror" not in record.body_html
    assert 'referrerpolicy="no-referrer"' in record.body_html


def test_wewe_full_text_under_a_short_link_keeps_the_short_link_until_resolved() -> None:
    record = from_feed("wewe.atom", 0, Source(id="wx_qinghe", name="青禾工会", kind="wechat", account="青禾工会"))
    assert record.url == "https://mp.weixin.qq.com/s/qhAudioPost_FeedText2B"
    assert record.wechat_key is None and record.status == "ok"
    assert record.wechat_account == "青禾工会"
    assert record.published_at is not None and record.published_at.isoformat() == "2025-07-25T12:00:00+08:00"
    assert "opacity" not in record.body_html and "<style" not in record.body_html


def test_author_that_is_the_account_name_is_dropped() -> None:
    assert from_feed("rsshub.json", 0).author is None
    assert from_feed("rsshub.rss", 0).author == "林晓"


def test_a_gate_page_inside_a_feed_is_not_an_article() -> None:
    entry = FeedEntry(link=A1, content_html='<div class="weui-msg"><p>当前环境异常，完成验证后即可继续访问。</p></div>')
    record, _ = record_from_feed(entry, "https://m.example.org/f", "青禾工会", None)
    assert record.status == "blocked" and record.body_text == ""


def test_a_whole_page_inside_a_feed_names_its_key() -> None:
    """WeWe-RSS without HTML cleaning puts the whole page in the item: the key and ct come from it."""
    page_html = (Path(__file__).parent / "fixtures" / "wechat" / "pages" / "audio_post.html").read_text(encoding="utf-8")
    entry = FeedEntry(link="https://mp.weixin.qq.com/s/qhAudioPost_FeedText2B", title="劳模声音", content_html=page_html)
    record, _ = record_from_feed(entry, "https://m.example.org/f", "青禾工会", None)
    assert record.wechat_key == (A, "2650000122", "1")
    assert record.aliases == ["https://mp.weixin.qq.com/s/qhAudioPost_FeedText2B"]
    assert record.published_raw == "1753416000"


def test_the_kept_mirror_item_reprocesses_to_the_same_record() -> None:
    parsed = feed("wechat2rss.xml")
    record, page = record_from_feed(parsed.entries[0], "https://m.example.org/f", parsed.title, None)
    assert page.header("content-type", ).startswith(MIRROR_ITEM_TYPE)
    again = extract_article(page)
    assert (again.url, again.body_text, again.published_raw, again.wechat_key) == (
        record.url, record.body_text, record.published_raw, record.wechat_key)
