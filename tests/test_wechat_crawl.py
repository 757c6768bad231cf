"""The WeChat crawl's decisions without Scrapy (aggregator.wechat_crawl) and the store's identity upgrade of an
article known only by its short link (aggregator.store.writer.adopt_identity)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from aggregator.dates import SHANGHAI
from aggregator.records import ArticleRecord
from aggregator.sources import Registry, Source
from aggregator.store import Store
from aggregator.store.models import Article, ArticleAlias, FetchStatus, ManualLabel
from aggregator.store.writer import save_article, sync_sources
from aggregator.urls import parse_wechat_url
from aggregator.wechat_crawl import clear_failure, lookup, note_failure, retry_state, title_known

NOW = datetime(2025, 7, 28, 12, 0, tzinfo=SHANGHAI)
BIZ = "MzkwMDExMjIzMw=="
LONG = f"https://mp.weixin.qq.com/s?__biz={BIZ}&mid=2650000122&idx=1&sn=02129bb861061d1a052c592e2dc6b383"
SHORT = "https://mp.weixin.qq.com/s/qhAudioPost_FeedText2B"
TEXT = "本期“劳模声音”请来市轨道交通集团的盾构机司机周建国。"


@pytest.fixture
def wx_store(store: Store) -> Store:
    registry = Registry(path=Path("wechat.toml"), sources={
        "wx_qinghe": Source(id="wx_qinghe", name="青禾工会微信公众号", kind="wechat", account="青禾工会"),
        "wx_other": Source(id="wx_other", name="别的公众号", kind="wechat", account="别的"),
    })
    with store.session() as session:
        sync_sources(session, registry)
    return store


def record(url: str, key: tuple[str, str, str] | None = None, text: str = TEXT, aliases: list[str] | None = None,
           source_id: str = "wx_qinghe") -> ArticleRecord:
    biz, mid, idx = key or (None, None, None)
    return ArticleRecord(url=url, source_id=source_id, title="劳模声音｜盾构机司机的二十年", body_text=text,
                         content_hash=str(hash(text)), published_at=NOW - timedelta(days=3), wechat_biz=biz,
                         wechat_mid=mid, wechat_idx=idx, aliases=aliases or [], page_type="wechat:audio")


KEY = (BIZ, "2650000122", "1")


def test_lookup_of_an_unknown_identity(wx_store: Store) -> None:
    with wx_store.session() as session:
        found = lookup(session, parse_wechat_url(LONG), NOW)
    assert (found.stored, found.retry) == (None, "new")


def test_lookup_finds_an_article_by_key_under_another_spelling(wx_store: Store) -> None:
    with wx_store.session() as session:
        save_article(session, record(LONG.split("&sn=")[0], KEY), None, NOW)
    with wx_store.session() as session:
        assert lookup(session, parse_wechat_url(LONG), NOW).stored == "known"


def test_a_short_link_article_without_key_is_provisional(wx_store: Store) -> None:
    with wx_store.session() as session:
        save_article(session, record(SHORT), None, NOW)
    with wx_store.session() as session:
        assert lookup(session, parse_wechat_url(SHORT), NOW).stored == "provisional"


@pytest.mark.parametrize(("state", "hours_later", "expected"), [
    ("verify", 1, "deferred"), ("verify", 6, "due"), ("blocked", 7, "due"), ("error", 5, "deferred"),
    ("deleted", 24 * 365, "gone"),
])
def test_retry_state(wx_store: Store, state: str, hours_later: int, expected: str) -> None:
    with wx_store.session() as session:
        note_failure(session, LONG, "wx_qinghe", state, NOW, f"{state} page")
    with wx_store.session() as session:
        assert retry_state(session, LONG, NOW + timedelta(hours=hours_later)) == expected


def test_back_off_doubles_up_to_a_week(wx_store: Store) -> None:
    waits = []
    for attempt in range(8):
        with wx_store.session() as session:
            row = note_failure(session, LONG, "wx_qinghe", "verify", NOW, "gate")
            waits.append(row.next_attempt_at - NOW)
    assert waits[:4] == [timedelta(hours=h) for h in (6, 12, 24, 48)]
    assert waits[-1] == timedelta(days=7)


def test_unknown_fetch_state_is_refused(wx_store: Store) -> None:
    with wx_store.session() as session, pytest.raises(ValueError, match="unknown fetch state"):
        note_failure(session, LONG, "wx_qinghe", "captcha", NOW, "x")


def test_clear_failure(wx_store: Store) -> None:
    with wx_store.session() as session:
        note_failure(session, SHORT, "wx_qinghe", "verify", NOW, "gate")
    with wx_store.session() as session:
        assert clear_failure(session, [SHORT, LONG, ""]) == 1
    with wx_store.session() as session:
        assert session.get(FetchStatus, SHORT) is None


def test_title_known_is_per_account(wx_store: Store) -> None:
    with wx_store.session() as session:
        save_article(session, record(LONG, KEY), None, NOW)
    with wx_store.session() as session:
        assert title_known(session, "wx_qinghe", "劳模声音｜盾构机司机的二十年")
        assert not title_known(session, "wx_other", "劳模声音｜盾构机司机的二十年")
        assert not title_known(session, "wx_qinghe", "  ")


# -- the store's upgrade of a short-link article ------------------------------------------------------------
def test_page_with_the_key_upgrades_the_short_link_article(wx_store: Store) -> None:
    with wx_store.session() as session:
        first = save_article(session, record(SHORT), None, NOW).article.id
        session.add(ManualLabel(article_id=first, section="建功立业", labelled_at=NOW))
    with wx_store.session() as session:
        result = save_article(session, record(LONG, KEY, aliases=[SHORT]), None, NOW)
    assert result.status == "updated" and result.article.id == first
    with wx_store.session() as session:
        article = session.get(Article, first)
        assert article.url == LONG and (article.wechat_biz, article.wechat_mid, article.wechat_idx) == KEY
        assert article.section == "建功立业" and article.section_origin == "manual"
        assert session.get(ArticleAlias, SHORT).article_id == first
        assert len(session.scalars(select(Article)).all()) == 1


def test_the_same_text_from_the_long_link_also_upgrades_it(wx_store: Store) -> None:
    """The long link came from another mirror, without the short link: the same account's same text links them."""
    with wx_store.session() as session:
        first = save_article(session, record(SHORT), None, NOW).article.id
    with wx_store.session() as session:
        result = save_article(session, record(LONG, KEY), None, NOW)
    assert (result.status, result.article.id, result.article.url) == ("updated", first, LONG)


def test_no_upgrade_when_another_article_holds_the_key(wx_store: Store) -> None:
    with wx_store.session() as session:
        keyed = save_article(session, record(LONG.split("&sn=")[0], KEY, text="另一段文字。"), None, NOW).article.id
        short = save_article(session, record(SHORT), None, NOW).article.id
    with wx_store.session() as session:
        result = save_article(session, record(LONG, KEY, aliases=[SHORT]), None, NOW)
    assert result.status == "duplicate"
    with wx_store.session() as session:
        assert session.get(Article, short).wechat_biz is None
        assert session.get(Article, keyed).wechat_biz == BIZ


def test_a_keyed_article_is_never_downgraded(wx_store: Store) -> None:
    with wx_store.session() as session:
        save_article(session, record(LONG, KEY), None, NOW)
    with wx_store.session() as session:
        result = save_article(session, record(SHORT), None, NOW)
    assert result.status == "duplicate" and result.article.url == LONG
