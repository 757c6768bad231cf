"""Dates in every form Chinese news pages use, to aware Asia/Shanghai datetimes, never 8 hours off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.dates import MIN_YEAR, SHANGHAI, date_from_url, iso_week_bounds, iso_week_of, parse_date

NOW = datetime(2025, 7, 28, 12, 0, tzinfo=SHANGHAI)

# (text as a page shows it, expected value in Beijing time "YYYY-MM-DD HH:MM:SS", precise)
CASES = [
    ("2025-07-24 09:05:01", "2025-07-24 09:05:01", True),
    ("2025-07-24 09:05", "2025-07-24 09:05:00", True),
    ("2025/7/24", "2025-07-24 00:00:00", False),
    ("2025.07.24", "2025-07-24 00:00:00", False),
    ("2025年7月24日 09:05", "2025-07-24 09:05:00", True),
    ("2025年07月24日", "2025-07-24 00:00:00", False),
    ("2025年07月24日09:05", "2025-07-24 09:05:00", True),
    ("2025年7月24日15时05分", "2025-07-24 15:05:00", True),
    ("2025年7月24日 下午3:05", "2025-07-24 15:05:00", True),
    ("发布时间：2025-07-24 09:05:01　来源：工人日报", "2025-07-24 09:05:01", True),
    ("２０２５－０７－２４　０９：０５", "2025-07-24 09:05:00", True),
    # Year-less: this year, unless that is in the future (then last year); never precise.
    ("07-24", "2025-07-24 00:00:00", False),
    ("07-24 09:05", "2025-07-24 09:05:00", False),
    ("7月24日", "2025-07-24 00:00:00", False),
    ("7月24日 09:05", "2025-07-24 09:05:00", False),
    ("发布时间：07-24", "2025-07-24 00:00:00", False),
    ("12-30", "2024-12-30 00:00:00", False),
    ("7月29日", "2024-07-29 00:00:00", False),
    ("七月二十四日", "2025-07-24 00:00:00", False),
    # Relative: counted back from the crawl time; never precise.
    ("昨天", "2025-07-27 00:00:00", False),
    ("昨天 09:05", "2025-07-27 09:05:00", False),
    ("前天", "2025-07-26 00:00:00", False),
    ("今天 08:30", "2025-07-28 08:30:00", False),
    ("3小时前", "2025-07-28 09:00:00", False),
    ("半小时前", "2025-07-28 11:30:00", False),
    ("15分钟前", "2025-07-28 11:45:00", False),
    ("2天前", "2025-07-26 12:00:00", False),
    ("三天前", "2025-07-25 12:00:00", False),
    ("刚刚", "2025-07-28 12:00:00", False),
    # Chinese numerals (government documents).
    ("二〇二五年七月二十四日", "2025-07-24 00:00:00", False),
    ("二○二五年七月二十四日", "2025-07-24 00:00:00", False),
    ("二〇二五年十二月三十一日", "2025-12-31 00:00:00", False),
    # Unix seconds and milliseconds (WeChat's ct, JSON APIs).
    ("1753319100", "2025-07-24 09:05:00", True),
    ("1753319100123", "2025-07-24 09:05:00", True),
    # RFC 822 (feeds): converted from the stated zone; no zone is Beijing time.
    ("Thu, 24 Jul 2025 09:05:01 +0800", "2025-07-24 09:05:01", True),
    ("Thu, 24 Jul 2025 01:05:01 GMT", "2025-07-24 09:05:01", True),
    ("Thu, 24 Jul 2025 01:05:01 +0000", "2025-07-24 09:05:01", True),
    ("24 Jul 2025 09:05:01", "2025-07-24 09:05:01", True),
    # RFC 3339 / ISO 8601.
    ("2025-07-24T09:05:01+08:00", "2025-07-24 09:05:01", True),
    ("2025-07-24T01:05:01Z", "2025-07-24 09:05:01", True),
    ("2025-07-24T01:05:01.123Z", "2025-07-24 09:05:01", True),
    ("2025-07-24T03:05:01+02:00", "2025-07-24 09:05:01", True),
    ("2025-07-24 09:05:01 +0800", "2025-07-24 09:05:01", True),
    # Odd forms real pages carry.
    ("18-03-08 23:16", "2018-03-08 23:16:00", True),
    ("2007-08-20-23:59:59", "2007-08-20 23:59:59", True),
]


@pytest.mark.parametrize(("text", "expected", "precise"), CASES, ids=[c[0] for c in CASES])
def test_parse_date(text: str, expected: str, precise: bool) -> None:
    parsed = parse_date(text, now=NOW)
    assert parsed is not None
    assert (parsed.value.strftime("%Y-%m-%d %H:%M:%S"), parsed.precise) == (expected, precise)


@pytest.mark.parametrize(("text", "expected", "precise"), CASES, ids=[c[0] for c in CASES])
def test_parsed_dates_are_beijing_time(text: str, expected: str, precise: bool) -> None:
    parsed = parse_date(text, now=NOW)
    assert parsed is not None and parsed.value.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("text", ["", "   ", "abc", "发布时间：", "2025-13-45", "第3-5名", "1-10月固定资产投资",
                                  "99:99", "共有5/6的职工参加", "12345"])
def test_no_date(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_year_from_the_page_wins_over_the_crawl_year() -> None:
    parsed = parse_date("10-08 12:00", now=NOW, default_year=2019)
    assert parsed is not None and parsed.value == datetime(2019, 10, 8, 12, 0, tzinfo=SHANGHAI)


def test_year_less_date_near_new_year_is_last_year() -> None:
    parsed = parse_date("12-31 23:00", now=datetime(2026, 1, 1, 8, 0, tzinfo=SHANGHAI))
    assert parsed is not None and parsed.value.year == 2025


@pytest.mark.parametrize(("url", "expected"), [
    ("https://ldwb.workerbj.cn/content/2025-07/24/content_123.htm", "2025-07-24"),
    ("https://www.acftu.org/xwdt/ghyw/202507/t20250724_912345.html", "2025-07-24"),
    ("https://www.workercn.cn/c/2025-07-24/8541234.shtml", "2025-07-24"),
    ("https://www.jsgh.org/art/2025/7/24/art_3577_1.html", "2025-07-24"),
    ("http://acftu.people.com.cn/n1/2025/0724/c67502-4053.html", "2025-07-24"),
    ("https://news.example.com/202507/24/a.html", "2025-07-24"),
    ("https://news.sina.com.cn/c/2025-07-24/doc-abc.shtml", "2025-07-24"),
])
def test_date_from_url(url: str, expected: str) -> None:
    parsed = date_from_url(url)
    assert parsed is not None and not parsed.precise and parsed.value.strftime("%Y-%m-%d") == expected


@pytest.mark.parametrize("url", ["https://example.com/news/123.html", "https://example.com/2025-13/45/x.html", ""])
def test_no_date_in_url(url: str) -> None:
    assert date_from_url(url) is None


def test_iso_week_bounds_and_week_of() -> None:
    start, end = iso_week_bounds("2025-W30")
    assert (start, end - start) == (datetime(2025, 7, 21, tzinfo=SHANGHAI), timedelta(days=7))
    assert iso_week_of(datetime(2025, 7, 27, 23, 59, tzinfo=SHANGHAI)) == "2025-W30"
    # Monday 00:30 in Beijing is still Sunday in UTC: the week is Beijing's.
    assert iso_week_of(datetime(2025, 7, 27, 16, 30, tzinfo=UTC)) == "2025-W31"


# -- properties -------------------------------------------------------------------------------------------------

DATEISH = st.text(alphabet=st.sampled_from(list("0123456789-/.:年月日时分秒前天昨今刚小半周〇一二三四五六七八九十 TZ+上午下ADFGMTU")),
                  max_size=40)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=200), DATEISH))
def test_parse_date_never_crashes_and_is_aware(text: str) -> None:
    parsed = parse_date(text, now=NOW)
    if parsed is not None:
        assert parsed.value.tzinfo is not None
        assert parsed.value.utcoffset() == timedelta(hours=8)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=datetime(MIN_YEAR, 1, 1).date(), max_value=datetime(2030, 12, 31).date()),
       st.integers(0, 23), st.integers(0, 59))
def test_round_trip_of_chinese_form(day, hour: int, minute: int) -> None:  # type: ignore[no-untyped-def]
    text = f"{day.year}年{day.month}月{day.day}日 {hour:02d}:{minute:02d}"
    parsed = parse_date(text, now=NOW)
    assert parsed is not None
    assert parsed.value == datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 365 * 3), st.integers(0, 23))
def test_year_less_dates_are_never_in_the_future(days_back: int, hour: int) -> None:
    day = (NOW - timedelta(days=days_back)).date()
    parsed = parse_date(f"{day.month}月{day.day}日", now=NOW)
    assert parsed is not None and parsed.value <= NOW and not parsed.precise


@pytest.mark.parametrize("text", ["八四年前", "1988-07-01 10:00", "1941年8月18日", "发布时间：1990/6/1"])
def test_dates_before_the_web_are_misreadings(text: str) -> None:
    assert parse_date(text, now=NOW) is None
