"""The digest's rules: ISO weeks in Asia/Shanghai, stories as items, ranking, 核心提示, title, credits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from aggregator.classify import SECTIONS
from aggregator.dates import SHANGHAI
from aggregator.digest import (
    Digest,
    DigestItem,
    Outlet,
    build_digest,
    build_week,
    complete_weeks,
    digest_title,
    pick_headlines,
    rank_key,
    weeks_with_articles,
    window_bounds,
)
from aggregator.store import Store
from tests.digest_data import Art, add_articles, add_sources, at, week30


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
        yield s


def titles(digest: Digest) -> list[str]:
    return [item.title for item in digest.items]


def test_week_is_monday_to_sunday_in_shanghai(session: Session) -> None:
    digest = build_week(session, "2025-W30")
    assert digest.start == datetime(2025, 7, 21, tzinfo=SHANGHAI)
    assert digest.end == datetime(2025, 7, 28, tzinfo=SHANGHAI)
    assert "上周的新闻" not in titles(digest)  # Sunday 23:59 of W29
    assert "下周的新闻" not in titles(digest)  # Monday 00:00 of W31
    assert "下周的新闻" in titles(build_week(session, "2025-W31"))
    assert "上周的新闻" in titles(build_week(session, "2025-W29"))


def test_a_story_is_one_item_crediting_every_outlet(session: Session) -> None:
    digest = build_week(session, "2025-W30")
    big = [i for i in digest.items if "送清凉" in i.title]
    assert len(big) == 1
    item = big[0]
    assert item.size == 3
    assert [o.name for o in item.outlets] == ["全国工会网", "工人报", "市总工会微信公众号"]
    assert [o.original for o in item.outlets] == [True, False, False]
    assert item.url == item.outlets[0].url and item.title == "全国总工会部署夏季送清凉"
    assert [o.name for o in item.others] == ["工人报", "市总工会微信公众号"]


def test_sections_in_reference_order_and_empty_ones_left_out(session: Session) -> None:
    digest = build_week(session, "2025-W30")
    names = [name for name, _ in digest.sections]
    assert names == [s for s in SECTIONS if s in names]
    assert "思想引领" not in names and "组织建设" not in names
    assert all(items for _, items in digest.sections)
    assert digest.by_section == [(name, len(items)) for name, items in digest.sections]


def test_what_does_not_belong_stays_out(session: Session) -> None:
    found = titles(build_week(session, "2025-W30"))
    assert "江苏发布高温天气提示" not in found  # section none
    assert "已删除的文章" not in found  # status deleted
    assert len(found) == 6


def test_story_begun_in_an_earlier_week_is_not_repeated(store: Store) -> None:
    with store.session() as s:
        add_sources(s)
        add_articles(s, [
            Art("province", "old-1", "跨周的报道", at("2025-07-20", "20:00"), story="x"),
            Art("paper", "old-2", "跨周的报道（转载）", at("2025-07-21", "08:00"), story="x"),
        ])
        assert titles(build_week(s, "2025-W30")) == []
        w29 = build_week(s, "2025-W29")
    assert titles(w29) == ["跨周的报道"]
    assert w29.items[0].size == 1  # the repost came out after W29 ended: W29's digest does not change


def test_ranking_size_then_authority_then_time(session: Session) -> None:
    digest = build_week(session, "2025-W30")
    ranked = sorted(digest.items, key=rank_key)
    assert ranked[0].title == "全国总工会部署夏季送清凉"  # three outlets
    # two pairs of two outlets: 省工会网(2)+工人报(3)=5 beats 市总微信(2)+县工会网(1)=3
    assert [i.title for i in ranked[1:3]] == ["江苏推进算法协商", "浙江工匠培育品牌"]
    wq = dict(digest.sections)["维权服务"]
    assert [i.title for i in wq] == ["江苏职工夜校开课", "四川县总工会为骑手送水"]  # authority 2 before 1


def test_order_does_not_depend_on_insertion_order(store: Store, tmp_path_factory: pytest.TempPathFactory) -> None:
    from aggregator.store import open_store

    other = open_store(f"sqlite:///{tmp_path_factory.mktemp('rev') / 'rev.db'}")
    try:
        with store.session() as a, other.session() as b:
            add_sources(a)
            add_sources(b)
            add_articles(a, week30())
            add_articles(b, list(reversed(week30())))
            one, two = build_week(a, "2025-W30"), build_week(b, "2025-W30")
    finally:
        other.close()
    assert [(i.title, i.key, [o.url for o in i.outlets]) for i in one.items] == \
           [(i.title, i.key, [o.url for o in i.outlets]) for i in two.items]
    assert one.title == two.title and one.credits == two.credits


def test_headlines_spread_over_sections_and_title_from_top_two(session: Session) -> None:
    digest = build_week(session, "2025-W30")
    assert [i.title for i in digest.headlines] == ["全国总工会部署夏季送清凉", "江苏推进算法协商", "浙江工匠培育品牌"]
    assert len({i.section for i in digest.headlines}) == 3
    assert digest.title == "一周速览 | 全国总工会部署夏季送清凉 ;江苏推进算法协商"


def _item(title: str, section: str, size: int, region: str = "江苏", review: bool = False, day: int = 22) -> DigestItem:
    when = datetime(2025, 7, day, 9, tzinfo=SHANGHAI)
    outlets = [Outlet(f"s{n}", f"媒体{n}", f"https://s{n}.example/{title}", when, original=n == 0) for n in range(size)]
    return DigestItem(story_id=None, article_id=0, title=title, summary="", url=f"https://s0.example/{title}",
                      section=section, published_at=when, outlets=outlets, region=region, needs_review=review,
                      authority=size, key=title, first_published=when)


# (items as (title, section, size, region, needs_review), expected headline titles)
HEADLINE_CASES = [
    pytest.param([("A", "工作动态", 3, "全国", False), ("B", "工作动态", 2, "全国", False), ("C", "维权服务", 1, "江苏", False)],
                 ["A", "C", "B"], id="spread-over-sections-before-size"),
    pytest.param([("A", "工作动态", 3, "江苏", False), ("B", "维权服务", 2, "江苏", False), ("C", "组织建设", 2, "浙江", False)],
                 ["A", "C", "B"], id="spread-over-regions-when-possible"),
    pytest.param([("A", "工作动态", 3, "全国", True), ("B", "维权服务", 1, "江苏", False), ("C", "组织建设", 1, "浙江", False)],
                 ["B", "C", "A"], id="items-awaiting-review-come-last"),
    pytest.param([("A", "工作动态", 1, "全国", False)], ["A"], id="fewer-items-than-headlines"),
    pytest.param([], [], id="empty-week"),
]


@pytest.mark.parametrize(("rows", "expected"), HEADLINE_CASES)
def test_pick_headlines(rows: list[tuple[str, str, int, str, bool]], expected: list[str]) -> None:
    items = [_item(t, s, n, r, review) for t, s, n, r, review in rows]
    assert [i.title for i in pick_headlines(items)] == expected


def test_title_without_items_is_the_plain_name() -> None:
    assert digest_title([]) == "一周速览"
    assert digest_title([_item("甲", "工作动态", 1)]) == "一周速览 | 甲"


def test_review_flag_and_manual_label(store: Store) -> None:
    with store.session() as s:
        add_sources(s)
        add_articles(s, [
            Art("county", "r-1", "待审的文章", at("2025-07-22"), "建功立业", needs_review=True, confidence=0.5),
            Art("county", "m-1", "编辑改过栏目的文章", at("2025-07-22"), "组织建设", story="m", confidence=0.5,
                needs_review=True),
            Art("province", "m-2", "编辑改过栏目的文章（转载）", at("2025-07-23"), "组织建设", story="m", origin="manual",
                confidence=1.0),
        ])
        digest = build_week(s, "2025-W30")
    by_title = {i.title: i for i in digest.items}
    assert by_title["待审的文章"].needs_review and by_title["待审的文章"].confidence == 0.5
    manual = by_title["编辑改过栏目的文章"]
    assert not manual.needs_review and manual.section_origin == "manual"
    assert digest.review_count == 1


def test_credits_list_sites_then_wechat_each_once(session: Session) -> None:
    digest = build_week(session, "2025-W30")
    assert digest.credits == ["县工会网", "工人报", "省工会网", "全国工会网", "市总工会微信公众号"]


def test_custom_window_includes_both_days(session: Session) -> None:
    start, end = window_bounds(date(2025, 7, 21), date(2025, 7, 27))
    assert (start, end) == (datetime(2025, 7, 21, tzinfo=SHANGHAI), datetime(2025, 7, 28, tzinfo=SHANGHAI))
    same = build_digest(session, start, end)
    assert same.week == "2025-W30" and titles(same) == titles(build_week(session, "2025-W30"))
    start, end = window_bounds(date(2025, 7, 25), date(2025, 7, 26))
    part = build_digest(session, start, end)
    assert part.week is None and part.slug == "2025-07-25_2025-07-26"
    assert sorted(titles(part)) == sorted(["四川县总工会为骑手送水", "江苏职工夜校开课"])
    with pytest.raises(ValueError, match="before it starts"):
        window_bounds(date(2025, 7, 26), date(2025, 7, 25))


def test_bad_week_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="ISO week"):
        build_week(session, "2025-30")
    with pytest.raises(ValueError, match="ISO week"):
        build_week(session, "2025-W54")


def test_timestamps_come_from_the_data(store: Store) -> None:
    with store.session() as s:
        add_sources(s)
        add_articles(s, [
            Art("county", "t-1", "甲", at("2025-07-22"), fetched=at("2025-07-22", "12:00")),
            Art("province", "t-2", "乙", at("2025-07-23"), fetched=at("2025-07-23", "12:00"), updated=at("2025-07-29", "08:00")),
        ])
        digest = build_week(s, "2025-W30")
    assert digest.updated == at("2025-07-29", "08:00")
    assert digest.published == at("2025-07-28", "00:00")
    assert digest.modified == at("2025-07-29", "08:00")


def test_complete_weeks_newest_first_and_only_weeks_that_are_over(session: Session) -> None:
    monday_w31 = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)
    assert complete_weeks(session, monday_w31) == ["2025-W30", "2025-W29"]
    assert complete_weeks(session, monday_w31, limit=1) == ["2025-W30"]
    assert complete_weeks(session, monday_w31 + timedelta(days=7)) == ["2025-W31", "2025-W30", "2025-W29"]
    assert complete_weeks(session, datetime(2025, 7, 21, tzinfo=SHANGHAI)) == ["2025-W29"]


def test_weeks_with_articles_counts_every_live_article(session: Session) -> None:
    assert weeks_with_articles(session) == ["2025-W31", "2025-W30", "2025-W29"]
    assert weeks_with_articles(session, limit=2) == ["2025-W31", "2025-W30"]
