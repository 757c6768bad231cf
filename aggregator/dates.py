"""Chinese news dates to timezone-aware Asia/Shanghai datetimes, never 8 hours off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """A publish time: aware in Asia/Shanghai; `precise` when the page gave the date and the time of day."""

    value: datetime
    precise: bool


def now_shanghai() -> datetime:
    """The current time in Asia/Shanghai."""
    return datetime.now(SHANGHAI)


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_number(text: str) -> int | None:
    """二十四 -> 24, 十二 -> 12, 七 -> 7; digit strings pass through."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10
        return value + (_CN_DIGITS.get(ones, 0) if ones else 0)
    if all(ch in _CN_DIGITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    return None


_D = r"[0-9０-９]"
_FULLWIDTH = str.maketrans("０１２３４５６７８９：－／．", "0123456789:-/.")
_TIME = r"(?:\s*|T|日\s*)(?P<H>\d{1,2})(?:[:：时点](?P<M>\d{1,2}))(?:[:：分](?P<S>\d{1,2}))?(?:秒)?"
_TZ = r"(?P<tz>Z|[+-]\d{2}:?\d{2})?"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # 2025-07-24 09:05:01, 2025/7/24 9:05, 2025.07.24, 2025-07-24T09:05:01+08:00, 2025年7月24日 09:05
    (re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
                rf"(?:{_TIME}(?:\.\d+)?{_TZ})?"), "ymd"),
    # 20250724 (compact, only with explicit context like t20250724_ handled in URLs)
    # 07-24 09:05, 7月24日 09:05, 7月24日 (year missing)
    (re.compile(r"(?<![\d年/.-])(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})(?!\d)\s*日?" rf"(?:{_TIME})?"), "md"),
]

_CN_FULL = re.compile(
    r"(?P<y>[〇零○一二三四五六七八九Ｏ]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日"
)
_RELATIVE = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|小时|天|周|个月)前")
_UNIX = re.compile(r"^\s*(?P<ts>1\d{9}|1\d{12})\s*$")


def _aware(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
           tz: str | None = None) -> datetime | None:
    try:
        if tz:
            offset = timezone.utc if tz == "Z" else _offset(tz)
            return datetime(year, month, day, hour, minute, second, tzinfo=offset).astimezone(SHANGHAI)
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        return None


def _offset(tz: str) -> timezone:
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _year_for(month: int, day: int, now: datetime, default_year: int | None) -> int:
    """The year of a year-less date: the page's year, else the latest one that is not in the future."""
    if default_year:
        return default_year
    year = now.year
    candidate = _aware(year, month, day)
    if candidate is not None and candidate.date() > now.date():
        year -= 1
    return year


def parse_date(text: str | None, *, now: datetime | None = None, default_year: int | None = None) -> ParsedDate | None:
    """Find the first publish date in `text` (a date field or a line such as "发布时间：…") and parse it."""
    if not text:
        return None
    now = (now or now_shanghai()).astimezone(SHANGHAI)
    raw = text.translate(_FULLWIDTH)
    raw = re.sub(r"\s+", " ", raw).strip()

    unix = _UNIX.match(raw)
    if unix:
        ts = int(unix.group("ts"))
        if ts > 10**11:  # milliseconds
            ts //= 1000
        return ParsedDate(datetime.fromtimestamp(ts, SHANGHAI), True)

    if re.match(r"^[A-Za-z]{3},? ", raw) or re.search(r"\d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}", raw):
        try:
            value = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            value = None
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=SHANGHAI)
            return ParsedDate(value.astimezone(SHANGHAI), True)

    for pattern, kind in _PATTERNS:
        for match in pattern.finditer(raw):
            month, day = int(match.group("m")), int(match.group("d"))
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            hour = match.group("H")
            minute = match.group("M")
            second = match.group("S")
            if kind == "ymd":
                year = int(match.group("y"))
                tz = match.groupdict().get("tz")
            else:
                year = _year_for(month, day, now, default_year)
                tz = None
            has_time = hour is not None and minute is not None and int(hour) < 24 and int(minute) < 60
            value = _aware(year, month, day, int(hour) if has_time else 0, int(minute) if has_time else 0,
                           int(second) if has_time and second and int(second) < 60 else 0, tz)
            if value is None:
                continue
            return ParsedDate(value, precise=has_time and kind == "ymd")

    cn = _CN_FULL.search(raw)
    if cn:
        year, month, day = _cn_number(cn.group("y")), _cn_number(cn.group("m")), _cn_number(cn.group("d"))
        if year and month and day:
            value = _aware(year, month, day)
            if value is not None:
                return ParsedDate(value, False)

    return _parse_relative(raw, now)


def _parse_relative(raw: str, now: datetime) -> ParsedDate | None:
    time_match = re.search(r"(?P<H>\d{1,2})[:：](?P<M>\d{2})", raw)
    hour, minute = (int(time_match.group("H")), int(time_match.group("M"))) if time_match else (now.hour, now.minute)
    for word, days in (("刚刚", 0), ("今天", 0), ("昨天", 1), ("前天", 2)):
        if word in raw:
            base = now - timedelta(days=days)
            if word == "刚刚":
                return ParsedDate(now.replace(second=0, microsecond=0), False)
            if not time_match:
                hour, minute = 0, 0
            try:
                return ParsedDate(base.replace(hour=hour, minute=minute, second=0, microsecond=0), False)
            except ValueError:
                return ParsedDate(base.replace(hour=0, minute=0, second=0, microsecond=0), False)
    rel = _RELATIVE.search(raw)
    if rel:
        n = int(rel.group("n"))
        unit = rel.group("unit")
        delta = {"秒": timedelta(seconds=n), "分钟": timedelta(minutes=n), "小时": timedelta(hours=n),
                 "天": timedelta(days=n), "周": timedelta(weeks=n), "个月": timedelta(days=30 * n)}[unit]
        return ParsedDate((now - delta).replace(second=0, microsecond=0), False)
    return None


_URL_DATE_PATTERNS = [
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{2})/(?P<d>\d{2})/"),  # /2025-07/24/ (Founder e-papers)
    re.compile(r"/(?P<y>20\d{2})-(?P<m>\d{2})-(?P<d>\d{2})/"),  # /c/2025-07-24/ (workercn)
    re.compile(r"[/_]t(?P<y>20\d{2})(?P<m>\d{2})(?P<d>\d{2})_"),  # TRS t20250724_
    re.compile(r"/(?P<y>20\d{2})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),  # Hanweb /art/2025/7/24/, grrb /2025/07/24/
    re.compile(r"/n1/(?P<y>20\d{2})/(?P<m>\d{2})(?P<d>\d{2})/"),  # people.cn /n1/2025/0724/
    re.compile(r"/(?P<y>20\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),  # /202507/24/
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
