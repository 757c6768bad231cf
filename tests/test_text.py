"""Text cleaning (spaces, invisible and XML-invalid characters, blank lines) and bylines kept apart."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.text import (_LINE_TABLE, byline_names, clean_line, clean_text, clean_title, is_clean, split_byline,
                             strip_xml_invalid)

XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CLEAN_TEXT = [
    # \u3000 paragraph indents and full-width spaces
    ("\u3000\u3000本报讯 7月24日，某市总工会举办活动。", "本报讯 7月24日，某市总工会举办活动。"),
    ("记者\u3000王某", "记者 王某"),
    # no-break and other Unicode spaces fold to one ASCII space
    ("工会\u00a0\u00a0驿站\u2002开放", "工会 驿站 开放"),
    # zero-width characters, BOM, soft hyphen, direction marks disappear
    ("工\u200b会\u200c驿\u200d站\ufeff开\u00ad放\u200e", "工会驿站开放"),
    # control characters and characters XML forbids disappear
    ("职工\x00书屋\x08开放\x1f了\ufffe", "职工书屋开放了"),
    # runs of blank lines and whitespace-only lines collapse; paragraphs keep one newline
    ("第一段。\n\n\n   \n\u3000\u3000\n第二段。", "第一段。\n第二段。"),
    # Windows and old Mac line ends, Unicode line and paragraph separators
    ("第一段。\r\n第二段。\r第三段。\u2028第四段。\u2029第五段。", "第一段。\n第二段。\n第三段。\n第四段。\n第五段。"),
    # tabs and trailing spaces
    ("\t第一段。\t \n第二段。  ", "第一段。\n第二段。"),
    # text that is already clean stays as it is
    ("7月24日，全国总工会召开会议。", "7月24日，全国总工会召开会议。"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "expected"), CLEAN_TEXT, ids=range(len(CLEAN_TEXT)))
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("  标题\n第二行  ", "标题 第二行"),
    ("【一周工会】\u3000标题", "【一周工会】 标题"),
    ("标题\u200b", "标题"),
])
def test_clean_title_is_one_line(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


# (paragraph, byline kept apart, the text it leads)
BYLINES = [
    ("本报讯（记者 任嘉）7月17日，山东省总工会召开座谈会。", "本报讯（记者 任嘉）", "7月17日，山东省总工会召开座谈会。"),
    ("本报讯(记者 康永年 通讯员 李晴) 日前，某配送中心召开协商会议。", "本报讯(记者 康永年 通讯员 李晴)", "日前，某配送中心召开协商会议。"),
    ("本报成都7月24日电（记者 邵雨晴）7月23日至24日，大赛决赛在成都举行。", "本报成都7月24日电（记者 邵雨晴）",
     "7月23日至24日，大赛决赛在成都举行。"),
    ("新华社北京7月24日电（记者 王某、李某）记者24日从全国总工会获悉……", "新华社北京7月24日电（记者 王某、李某）",
     "记者24日从全国总工会获悉……"),
    ("长江网10月4日讯（记者陈智 整合） 国庆长假过半。", "长江网10月4日讯（记者陈智 整合）", "国庆长假过半。"),
    ("新京报快讯（记者 裴剑飞）今日有网友爆料。", "新京报快讯（记者 裴剑飞）", "今日有网友爆料。"),
    ("中工网讯（记者 邢博）7月26日晚，锦标赛结束。", "中工网讯（记者 邢博）", "7月26日晚，锦标赛结束。"),
    ("本报讯 记者王某 通讯员李某 近日，某市总工会举办培训。", "本报讯", "记者王某 通讯员李某 近日，某市总工会举办培训。"),
    ("【本报讯】7月20日，某区总工会举办活动。", "本报讯", "7月20日，某区总工会举办活动。"),
    ("（记者 王某 通讯员 李某）7月20日，某区总工会举办活动。", "（记者 王某 通讯员 李某）", "7月20日，某区总工会举办活动。"),
    ("记者 王某 通讯员 李某 报道：近日，某区总工会举办活动。", "记者 王某 通讯员 李某 报道", "近日，某区总工会举办活动。"),
    # a byline that is a line of its own
    ("本报记者 何思远 通讯员 方琳", "本报记者 何思远 通讯员 方琳", ""),
    ("■本报记者 何思远", "本报记者 何思远", ""),
    ("文/王某 图/李某", "文/王某 图/李某", ""),
    ("工人日报－中工网记者 王某 通讯员 李某", "工人日报－中工网记者 王某 通讯员 李某", ""),
]


@pytest.mark.parametrize(("text", "byline", "rest"), BYLINES, ids=[b[1] for b in BYLINES])
def test_split_byline(text: str, byline: str, rest: str) -> None:
    assert split_byline(text) == (byline, rest)


@pytest.mark.parametrize("text", [
    "7月24日，全国总工会召开会议。",
    "记者从黑龙江省总工会获悉，方案近日出台。",  # a reporter in the lede is not a byline
    "记者日前获悉，陕西持续推进产业工人队伍建设改革。",
    "据新华社7月24日消息，某项政策出台。",  # an attribution is part of the lede
    "通讯员从市总工会了解到，活动将持续一个月。",
    "喜讯传来，某厂职工获得全国五一劳动奖章。",
    "资讯速递：本周工会大事。",
    "",
])
def test_no_byline(text: str) -> None:
    assert split_byline(text) == (None, text)


@pytest.mark.parametrize(("byline", "names"), [
    ("本报讯（记者 任嘉）", "任嘉"),
    ("本报讯（记者 康永年 通讯员 李晴）", "康永年 李晴"),
    ("新华社北京7月24日电（记者 王某、李某）", "王某 李某"),
    ("长江网10月4日讯（记者陈智 整合）", "陈智"),
    ("本报讯", None),
])
def test_byline_names(byline: str, names: str | None) -> None:
    assert byline_names(byline) == names


# -- properties -------------------------------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=300)
SPACEY = st.text(alphabet=st.sampled_from(list("工会职工。，\n\r\t \u3000\u00a0\u200b\ufeff\x00\x0b\x1f\u2028\u2029\ud800\uffffab1")),
                 max_size=200)


@settings(max_examples=400, deadline=None)
@given(st.one_of(ANY_TEXT, SPACEY))
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@settings(max_examples=400, deadline=None)
@given(st.one_of(ANY_TEXT, SPACEY))
def test_clean_text_output_is_valid_xml_text(text: str) -> None:
    cleaned = clean_text(text)
    assert not XML_INVALID.search(cleaned)
    assert "\n\n" not in cleaned and not cleaned.startswith((" ", "\n")) and not cleaned.endswith((" ", "\n"))


@settings(max_examples=400, deadline=None)
@given(st.one_of(ANY_TEXT, SPACEY))
def test_clean_line_is_one_clean_line(text: str) -> None:
    line = clean_line(text)
    assert "\n" not in line and "  " not in line and not XML_INVALID.search(line)
    assert clean_line(line) == line


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_strip_xml_invalid(text: str) -> None:
    assert not XML_INVALID.search(strip_xml_invalid(text))


@settings(max_examples=300, deadline=None)
@given(st.one_of(ANY_TEXT, SPACEY))
def test_split_byline_never_crashes_and_loses_nothing(text: str) -> None:
    byline, rest = split_byline(text)
    if byline is None:
        assert rest == text
    else:
        assert byline and len(byline) + len(rest) <= len(text)


def test_clean_line_fast_path_matches_the_translation_table() -> None:
    """The regex that finds characters to change agrees with the table on every code point, alone and in text."""
    from aggregator.text import _LINE_TABLE

    for code in range(0x110000):
        ch = chr(code)
        expected = (ch.translate(_LINE_TABLE) if code in _LINE_TABLE else ch).strip(" ")
        assert clean_line(ch) == expected, hex(code)
        assert clean_line("工" + ch + "会") == "工" + (_LINE_TABLE.get(code, ch) or "") + "会", hex(code)


# -- is_clean: exactly when clean_text would leave text unchanged (its shortcut relies on it) --

def test_is_clean_agrees_with_clean_text_for_every_bmp_character() -> None:
    for code in [*range(0x10000), *_LINE_TABLE, 0x1F600, 0x10FFFF]:
        ch = chr(code)
        for text in (ch, f"a{ch}b", f"{ch}a", f"a{ch}"):
            assert is_clean(text) == (clean_text(text) == text), (hex(code), text)


def test_is_clean_agrees_with_clean_text_on_spacing_and_lines() -> None:
    alphabet = ["a", "文", " ", "\n", "\r", "\u3000", "\u200b"]
    for size in range(6):
        for parts in itertools.product(alphabet, repeat=size):
            text = "".join(parts)
            assert is_clean(text) == (clean_text(text) == text), repr(text)
            if is_clean(text):
                assert all(clean_line(line) == line for line in text.split("\n")), repr(text)
