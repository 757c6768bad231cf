"""The precise check: reposts and write-ups of one event match; another event on the same topic does not."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from aggregator.stories.evaluate import read_items
from aggregator.stories.features import Features, extract
from aggregator.stories.match import judge, same_story

DATA = Path(__file__).parent / "data"

TITLE = "太仓市总工会为港口职工送清凉 投入资金386万元"
ORIGINAL = (
    "7月10日上午，太仓市总工会2025年“夏送清凉”活动在太仓港集装箱码头启动。市总工会副主席顾明华一行为桥吊司机、"
    "装卸工人送去绿豆汤、毛巾和防暑药品，叮嘱大家合理安排作业时间。\n"
    "据介绍，今年市总工会投入“夏送清凉”资金386万元，计划慰问一线职工2.6万人次，全市57个工会驿站延长开放时间，"
    "免费提供饮用水和防暑药品。\n"
    "“驾驶室里将近40度，工会送来的清凉包很实用。”桥吊司机沈建军说，他在码头工作已有11年。\n"
    "顾明华表示，各级工会要督促用人单位落实高温津贴，合理调整高温时段作业安排，保障职工身体健康。"
)


def f(text: str, published: tuple[int, int, int] = (2025, 7, 10), title: str = TITLE) -> Features:
    return extract(title, text, date(*published).toordinal())


CASES = [
    # (name, title, text, published, same, reason)
    ("repost with byline, lede and credits", "港口职工收到清凉包",
     "高温下的坚守，工会看在眼里！\n本报讯（记者 钱程）今天上午，" + ORIGINAL.split("上午，", 1)[1]
     + "\n来源：太仓市总工会\n编辑：王敏", (2025, 7, 10), True, "repost"),
    ("trimmed repost", TITLE, "\n".join(ORIGINAL.split("\n")[:2]), (2025, 7, 11), True, "repost"),
    ("independent write-up", "386万元清凉送到码头",
     "桥吊驾驶室里将近40度。10日，太仓市总工会副主席顾明华带队来到太仓港，把绿豆汤和防暑药品送到一线。"
     "桥吊司机沈建军已在码头干了11年。\n记者了解到，今年用于“夏送清凉”的资金达386万元，将慰问2.6万人次，"
     "57个工会驿站夏季延时开放。", (2025, 7, 11), True, "rewrite"),
    ("templated report of another event", TITLE,
     ORIGINAL.replace("386万元", "214万元").replace("2.6万", "1.8万").replace("57个", "33个")
     .replace("顾明华", "陆国平").replace("沈建军", "陈卫东").replace("11年", "8年").replace("7月10日", "7月11日"),
     (2025, 7, 11), False, "facts"),
    ("the same template two days later", TITLE, ORIGINAL.replace("7月10日", "7月12日").replace("386万元", "214万元"),
     (2025, 7, 12), False, "event-day"),
    ("last year's round", TITLE.replace("386", "352"),
     ORIGINAL.replace("2025年", "2024年").replace("386万元", "352万元"), (2025, 7, 11), False, "year"),
    ("another city the same day", "南京市总工会为环卫工人送清凉",
     "7月10日，南京市总工会“夏送清凉”慰问组来到鼓楼区环卫作业点，为环卫工人送去绿豆汤、毛巾和防暑药品。"
     "市总工会今年投入资金1260万元，慰问一线职工23万人次。", (2025, 7, 10), False, "city"),
    ("same official, same day, another event", "太仓市总工会召开新就业形态劳动者座谈会",
     "7月10日下午，太仓市总工会副主席顾明华主持召开新就业形态劳动者座谈会，14名外卖骑手和快递员参加。"
     "顾明华介绍，全市57个工会驿站已向骑手开放，下一步将推动平台企业优化配送时限。", (2025, 7, 10), False, "weak"),
    ("a write-up ten days later", "386万元清凉送到码头",
     "10日，太仓市总工会副主席顾明华带队来到太仓港，把绿豆汤和防暑药品送到一线。今年用于“夏送清凉”的资金达386万元，"
     "将慰问2.6万人次。", (2025, 7, 20), False, "window"),
]


@pytest.mark.parametrize(("name", "title", "text", "published", "same", "reason"), CASES, ids=[c[0] for c in CASES])
def test_pair(name: str, title: str, text: str, published: tuple[int, int, int], same: bool, reason: str) -> None:
    verdict = judge(f(ORIGINAL), f(text, published, title))
    assert (verdict.same, verdict.reason) == (same, reason), verdict


def test_undated_follow_up_needs_many_shared_facts() -> None:
    follow_up = f("太仓“夏送清凉”清凉包怎么领？386万元资金已下拨，2.6万人次一线职工可到57个工会驿站领取。", title="清凉包领取指南")
    assert follow_up.event_day is None
    verdict = judge(f(ORIGINAL), follow_up)
    assert not verdict.same and verdict.shared < 4.0


def test_identical_texts_match() -> None:
    assert same_story(f(ORIGINAL), f(ORIGINAL))


def test_empty_texts_do_not_match() -> None:
    assert not same_story(f("", title="通知"), f("", title="通知"))


def test_judge_is_symmetric_on_the_development_set() -> None:
    items = read_items(DATA / "stories_dev.jsonl")
    feats = [extract(i.title, i.text, i.published.date().toordinal() if i.published else 0) for i in items]
    for a, b in itertools.combinations(feats, 2):
        assert judge(a, b) == judge(b, a)
