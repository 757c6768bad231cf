"""The matcher's view of an article: cleaned text, shingles, figures, people, quoted names, event day, places."""

from __future__ import annotations

import unicodedata
from datetime import date

import numpy as np
import pytest

from aggregator.stories.features import (
    clean_body,
    event_day_of,
    extract,
    number_weight,
    numbers_of,
    persons_of,
    places_of,
    quote_weight,
    shingle_hashes,
    shingles_of,
)

PUB = date(2025, 7, 17).toordinal()


def day(y: int, m: int, d: int) -> int:
    return date(y, m, d).toordinal()


@pytest.mark.parametrize(("text", "expected"), [
    ("本报讯（记者 王静 通讯员 张帆）7月16日，南京市总工会启动活动。", "7月16日,南京市总工会启动活动。"),
    ("7月16日，活动启动。\n来源：南京市总工会\n编辑：许婷　审核：王敏", "7月16日,活动启动。"),
    ("活动启动。\n责任编辑：李丹阳", "活动启动。"),
    ("第一段。\n\n第二段。", "第一段。\n第二段。"),
    ("来源广泛的职工参加了活动。", "来源广泛的职工参加了活动。"),  # 来源 without a colon is text
])
def test_clean_body_drops_bylines_and_credit_lines(text: str, expected: str) -> None:
    assert clean_body(text) == expected  # NFKC: full-width punctuation becomes ASCII


@pytest.mark.parametrize("text", [
    "，".join(["工会驿站"] * 20),  # full-width punctuation
    "高温36℃，" * 10 + "……",  # characters whose form is longer than one character
    "ｶﾞｷﾞ" * 20,  # half-width kana whose voiced mark composes with the kana before it
    "Ａ\u0301，" * 30,  # a combining mark after a full-width letter
    "𝐀𝐁，" * 30,  # outside the BMP
    "工会" * 40,  # already normalized
])
def test_long_texts_are_normalized_as_nfkc(text: str) -> None:
    assert clean_body(text) == unicodedata.normalize("NFKC", text)


@pytest.mark.parametrize(("text", "expected"), [
    ("安排专项资金1260万元，比去年增加110万元", {"1260万", "110万"}),
    ("覆盖约23万人次，9.2万名职工", {"23万", "9.2万"}),
    ("2025年7月16日上午8时30分", set()),  # years, dates and clock times are not figures
    ("累计提出建议120余项，节约成本2000多万元", {"120", "2000万"}),
    ("3名选手分获前3名，5%的增幅", set()),  # single digits say nothing
    ("《合同（2025—2027年）》", set()),
    ("以综合成绩96.5分获得第一名", {"96.5"}),
    ("拨打12351热线", {"12351"}),
])
def test_numbers(text: str, expected: set[str]) -> None:
    assert numbers_of(text) == expected


@pytest.mark.parametrize(("number", "weight"), [
    ("1260万", 1.0), ("96.5", 1.0), ("132", 1.0), ("12", 0.6), ("1500", 0.6), ("5000", 0.25), ("30万", 0.25),
])
def test_round_figures_weigh_less(number: str, weight: float) -> None:
    assert number_weight(number) == weight


@pytest.mark.parametrize(("quote", "weight"), [("夏送清凉", 1.0), ("巾帼劳模工匠助企行", 1.0), ("产改", 0.5), ("1+1", 0.5)])
def test_quote_weight(quote: str, weight: float) -> None:
    assert quote_weight(quote) == weight


@pytest.mark.parametrize(("text", "published", "expected"), [
    ("7月16日上午，活动启动。", PUB, day(2025, 7, 16)),
    ("16日上午的启动现场设在工地。", PUB, day(2025, 7, 16)),
    ("今天上午，活动启动。", PUB, PUB),
    ("昨天，活动启动。", PUB, PUB - 1),
    ("截至6月30日已入会的骑手，11日起可领保险。", PUB, day(2025, 7, 11)),  # a deadline is not the event
    ("活动将持续至8月31日。", PUB, None),
    ("30日，活动启动。", day(2025, 8, 2), day(2025, 7, 30)),  # a day after the publication is last month's
    ("12月30日，活动启动。", day(2026, 1, 2), day(2025, 12, 30)),  # and a month far ahead last year's
    ("2024年7月18日，决赛落幕。", PUB, day(2024, 7, 18)),
    ("本报海口7月2日讯 活动启动。", PUB, None),  # the dateline's day-only form is not the event
    ("7月16日，活动启动。", 0, None),  # without a publication day nothing can be placed
])
def test_event_day(text: str, published: int, expected: int | None) -> None:
    assert event_day_of(text, published) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("市总工会副主席陈立平一行冒着高温", {"陈立"}),
    ("“练的就是稳。”夺冠后的孙海涛说", {"孙海"}),
    ("宁波市鄞州区选手孙海涛以综合成绩96.5分获得第一名", {"孙海"}),
    ("环卫工人朱阿姨告诉记者", {"朱阿"}),
    ("外卖骑手小韩说", {"小韩"}),
    ("集卡司机安全驾驶技能比武", set()),  # a role followed by an ordinary word
    ("劳模和工匠人才创新工作室", set()),
    ("欧阳明华表示", {"欧阳明"}),
    ("欧阳明亮说", {"欧阳明"}),
    ("快递员小李师傅", {"小李"}),  # names do not overlap: 小李 is taken before 李师傅
    ("环卫工人老张和李阿姨", {"老张", "李阿"}),
])
def test_persons(text: str, expected: set[str]) -> None:
    assert persons_of(text) == expected


def test_shingles_ignore_punctuation_spaces_and_width() -> None:
    a = shingle_hashes("南京市总工会启动夏送清凉活动")
    b = shingle_hashes("南京市总工会，启动 “夏送清凉” 活动")
    assert np.array_equal(a, b)
    assert a.dtype == np.uint64 and np.all(a[:-1] < a[1:])  # sorted, unique


def test_shingles_are_order_sensitive_and_stable() -> None:
    assert not np.array_equal(shingle_hashes("甲乙丙丁戊"), shingle_hashes("戊丁丙乙甲"))
    assert np.array_equal(shingle_hashes("工会驿站延长开放时间"), shingle_hashes("工会驿站延长开放时间"))
    assert shingle_hashes("").size == 0
    assert shingle_hashes("工会").size == 1  # shorter than a shingle: the whole text is one


def test_shingles_of_matches_extract() -> None:
    text = "本报讯（记者 李娅）7月15日，签约仪式举行。\n来源：工人日报"
    assert np.array_equal(shingles_of("标题", text), extract("标题", text, PUB).shingles)


def test_places_main_city_and_every_place_named() -> None:
    city, places = places_of("南京市总工会启动“夏送清凉”", "来自安徽六安的钢筋工刘长青说，南京的夏天很热。")
    assert city == "南京"
    assert {"南京", "江苏", "六安", "安徽"} <= places


@pytest.mark.parametrize(("offset", "city", "places"), [
    (157, "南京", {"南京", "江苏"}),  # 南京市 within the first 160 characters
    (158, "南京", {"南京", "江苏"}),  # cut at the 160th: 南京 is left
    (159, None, set()),  # 南 | 京市: neither part holds a name
    (160, "南京", {"南京", "江苏"}),
    (1999, None, set()),
    (2000, None, {"南京", "江苏"}),  # past 2000 characters a place is named but not scored
])
def test_places_are_scanned_in_parts(offset: int, city: str | None, places: set[str]) -> None:
    assert places_of("", "工" * offset + "南京市") == (city, places)


def test_extract_collects_anchors() -> None:
    f = extract("南京1260万元“夏送清凉”", "7月16日上午，市总工会副主席陈立平带队，覆盖23万人次。", PUB)
    assert f.event_day == day(2025, 7, 16) and f.city == "南京" and f.day == PUB
    assert {"n:1260万", "n:23万", "p:陈立", "q:夏送清凉", f"e:{day(2025, 7, 16)}:南京"} <= f.anchors


def test_facts_round_trip() -> None:
    f = extract("2025年浙江省快递员技能竞赛", "7月20日，选手孙海涛以96.5分夺冠，“技能强企”。", PUB)
    back = type(f).from_facts(f.facts(), f.shingles, f.title)
    assert back == f and back.core == f.core
