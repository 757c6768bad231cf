"""Text cleanup for Chinese news: spaces, invisible characters, XML-invalid characters, bylines."""

from __future__ import annotations

import re

# Characters that XML 1.0 forbids: C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Zero-width and direction marks that pages use as tracking or layout glue; invisible but break matching.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\u00ad\x7f-\x9f]")
# Every kind of horizontal space, full-width (\u3000) and no-break spaces included.
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def strip_xml_invalid(text: str) -> str:
    """Remove characters that are not allowed in XML 1.0."""
    return _XML_INVALID.sub("", text)


def clean_line(text: str) -> str:
    """Clean one line: invisible characters out, every kind of space folded to one ASCII space, ends trimmed."""
    text = strip_xml_invalid(_INVISIBLE.sub("", text.replace("\r", "")))
    return _SPACES.sub(" ", text).strip()


def clean_text(text: str) -> str:
    """Clean a block of text: each line cleaned, empty lines dropped, paragraphs joined by one newline.

    Idempotent: clean_text(clean_text(x)) == clean_text(x).
    """
    lines = (clean_line(line) for line in strip_xml_invalid(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def clean_title(text: str) -> str:
    """Clean a headline: one line, no trailing site name separators left dangling."""
    return clean_line(text.replace("\n", " "))


# 本报X月X日电（…）, 本报讯（记者 王某 通讯员 李某）, 南方工报讯（记者…）, 中工网讯, 本报记者 王某 报道, （记者 王某）, 记者 王某 通讯员 李某 报道
_BYLINE_PATTERNS = [
    # 本报石家庄7月24日电（记者 周晓川）, 新华社北京7月24日电（记者…）
    re.compile(r"^(?P<b>[\u4e00-\u9fff]{0,12}\d{1,2}月\d{1,2}日(?:电|讯)\s*(?:[（(][^）)]{0,60}[）)])?)\s*"),
    re.compile(r"^(?P<b>[\u4e00-\u9fff]{0,12}讯\s*[（(][^）)]{0,60}[）)])\s*"),
    re.compile(r"^(?P<b>[\u4e00-\u9fff]{1,12}讯)\s*(?=[^\s）)])"),
    re.compile(r"^(?P<b>[（(](?:本报)?(?:记者|通讯员)[^）)]{1,60}[）)])\s*"),
    re.compile(r"^(?P<b>(?:本报|本网)?记者[\u4e00-\u9fff、·\s]{2,40}?(?:通讯员[\u4e00-\u9fff、·\s]{2,30}?)?报道)[：:，,\s]*"),
]


def split_byline(text: str) -> tuple[str | None, str]:
    """Split a leading byline (本报讯（记者…）, 记者…报道) from the text it leads; return (byline, rest)."""
    stripped = text.lstrip()
    for pattern in _BYLINE_PATTERNS:
        match = pattern.match(stripped)
        if match:
            rest = stripped[match.end() :].lstrip(" 　：:，,")
            if rest:
                return clean_line(match.group("b")), rest
    return None, text
