"""Chinese news dates to timezone-aware Asia/Shanghai datetimes, never 8 hours off.

A date without a zone is Beijing time (that is what Chinese pages print); a date with a zone (RFC 3339 `Z` or
`+08:00`, RFC 822 `GMT`/`+0800`, a Unix timestamp) is converted. Year-less (`07-24`, `7月24日`) and relative
(`昨天`, `3小时前`, `刚刚`) dates are resolved against the crawl time, never into the future, and marked imprecise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A publish time: aware in Asia/Shanghai; `precise` when the page gave the year, the date and the time of day."""

    value: datetime
    precise: bool


def now_shanghai() -> datetime:
    """The current time in Asia/Shanghai."""
    return datetime.now(SHANGHAI)


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇零○Ｏ一二两三四五六七八九十"


def _cn_number(text: str) -> int | None:
    """二十四 -> 24, 十二 -> 12, 七 -> 7, 二〇二五 -> 2025; digit strings pass through."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if all(ch in _CN_DIGITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    return None


_FULLWIDTH = str.maketrans("０１２３４５６７８９：－／．　", "0123456789:-/. ")
_AMPM = r"(?P<ampm>上午|下午|晚上|晚间|凌晨|早上|中午|AM|PM|am|pm)?"
# The time of day after a date: " 09:05", "T09:05:01.123", "日09:05", " 9时5分", " 下午3:05".
_TIME = (r"(?:\s*|\s*T\s*)" + _AMPM + r"\s*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?"
         r"(?:\s*秒|\s*分(?!钟))?(?:[.,]\d+)?")
_TZ = r"(?:\s*(?:(?P<tz>Z|[+-]\d{2}:?\d{2})|(?:UTC|GMT)(?P<tzh>[+-]\d{1,2})?))?"

# 2025-07-24 09:05:01, 2025/7/24 9:05, 2025.07.24, 2025-07-24T09:05:01+08:00, 2025年7月24日 09:05
_YMD = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<sep>[-/.年])\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
    r"(?:" + _TIME + _TZ + r"|-(?P<H2>\d{2}):(?P<M2>\d{2})(?::(?P<S2>\d{2}))?)?"
)
# 18-03-08 23:16 (a two-digit year, only with a time: 07-24-… alone is too ambiguous)
_YY = re.compile(r"(?<![\d:])(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)" + _TIME)
# 07-24 09:05, 7月24日 09:05, 7月24日, 07/24 (year missing)
_MD = re.compile(r"(?<![\d年/.\-])(?P<m>\d{1,2})\s*(?P<sep>[-/月])\s*(?P<d>\d{1,2})(?![\d.]|\s*月)\s*日?(?:" + _TIME + ")?")
_CN_FULL = re.compile(
    r"(?P<y>[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*(?P<m>[一二三四五六七八九十]{1,3})\s*月\s*(?P<d>[一二三四五六七八九十]{1,3})\s*日"
)
_CN_MD = re.compile(r"(?<![年〇零○一二三四五六七八九十])(?P<m>[一二三四五六七八九十]{1,2})月(?P<d>[一二三四五六七八九十]{1,3})日")
_RELATIVE = re.compile(r"(?P<n>\d{1,6}|[一二两三四五六七八九十半]{1,3})\s*(?P<unit>秒|分钟|分|小时|个小时|钟头|天|日|周|星期|个月|月|年)\s*(?:以)?前")
_UNIX = re.compile(r"^\s*(?P<ts>1\d{9}(?:\d{3})?)(?:\.\d+)?\s*$")
_RFC822 = re.compile(r"^\s*(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")


def _aware(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
           tz: timezone | None = None) -> datetime | None:
    try:
        if tz is not None:
            return datetime(year, month, day, hour, minute, second, tzinfo=tz).astimezone(SHANGHAI)
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except (ValueError, OverflowError):
        return None


def _offset(match: re.Match[str]) -> timezone | None:
    """The zone a date states: Z, +08:00, +0800, UTC+8 (None when it states none: then it is Beijing time)."""
    groups = match.groupdict()
    tz, tzh = groups.get("tz"), groups.get("tzh")
    try:
        if tz == "Z":
            return UTC
        if tz:
            sign = -1 if tz[0] == "-" else 1
            digits = tz[1:].replace(":", "")
            return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
        if tzh:
            return timezone(timedelta(hours=int(tzh)))
        if match.group(0).rstrip().endswith(("UTC", "GMT")):
            return UTC
    except ValueError:
        return None
    return None


def _clock(match: re.Match[str]) -> tuple[int, int, int] | None:
    """(hour, minute, second) of a match's time part, None when it has none or an impossible one."""
    groups = match.groupdict()
    hour, minute = groups.get("H") or groups.get("H2"), groups.get("M") or groups.get("M2")
    if hour is None or minute is None:
        return None
    h, m = int(hour), int(minute)
    s = int(groups.get("S") or groups.get("S2") or 0)
    ampm = groups.get("ampm")
    if ampm in ("下午", "晚上", "晚间", "PM", "pm") and h < 12 or ampm in ("中午",) and h < 11:
        h += 12
    elif ampm in ("凌晨", "上午", "早上", "AM", "am") and h == 12:
        h = 0
    if h > 23 or m > 59:
        return None
    return h, m, s if s < 60 else 0


def _year_for(month: int, day: int, now: datetime, default_year: int | None) -> int:
    """The year of a year-less date: the page's year, else the latest one that does not put it in the future."""
    if default_year:
        return default_year
    year = now.year
    candidate = _aware(year, month, day)
    if candidate is None or candidate.date() > now.date():
        year -= 1
    return year


# The earliest year parse_date accepts (why: see there).
MIN_YEAR = 1992


def parse_date(text: str | None, *, now: datetime | None = None, default_year: int | None = None) -> ParsedDate | None:
    """Find the first publish date in `text` (a date field or a line such as "发布时间：…") and parse it.

    `now` (the crawl time) resolves relative and year-less dates; `default_year` (the page's year) wins over it for
    year-less ones. Returns None when the text holds no date.
    """
    parsed = _parse_date(text, now=now, default_year=default_year)
    # No web page is older than the Chinese web: an earlier date is a misreading ("八四年前", a founding year).
    # The floor also keeps Beijing time at UTC+8: Asia/Shanghai had summer time until 1991.
    return parsed if parsed is None or parsed.value.year >= MIN_YEAR else None



def _parse_date(text: str | None, *, now: datetime | None, default_year: int | None) -> ParsedDate | None:
    if not text:
        return None
    now = (now or now_shanghai()).astimezone(SHANGHAI)
    raw = re.sub(r"\s+", " ", text[:500].translate(_FULLWIDTH)).strip()
    if not raw:
        return None

    unix = _UNIX.match(raw)
    if unix:
        ts = int(unix.group("ts"))
        if ts > 10**11:  # milliseconds
            ts //= 1000
        try:
            return ParsedDate(datetime.fromtimestamp(ts, SHANGHAI), True)
        except (OverflowError, OSError, ValueError):
            return None

    if _RFC822.match(raw):
        parsed = _rfc822(raw)
        if parsed is not None:
            return parsed

    for match in _YMD.finditer(raw):
        clock = _clock(match)
        value = _aware(int(match.group("y")), int(match.group("m")), int(match.group("d")),
                       *(clock or (0, 0, 0)), tz=_offset(match) if clock else None)
        if value is not None:
            return ParsedDate(value, clock is not None)

    cn = _CN_FULL.search(raw)
    if cn:
        year, month, day = _cn_number(cn.group("y")), _cn_number(cn.group("m")), _cn_number(cn.group("d"))
        if year and month and day:
            tail = _TIME_ONLY.match(raw, cn.end())
            clock = _clock(tail) if tail else None
            value = _aware(year, month, day, *(clock or (0, 0, 0)))
            if value is not None:
                return ParsedDate(value, clock is not None)

    for match in _YY.finditer(raw):
        clock = _clock(match)
        value = _aware(2000 + int(match.group("y")), int(match.group("m")), int(match.group("d")), *(clock or (0, 0, 0)))
        if value is not None and value <= now + timedelta(days=1):
            return ParsedDate(value, clock is not None)

    relative = _parse_relative(raw, now)
    if relative is not None:
        return relative

    for match in _MD.finditer(raw):
        month, day = int(match.group("m")), int(match.group("d"))
        clock = _clock(match)
        if match.group("sep") in "-/" and clock is None and not _BARE_MD.fullmatch(_DATE_LABELS.sub("", raw)):
            continue  # "3-5" inside a sentence is a range, a score or a fraction, not a date
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        value = _aware(_year_for(month, day, now, default_year), month, day, *(clock or (0, 0, 0)))
        if value is not None:
            return ParsedDate(value, False)

    cn_md = _CN_MD.search(raw)
    if cn_md:
        month, day = _cn_number(cn_md.group("m")), _cn_number(cn_md.group("d"))
        if month and day and 1 <= month <= 12:
            value = _aware(_year_for(month, day, now, default_year), month, day)
            if value is not None:
                return ParsedDate(value, False)
    return None


_TIME_ONLY = re.compile(_TIME)
_DATE_LABELS = re.compile(r"(?:发布|更新|发表|发稿)?(?:时间|日期)\s*[:：]?|发布于|发表于|[\s【】\[\]()（）|]")
_BARE_MD = re.compile(r"\d{1,2}[-/]\d{1,2}")


_RFC822_ZONE = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*(?:[+-]\d{4}|UT|UTC|GMT|Z|[ECMP][SD]T|[A-IK-Z])\s*$")


def _rfc822(raw: str) -> ParsedDate | None:
    """RFC 822/2822 dates of feeds: 'Thu, 24 Jul 2025 09:05:01 +0800' (no zone: Beijing time)."""
    try:
        parts = parsedate_tz(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    offset = parts[9]
    if year < 100:
        year += 2000 if year < 70 else 1900
    zone: timezone | None = None
    # parsedate_tz reports a missing zone as UTC; a feed without one means Beijing time.
    if _RFC822_ZONE.search(raw):
        try:
            zone = timezone(timedelta(seconds=offset or 0))
        except ValueError:
            return None
    value = _aware(year, month, day, hour, minute, second, tz=zone)
    return ParsedDate(value, True) if value is not None else None


def _relative_count(text: str) -> float | None:
    if text.isdigit():
        return float(text)
    if text == "半":
        return 0.5
    value = _cn_number(text)
    return float(value) if value is not None else None


def _parse_relative(raw: str, now: datetime) -> ParsedDate | None:
    """今天 / 昨天 09:05 / 前天 / 刚刚 / 3小时前 / 半小时前 / 2天前, counted back from `now`."""
    if "刚刚" in raw or raw.strip() in ("刚才", "just now"):
        return ParsedDate(now.replace(second=0, microsecond=0), False)
    for word, days in (("大前天", 3), ("前天", 2), ("昨天", 1), ("昨日", 1), ("今天", 0), ("今日", 0)):
        if word in raw:
            base = now - timedelta(days=days)
            after = raw[raw.index(word) + len(word):]
            time_match = re.match(r"\s*" + _AMPM + r"\s*(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})", after)
            clock = _clock(time_match) if time_match else None
            hour, minute = clock[:2] if clock else (0, 0)
            value = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if value > now:  # "今天 23:00" read at 09:00 is a typo or a schedule, not news from the future
                value = value - timedelta(days=1) if days == 0 else value
            return ParsedDate(value, False)
    rel = _RELATIVE.search(raw)
    if rel:
        count = _relative_count(rel.group("n"))
        if count is None:
            return None
        unit = rel.group("unit")
        seconds = {"秒": 1, "分钟": 60, "分": 60, "小时": 3600, "个小时": 3600, "钟头": 3600, "天": 86400, "日": 86400,
                   "周": 7 * 86400, "星期": 7 * 86400, "个月": 30 * 86400, "月": 30 * 86400, "年": 365 * 86400}[unit]
        try:
            value = now - timedelta(seconds=count * seconds)
        except OverflowError:
            return None
        return ParsedDate(value.replace(second=0, microsecond=0), False)
    return None


_URL_DATE_PATTERNS = [
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{2})/(?P<d>\d{2})/"),  # /2025-07/24/ (Founder e-papers)
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})/"),  # /c/2025-07-24/ (workercn)
    re.compile(r"[/_]t(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})_"),  # TRS t20250724_
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),  # Hanweb /art/2025/7/24/, grrb /2025/07/24/
    re.compile(r"/n1/(?P<y>20\d{2})/(?P<m>\d{2})(?P<d>\d{2})/"),  # people.cn /n1/2025/0724/
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),  # /202507/24/
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})/"),  # /20250724/
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})[/_.]"),  # sina /2025-07-24/doc-…
]


def date_from_url(url: str) -> ParsedDate | None:
    """A date found only in the URL path (/2025-07/24/, t20250724_, /n1/2025/0724/): a fallback, never precise."""
    for pattern in _URL_DATE_PATTERNS:
        match = pattern.search(url)
        if match:
            value = _aware(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            if value is not None:
                return ParsedDate(value, False)
    return None


def iso_week_bounds(week: str) -> tuple[datetime, datetime]:
    """'2025-W30' -> [Monday 00:00, next Monday 00:00) in Asia/Shanghai."""
    match = re.fullmatch(r"(\d{4})-?W(\d{1,2})", week.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"not an ISO week: {week!r} (expected e.g. 2025-W30)")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = datetime.fromisocalendar(year, number, 1)
    except ValueError as exc:
        raise ValueError(f"not an ISO week: {week!r} ({exc})") from None
    start = monday.replace(tzinfo=SHANGHAI)
    return start, start + timedelta(days=7)


def iso_week_of(value: datetime) -> str:
    """The ISO week ('2025-W30') of a datetime, taken in Asia/Shanghai."""
    year, week, _ = value.astimezone(SHANGHAI).isocalendar()
    return f"{year}-W{week:02d}"
