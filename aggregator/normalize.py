"""Normalization: clean text, dates to Asia/Shanghai, bylines apart, region, summary, content hash."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import numpy as np

from aggregator.dates import ParsedDate, date_from_url, parse_date
from aggregator.records import ArticleRecord, ListEntry
from aggregator.regions import default_gazetteer, detect_region
from aggregator.sources import Source
from aggregator.summary import make_summary
from aggregator.text import byline_names, clean_line, clean_text, clean_title, split_byline

# The characters a content hash keeps: letters and digits of any script (what [\s\W_] removes; every \s is \W).
# Collecting them is twice as fast as deleting the rest, which on Chinese text means a match per punctuation mark.
_HASH_KEEP = re.compile(r"[^\W_]+")
# The same characters below U+10000 as a table (what [^\W_] matches is what str.isalnum() is true for): numpy looks
# every character of a body up at once, where the regex tests each one's Unicode category in turn (~30 ns each).
_HASH_KEEP_BMP = np.array([char.isalnum() for char in map(chr, range(0x10000))], dtype=bool)
# A page clock a few minutes ahead of ours is not a date in the future.
_CLOCK_SKEW = timedelta(minutes=10)

# Read the gazetteer when normalization is imported, not while the first article waits. A missing or broken file
# is not an import error: detect_region reports it when an article needs it.
try:
    default_gazetteer()
except (OSError, ValueError):
    pass


def content_hash(body_text: str) -> str:
    """A hash of the body's characters only (no spaces or punctuation), equal for byte-different copies."""
    codes = np.frombuffer(body_text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size and codes.max() > 0xFFFF:  # beyond the table (emoji, rare CJK): the regex decides
        return hashlib.sha1("".join(_HASH_KEEP.findall(body_text)).encode("utf-8")).hexdigest()
    kept = codes[_HASH_KEEP_BMP[codes]].tobytes().decode("utf-32-le")
    return hashlib.sha1(kept.encode("utf-8")).hexdigest()


def normalize_published(record: ArticleRecord, now: datetime, entry: ListEntry | None = None) -> ParsedDate | None:
    """The publish time: the page's, else the list's, else the URL's; never one in the future."""
    candidates = [
        lambda: parse_date(record.published_raw, now=now) if record.published_raw else None,
        lambda: parse_date(entry.date_raw, now=now) if entry is not None and entry.date_raw else None,
        lambda: date_from_url(record.url),
    ]
    for candidate in candidates:
        parsed = candidate()
        # A date in the future is a parsing accident or a typo, not news from tomorrow: try the next source.
        if parsed is not None and parsed.value <= now + _CLOCK_SKEW:
            return parsed
    return None


def normalize_record(record: ArticleRecord, source: Source | None, now: datetime,
                     entry: ListEntry | None = None) -> ArticleRecord:
    """Return the record with every field in its normal form (the record is changed in place too)."""
    record.title = clean_title(record.title) or (clean_title(entry.title) if entry and entry.title else "")
    body = clean_text(record.body_text)
    lines = body.split("\n") if body else []
    if lines:
        byline, rest = split_byline(lines[0])
        if byline:
            record.byline = record.byline or byline
            lines[0] = rest
    record.body_text = "\n".join(line for line in lines if line)
    record.author = (clean_line(record.author) or None) if record.author else None
    if record.author is None and record.byline:
        record.author = byline_names(record.byline)
    record.origin = (clean_line(record.origin) or None) if record.origin else None

    published = normalize_published(record, now, entry)
    record.published_at = published.value if published else None
    record.published_precise = bool(published and published.precise)

    region = detect_region(record.title, record.body_text, fallback=source.region if source else None)
    record.region, record.city = region.province, region.city
    record.summary = make_summary(record.body_text)
    record.content_hash = content_hash(record.body_text) if record.body_text else None
    return record
