"""What the story matcher looks at in one article: character shingles and the facts of the event.

Chinese has no spaces, so the text is compared on overlapping character n-grams (shingles), hashed to 64-bit
integers with numpy. Independent write-ups of one event share few shingles but the same facts: figures
("1260万元", "96.5分"), people ("孙海涛"), the event's date, the city; articles on the same topic but another
event share phrases and differ in exactly those facts. Everything here is a pure function of the article's
title, text and publication day, so matching never depends on what else is in the store.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from aggregator.regions import Gazetteer, Place, default_gazetteer
from aggregator.text import split_byline

FEATURES_VERSION = 1
SHINGLE = 4  # characters per shingle; 4-grams keep the overlap of unrelated union news low (docs/stories.md)

_MUL = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)

# Credit lines that reposts add or drop; they say nothing about the event.
_CREDIT = re.compile(
    r"^[（(【\[]?\s*(?:来源|稿源|本文来源|转自|责任编辑|责编|编辑|审核|审校|校对|初审|二审|三审|终审|监制|统筹|作者|"
    r"撰稿|文字|记者|通讯员|摄影|图片|图文|视频|原标题|供稿|编审|签发|值班编辑)\s*[:：\s]"
)
# Figures: digits with an optional 余/多 and a 万/亿 multiplier. Units are ignored on purpose: one write-up says
# "12个基层单位", another "12家". The look-behind ("no digit or point before") stands after the first digit, where
# it means the same as before it: a pattern that begins with a character class lets the regex engine skip to the
# next digit, one that begins with a look-behind is tried at every position of the text.
_NUMBER = re.compile(r"(\d(?<![\d.]\d)\d*(?:\.\d+)?)(?:余|多)?(万|亿)?")  # (?<![\d.])(\d+(?:\.\d+)?)…
_FULL_DATE = re.compile(r"(?:(20\d\d)年)?(\d{1,2})月(\d{1,2})日")
_DAY_ONLY = re.compile(r"(?<![\d月])(\d{1,2})日")
_RELATIVE = re.compile(r"(今天|今日|昨天|昨日)")
# A date after these is a deadline or the end of a period, not the day of the event.
_NOT_EVENT_BEFORE = ("截至", "截止", "至", "到", "从", "自", "于", "前", "起")
_NOT_EVENT_AFTER = ("电", "讯", "前", "以来", "至", "到", "—", "-", "~", "止")
_YEAR = re.compile(r"(2(?<!\d2)0\d\d)(?=年|—|－|-|至)")  # (?<!\d)(20\d\d)(?=…), the look-behind moved as in _NUMBER
_QUOTED = re.compile(r"[“\"《「『‘]([^”\"》」』’\n]{2,24})[”\"》」』’]")

# Common surnames (the hundred-odd that cover most people in the news) and the roles that precede a name.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
    "廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿"
    "鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯")
_ROLE = (
    "主席|书记|主任|会长|局长|部长|处长|科长|经理|厂长|院长|校长|班长|组长|队长|站长|理事长|董事长|秘书长|"
    "选手|司机|骑手|快递员|外卖员|配送员|驾驶员|调度员|钳工|焊工|车工|磨工|电工|技师|工程师|劳动模范|劳模|能手|"
    "获得者|教练|医生|护士|律师|调解员|环卫工|环卫工人|建筑工人|钢筋工|厨师长|店长|工匠|网格员|保安员"
)
_NAME_TAIL = "说|表示|介绍|告诉|指出|强调|认为|坦言|感慨|笑着|一行|带队|带领|等人|同志"
_SUR = "(?:" + "|".join(_COMPOUND_SURNAMES) + "|[" + _SURNAMES + "])"
_PERSON_AFTER_ROLE = re.compile(f"(?:{_ROLE})({_SUR}[\u4e00-\u9fff]{{1,2}})")
_PERSON_BEFORE_VERB_INNER = re.compile(f"({_SUR}[\u4e00-\u9fff]{{1,2}})(?:{_NAME_TAIL})")
# Words that begin with a surname character and follow role words often enough to be caught as names.
_NOT_NAMES = frozenset(
    "安全 常见 陆续 晋级 高温 文化 方式 连续 全市 全省 全国 全体 全面 全部 成为 成功 明确 平时 高级 金牌 严格 "
    "白天 向社 于是 于今 马上 师生 现场 代表 作为 通过 要求 提供 提升 提出 参加 参与 积极 主动 共同 向全 向广 "
    "向一 向大 向职 为全 为广 为一 为职 为大 张贴 叶片 史上 余名 余人 万名 万人 万元 钱款 江边 黄金 龙头 "
    "包括 包装 管理 管道 何时 何处 于一 向他 向她 宁可 应当 应急 易碎 曾经 尚未 齐心 石油 田间 任务 任何 甘于 "
    "党员 党组 宣讲 宣传 邢台 安排 苏州 杭州 温州 林业 冯家 庞大 关于 关注 关心 关键 单位 韩国 孔子 车间".split()
)
# Honorific forms used for ordinary workers: 朱阿姨, 蒋师傅, 骑手小韩.
_HONORIFICS = "师傅|阿姨|大姐|大爷|女士|先生"
_FAMILIAR = re.compile(f"(?:{_ROLE})((?:老|小)[{_SURNAMES}])|([{_SURNAMES}](?:{_HONORIFICS}))")
# The same words as sets: where these patterns can match is found from the rare words they contain (see
# _matches_at), and only there is the pattern tried.
_ROLES = frozenset(_ROLE.split("|"))
_ROLE_LENGTHS = sorted({len(role) for role in _ROLES})
_SURNAME_CHARS = frozenset(_SURNAMES)
_TAILS = tuple(_NAME_TAIL.split("|"))
_HONORIFIC_WORDS = tuple(_HONORIFICS.split("|"))


@dataclass(frozen=True, slots=True)
class Features:
    """The matcher's view of one article."""

    shingles: np.ndarray  # sorted unique uint64 hashes of the character shingles of the cleaned text
    numbers: frozenset[str]  # figures: two digits or more, or with a decimal point or 万/亿 ("1260万", "96.5")
    persons: frozenset[str]  # person keys: the first two characters of each name found (three for 欧阳…)
    quotes: frozenset[str]  # quoted terms and titles (campaign names, documents)
    event_day: int | None  # ordinal of the date the event happened, when the text says so
    event_relative: bool  # that date was 今天/昨天: a verbatim copy published later keeps the word, not the day
    years: frozenset[int]  # years the headline and lead name ("2024年…竞赛")
    day: int  # ordinal of the publication day (0 when unknown)
    city: str | None  # the article's main city (or province), from the gazetteer
    places: frozenset[str]  # every city and province the article names
    title: str = ""
    length: int = 0  # characters of cleaned text
    anchors: frozenset[str] = field(default_factory=frozenset)  # the facts used as index keys
    core: dict[str, float] = field(default_factory=dict, compare=False)  # figures and people with their weights

    def __post_init__(self) -> None:
        if not self.core:  # computed once: the precise check reads it for every candidate pair
            core = {f"n:{n}": number_weight(n) for n in self.numbers}
            core.update({f"p:{p}": 1.0 for p in self.persons})
            object.__setattr__(self, "core", core)

    def facts(self) -> dict[str, Any]:
        """Everything but the shingles, as JSON-ready data (stored in story_signatures.facts)."""
        return {
            "numbers": sorted(self.numbers), "persons": sorted(self.persons), "quotes": sorted(self.quotes),
            "event_day": self.event_day, "event_relative": self.event_relative, "years": sorted(self.years),
            "day": self.day, "city": self.city, "places": sorted(self.places), "length": self.length,
            "anchors": sorted(self.anchors),
        }

    @classmethod
    def from_facts(cls, facts: dict[str, Any], shingles: np.ndarray, title: str = "") -> Features:
        """Rebuild the features of a stored article from its facts and its recomputed shingles."""
        return cls(
            shingles=shingles, numbers=frozenset(facts.get("numbers", ())), persons=frozenset(facts.get("persons", ())),
            quotes=frozenset(facts.get("quotes", ())), event_day=facts.get("event_day"),
            event_relative=bool(facts.get("event_relative")),
            years=frozenset(facts.get("years", ())), day=int(facts.get("day") or 0), city=facts.get("city"),
            places=frozenset(facts.get("places", ())), title=title, length=int(facts.get("length") or 0),
            anchors=frozenset(facts.get("anchors", ())),
        )


def clean_body(text: str) -> str:
    """The article text without a leading byline and without credit lines (来源, 编辑, 审核, …)."""
    text = _nfkc(text or "")
    lines = [line.strip() for line in text.replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if lines:
        _byline, rest = split_byline(lines[0])
        lines[0] = rest
    kept = []
    for line in lines:
        if _CREDIT.match(line):
            continue
        # "编辑：许婷　审核：王敏" and similar footers made only of credits
        if len(line) <= 40 and _CREDITS_ONLY.fullmatch(line) and _CREDIT_WORD.search(line):
            continue
        kept.append(line)
    return "\n".join(kept)


_CREDITS_ONLY = re.compile(r"(?:[\u4e00-\u9fff]{2,4}\s*[:：]\s*[\u4e00-\u9fff·\s]{1,12}\s*)+")
_CREDIT_WORD = re.compile(r"编辑|审核|校对|来源|监制|统筹")
_nfkc_forms: tuple[np.ndarray, np.ndarray, dict[int, str]] | None = None


def _nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), some six times faster on an article (8 µs instead of 45 for 400 chars).

    Chinese news is full of full-width punctuation (，：（）), so the normalizer's quick check fails and it decomposes
    and recomposes the whole text. Instead every character is replaced by its own NFKC form (a table lookup in
    numpy where that form is one character, str.replace for the few like ℃ and … whose form is longer): the result
    has the text's NFKD, so when it is itself NFKC-normalized (a quick check, exact) it is the text's NFKC.
    Otherwise (a mark that composes with its neighbour, a character outside the BMP) the normalizer does it.
    """
    if len(text) < 64 or unicodedata.is_normalized("NFKC", text):  # a headline: the normalizer beats numpy
        return unicodedata.normalize("NFKC", text)
    single, longer, forms = _nfkc_tables()
    codes = _codes(text)
    if codes.max() > 0xFFFF:
        return unicodedata.normalize("NFKC", text)
    mapped = single[codes].tobytes().decode("utf-32-le", "surrogatepass")
    for code in set(codes[longer[codes]].tolist()):
        mapped = mapped.replace(chr(code), forms[code])
    return mapped if unicodedata.is_normalized("NFKC", mapped) else unicodedata.normalize("NFKC", text)


def _nfkc_tables() -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """The NFKC form of every BMP character: code points of one-character forms (the character itself when it is
    normalized), which characters have longer forms, and those forms. Built on first use (some 20 ms)."""
    global _nfkc_forms
    if _nfkc_forms is None:
        single = np.arange(0x10000, dtype=np.uint32)
        longer = np.zeros(0x10000, dtype=bool)
        forms: dict[int, str] = {}
        for code in range(0x10000):
            if not unicodedata.is_normalized("NFKC", chr(code)):
                form = unicodedata.normalize("NFKC", chr(code))
                if len(form) == 1:
                    single[code] = ord(form)
                else:
                    longer[code] = True
                    forms[code] = form
        _nfkc_forms = single, longer, forms
    return _nfkc_forms


def shingle_hashes(text: str, size: int = SHINGLE) -> np.ndarray:
    """Sorted unique 64-bit hashes of the character `size`-grams of `text` (letters, digits, CJK only)."""
    codes = _codes(text)
    return _hash_shingles(codes[_kept(codes)], size)


def _kept(codes: np.ndarray) -> np.ndarray:
    """Which code points shingles and the length read: 0-9, A-Z, a-z and CJK (U+3400-U+9FFF), not punctuation.

    numpy tests every character at once (a regex substitution walks the text in Python's engine); the
    subtractions wrap around in uint32, so each range is one comparison.
    """
    return ((codes - 0x30) < 10) | (((codes | 0x20) - 0x61) < 26) | ((codes - 0x3400) < 0x6C00)


def _hash_shingles(codes: np.ndarray, size: int) -> np.ndarray:
    """shingle_hashes() of the kept code points `codes` (uint32), in place on one array instead of one per step."""
    n = len(codes)
    if n < size:
        if not n:
            return np.zeros(0, dtype=np.uint64)
        size = n
    codes = codes.astype(np.uint64)
    count = n - size + 1
    if size > 1:
        acc = codes[:count] * _MUL
        acc += codes[1 : 1 + count]
        for k in range(2, size):
            acc *= _MUL
            acc += codes[k : k + count]
    else:
        acc = codes[:count].copy()
    # splitmix64's finalizer: spreads every input bit over the whole 64-bit output
    acc += _MUL
    shifted = acc >> _S30
    acc ^= shifted
    acc *= _M1
    np.right_shift(acc, _S27, out=shifted)
    acc ^= shifted
    acc *= _M2
    np.right_shift(acc, _S31, out=shifted)
    acc ^= shifted
    # np.unique's result, without its overhead (several times the sort's on a few thousand values)
    acc.sort()
    if acc.size > 1:
        new = np.empty(acc.size, dtype=bool)
        new[0] = True
        np.not_equal(acc[1:], acc[:-1], out=new[1:])
        if not new.all():
            acc = acc[new]
    return acc


_CLOCK = re.compile(r"\d\d?(?:时|点|:)\d{1,2}分?")  # \d{1,2}(?:时|点|:)…: \d\d? begins with a class, \d{1,2} does not


def numbers_of(text: str) -> set[str]:
    """The figures in `text`: years, dates and clock times left out, single digits only with 万/亿 or decimals."""
    found: set[str] = set()
    text = _CLOCK.sub(" ", text)
    for match in _NUMBER.finditer(text):
        digits, mult = match.group(1), match.group(2) or ""
        after = text[match.end() : match.end() + 1]
        if not mult and after in ("年", "月", "日", "时", "点", "号") and not (after == "年" and len(digits) < 4):
            continue  # a year, a date or a clock time: dates are compared as dates
        if not mult and after == "年" and len(digits) == 4:
            continue
        if "." not in digits and not mult and len(digits) < 2:
            continue
        if digits.isdigit() and len(digits) == 4 and digits.startswith("20") and after in ("—", "-", "－", "至"):
            continue  # 2025—2027年
        found.add(digits + mult)
    return found


def number_weight(number: str) -> float:
    """How much a shared figure says: 1.0 for three or more significant digits, 0.6 for two, 0.25 for one.

    Round figures (5000元, 30个) recur across unrelated events; 1260万 or 96.5 hardly ever do.
    """
    significant = number.rstrip("万亿").replace(".", "").strip("0")
    if "." in number:
        return 1.0
    return {0: 0.25, 1: 0.25, 2: 0.6}.get(len(significant), 1.0)


def quote_weight(quote: str) -> float:
    """A quoted name (“巾帼劳模工匠助企行”, 《地铁六号线》) weighs like a person; a two- or three-character one half."""
    return 1.0 if len(quote) >= 4 else 0.5


def _ordinal(year: int, month: int, day: int) -> int | None:
    try:
        return date(year, month, day).toordinal()
    except ValueError:
        return None


def _resolve(month: int, day: int, pub: date, year: int | None) -> int | None:
    """Ordinal of month/day: the year given, else the publication's year (a date six months away is next/last year)."""
    if year is None:
        year = pub.year
        guess = _ordinal(year, month, day)
        if guess is not None and guess - pub.toordinal() > 180:
            year -= 1
        elif guess is not None and pub.toordinal() - guess > 180:
            year += 1
    return _ordinal(year, month, day)


def event_day_of(text: str, published: int) -> int | None:
    """The day the event happened: the first date the text gives that is not a deadline or a period's end.

    "6月9日" takes its year from the publication day; "9日" takes the month too (the previous month when that
    would be after the publication); 今天/昨天 count from the publication day.
    """
    return event_of(text, published)[0]


def event_of(text: str, published: int) -> tuple[int | None, bool]:
    """(event_day_of, whether that day came from 今天/昨天 rather than a written date)."""
    if not published:
        return None, False  # without a publication day a date in the text cannot be placed (nor vetoed on)
    pub = date.fromordinal(published)
    found: list[tuple[int, int, bool]] = []  # (position, ordinal, relative) of the first usable date of each form

    def usable(start: int, end: int) -> bool:
        before, after = text[max(0, start - 2) : start], text[end : end + 2]
        return not any(before.endswith(w) for w in _NOT_EVENT_BEFORE) and not any(after.startswith(w) for w in _NOT_EVENT_AFTER)

    # Dates are tried only where their 月 or 日 allows (_FULL_DATE has no class to skip ahead by): "2025年7月16日"
    # has its 月 six or seven characters after its start, "7月16日" one or two; "16日" has its 日 one or two.
    months = (m - k for m in _occurrences(text, ("月",)) for k in (1, 2, 6, 7) if m >= k)
    for match in _matches_at(_FULL_DATE, text, months):
        year = int(match.group(1)) if match.group(1) else None
        value = _resolve(int(match.group(2)), int(match.group(3)), pub, year) if usable(match.start(), match.end()) else None
        if value is not None:
            found.append((match.start(), value, False))
            break
    days = (d - k for d in _occurrences(text, ("日",)) for k in (1, 2) if d >= k)
    for match in _matches_at(_DAY_ONLY, text, days):
        if not usable(match.start(), match.end()):
            continue
        day = int(match.group(1))
        value = _ordinal(pub.year, pub.month, day)
        if value is None or value > published + 1:
            before = pub.replace(day=1) - timedelta(days=1)
            value = _ordinal(before.year, before.month, day)
        if value is not None:
            found.append((match.start(), value, False))
            break
    for match in _RELATIVE.finditer(text):
        found.append((match.start(), published - (1 if match.group(1) in ("昨天", "昨日") else 0), True))
        break
    if not found:
        return None, False
    _pos, value, relative = min(found)
    return value, relative


def persons_of(text: str) -> set[str]:
    """Candidate person names: a surname after a role word (选手孙海涛) or before a speech verb (孙海涛说)."""
    names: set[str] = set()
    for match in _PERSON_AFTER_ROLE.finditer(text):
        names.add(match.group(1))
    # A name before a speech verb begins two to four characters (surname and given name) before the verb.
    verbs = _occurrences(text, _TAILS)
    for match in _matches_at(_PERSON_BEFORE_VERB_INNER, text, (v - k for v in verbs for k in (2, 3, 4) if v >= k)):
        names.add(match.group(1))
    for match in _matches_at(_FAMILIAR, text, _familiar_starts(text)):
        names.add(match.group(1) or match.group(2))
    # A three-character grab can swallow the next character ("汪磊以"); names are compared on their first two
    # characters (three after a compound surname), which also lets "孙海涛说" and "选手孙海涛" meet.
    keys = {n[:3] if n[:2] in _COMPOUND_SURNAMES else n[:2] for n in names}
    return {k for k in keys if k not in _NOT_NAMES and len(k) >= 2}


def _familiar_starts(text: str) -> Iterator[int]:
    """Every position _FAMILIAR can match at: a role before 老/小 and a surname, or a surname before 师傅, 阿姨…"""
    for young in _occurrences(text, ("老", "小")):
        if text[young + 1 : young + 2] in _SURNAME_CHARS:
            for length in _ROLE_LENGTHS:
                if young >= length and text[young - length : young] in _ROLES:
                    yield young - length
    for title in _occurrences(text, _HONORIFIC_WORDS):
        if title and text[title - 1] in _SURNAME_CHARS:
            yield title - 1


def _occurrences(text: str, words: tuple[str, ...]) -> Iterator[int]:
    """Every position where one of `words` begins in `text`, overlapping ones included.

    str.find looks for one character several times faster than for two (a CJK text is not searched bytewise), so
    each distinct first character is looked for, and the words that begin with it are checked where it stands.
    """
    for first, candidates in _by_first_character(words):
        i = text.find(first)
        while i >= 0:
            if text.startswith(candidates, i):  # any of them
                yield i
            i = text.find(first, i + 1)


@lru_cache(maxsize=16)
def _by_first_character(words: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`words` grouped by their first character."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word)
    return tuple((first, tuple(group)) for first, group in by_first.items())


def _matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """What pattern.finditer(text) yields, trying the pattern only at `starts`: every position it can match at.

    finditer tries every position from the end of its last match on, in the regex engine; for a pattern that
    begins with a common character class (a surname) or with nothing it can skip ahead by (an optional group, a
    look-behind) that is most positions of a text, though a match needs a rare word (说, 师傅, 月) nearby. Trying
    the possible positions in order, from the end of the last match on, finds the same matches (none of these
    patterns matches the empty string).
    """
    free = 0
    for start in sorted(set(starts)):
        if start >= free:
            match = pattern.match(text, start)
            if match:
                yield match
                free = match.end()


class PlaceScanner:
    """Finds gazetteer names fast: candidates are looked up by their first two characters, longest first.

    Gazetteer.scan tries every name that starts with the current character; this tries only the positions whose
    two characters begin some name, found for the whole text at once by numpy, which matters when every article
    and every candidate is scanned.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.names = gazetteer.names
        by_prefix: dict[str, list[str]] = {}
        for name in self.names:
            if len(name) >= 2:
                by_prefix.setdefault(name[:2], []).append(name)
        self.by_prefix = {k: sorted(v, key=len, reverse=True) for k, v in by_prefix.items()}
        # The low bits of both characters of every prefix, marked in a table numpy looks all pairs of a text up in;
        # the few pairs that only share those bits with a prefix are dropped by the dict lookup.
        self._pair_table = np.zeros(1 << (2 * _PAIR_BITS), dtype=bool)
        for pair in self.by_prefix:
            self._pair_table[_pair_index(ord(pair[0]), ord(pair[1]))] = True
        # What places_of takes from each name's match, computed once: every province and city it names, and its
        # place when all its places are in one province (None when it is shared by two).
        self.summary: dict[str, tuple[tuple[str, ...], Place | None]] = {}
        for name, found in self.names.items():
            named = tuple(part for place in found for part in (place.province, place.city) if part)
            self.summary[name] = (named, found[0] if len({place.province for place in found}) == 1 else None)

    def scan(self, text: str) -> list[tuple[int, list[Place]]]:
        """(position, places) of every name in `text`, the longest match winning at each position."""
        return [(pos, self.names[name]) for pos, name in self.scan_spans(text, _codes(text), ((0, len(text)),))[0]]

    def scan_spans(self, text: str, codes: np.ndarray,
                   spans: Iterable[tuple[int, int]]) -> list[list[tuple[int, str]]]:
        """(position in the span, name) of the names in each span [start, end) of `text`, each span scanned as if
        it were the whole text (a name across its end is not found); `codes` are the text's code points."""
        maybe: list[int] = []
        if len(codes) > 1:
            maybe = self._pair_table[_pair_index(codes[:-1], codes[1:])].nonzero()[0].tolist()
        by_prefix = self.by_prefix
        result: list[list[tuple[int, str]]] = []
        for start, end in spans:
            found: list[tuple[int, str]] = []
            free = start  # positions before it are inside the last match
            for i in maybe[bisect_left(maybe, start) : bisect_left(maybe, end - 1)]:  # a name needs two characters
                if i < free:
                    continue
                for name in by_prefix.get(text[i : i + 2], ()):
                    if text.startswith(name, i, end):
                        found.append((i - start, name))
                        free = i + len(name)
                        break
            result.append(found)
        return result


_PAIR_BITS = 9  # low bits of each character that index the pair table (2 ** 18 entries, about 1 in 90 marked)
_PAIR_MASK = (1 << _PAIR_BITS) - 1


def _pair_index(first: Any, second: Any) -> Any:
    """The pair table's index of two characters' code points (ints or numpy arrays)."""
    return ((first & _PAIR_MASK) << _PAIR_BITS) | (second & _PAIR_MASK)


def _codes(text: str) -> np.ndarray:
    """The code points of `text`, one per character as str indexing counts them (a lone surrogate included)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


_scanner: PlaceScanner | None = None


def places_of(title: str, body: str) -> tuple[str | None, set[str]]:
    """(the article's main city, or province when no city is named; every city and province it names).

    The main place is scored as aggregator.regions.detect_region does: a name in the headline counts 5, in the
    first 160 characters 2, further on 1; names shared by two provinces count for nothing.
    """
    whole = title + "\n" + body
    return _places(whole, _codes(whole), len(title))


def _places(whole: str, codes: np.ndarray, title_length: int) -> tuple[str | None, set[str]]:
    """places_of(title, body) from title + "\n" + body and its code points: one search for candidate positions.

    The parts are scanned apart (title, body[:160], body[160:2000], body[2000:]), as they always were: a name
    across a boundary counts in neither part.
    """
    global _scanner
    if _scanner is None:
        _scanner = PlaceScanner(default_gazetteer())
    summary = _scanner.summary
    body = title_length + 1
    size = len(whole)
    spans = ((0, title_length), (body, min(body + 160, size)), (min(body + 160, size), min(body + 2000, size)),
             (min(body + 2000, size), size))
    places: set[str] = set()
    provinces: dict[str, float] = {}
    cities: dict[tuple[str, str], float] = {}
    for weight, found in zip((5.0, 2.0, 1.0, 0.0), _scanner.scan_spans(whole, codes, spans), strict=True):
        for pos, name in found:
            named, place = summary[name]
            places.update(named)
            if place is None or not weight:  # shared by two provinces, or past the first 2000 characters
                continue
            w = weight * (1.5 if pos < 30 else 1.0)
            provinces[place.province] = provinces.get(place.province, 0.0) + w
            if place.city:
                cities[(place.province, place.city)] = cities.get((place.province, place.city), 0.0) + w
    if not provinces:
        return None, places
    province = max(provinces, key=lambda p: (provinces[p], -len(p)))
    in_province = {c: w for (p, c), w in cities.items() if p == province}
    return (max(in_province, key=in_province.__getitem__) if in_province else province), places


def shingles_of(title: str, text: str) -> np.ndarray:
    """The shingles the matcher compares: headline and cleaned text (byline and credit lines removed)."""
    return shingle_hashes(unicodedata.normalize("NFKC", title or "").strip() + "\n" + clean_body(text))


def extract(title: str, text: str, published: int = 0) -> Features:
    """The features of one article; `published` is the ordinal of its publication day (0 when unknown)."""
    title = unicodedata.normalize("NFKC", title or "").strip()
    body = clean_body(text)
    whole = title + "\n" + body
    lead = whole[: len(title) + 201]  # title + "\n" + body[:200]
    numbers = numbers_of(whole)
    persons = persons_of(body)
    quotes = {q.strip() for q in _QUOTED.findall(whole)}
    years = {int(y) for y in _YEAR.findall(lead)}
    codes = _codes(whole)  # read by the place scanner and the shingles
    city, places = _places(whole, codes, len(title))
    event, relative = event_of(body, published)
    anchors = {f"n:{n}" for n in numbers if number_weight(n) >= 0.5} | {f"p:{p}" for p in persons} \
        | {f"q:{q}" for q in quotes if quote_weight(q) >= 1.0}
    if event is not None and city:
        anchors.add(f"e:{event}:{city}")
    # One pass over the code points gives both the shingles (what shingles_of(title, text) computes) and the
    # length of the cleaned text: the body's kept characters are those after the title and its "\n".
    kept = _kept(codes)
    return Features(
        shingles=_hash_shingles(codes[kept], SHINGLE),
        numbers=frozenset(numbers), persons=frozenset(persons), quotes=frozenset(quotes), event_day=event,
        event_relative=relative, years=frozenset(years), day=published, city=city, places=frozenset(places),
        title=title, length=int(np.count_nonzero(kept[len(title) + 1 :])), anchors=frozenset(anchors),
    )
