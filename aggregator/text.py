"""Text cleanup for Chinese news: spaces, invisible characters, XML-invalid characters, bylines."""

from __future__ import annotations

import re

# Characters that XML 1.0 forbids: C0 controls except tab/newline/CR, surrogates, U+FFFE/U+FFFF.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Zero-width and direction marks that pages use as tracking or layout glue, soft hyphens, C1 controls:
# invisible, but they break matching, hashing and deduplication.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad\u180e\u061c\x7f-\x9f]")
# Every kind of horizontal space, full-width (\u3000) and no-break spaces included.
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Line and paragraph separators that are not "\n": split lines in text, spaces in a single line.
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c\x1c-\x1e]")


def strip_xml_invalid(text: str) -> str:
    """Remove characters that are not allowed in XML 1.0."""
    return _XML_INVALID.sub("", text)


# One pass in C: invisible and XML-invalid characters out, every space and line break to " ".
_LINE_TABLE: dict[int, str | None] = {}
for _start, _end in ((0x00, 0x08), (0x0E, 0x1B), (0x1F, 0x1F), (0x7F, 0x84), (0x86, 0x9F), (0xD800, 0xDFFF),
                     (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069)):
    _LINE_TABLE.update(dict.fromkeys(range(_start, _end + 1)))
_LINE_TABLE.update(dict.fromkeys(map(ord, "\ufeff\u00ad\u180e\u061c\ufffe\uffff")))
_LINE_TABLE.update(dict.fromkeys(map(ord, "\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u00a0\u1680\u2028\u2029\u202f\u205f\u3000"), " "))
_LINE_TABLE.update(dict.fromkeys(range(0x2000, 0x200B), " "))
_MULTI_SPACE = re.compile(" {2,}")


def _char_class(codes: list[int]) -> str:
    """A regex character class of `codes` (sorted), contiguous runs written as ranges."""
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in runs) + "]"


# The same characters as a regex class. translate() looks every character of a non-ASCII string up in the table
# (slow on Chinese text); a search in C finds the few there are, or that there are none (most lines).
_LINE_CHARS = re.compile(_char_class(sorted(_LINE_TABLE)))
_LINE_REPLACEMENT = {chr(code): value or "" for code, value in _LINE_TABLE.items()}


# Characters clean_text changes inside a text: those of the table except the newline, which separates its lines.
_CHANGED_CHARS = re.compile(_char_class(sorted(code for code in _LINE_TABLE if code != ord("\n"))))


def is_clean(text: str) -> bool:
    """True when clean_text(text) == text: one regex search in C instead of a translate per line."""
    # Besides those characters, clean_text changes two spaces, a line's leading or trailing space, a blank line.
    return (_CHANGED_CHARS.search(text) is None and "  " not in text and " \n" not in text and "\n " not in text
            and "\n\n" not in text and not text.startswith((" ", "\n")) and not text.endswith((" ", "\n")))


def _replace_line_char(match: re.Match[str]) -> str:
    return _LINE_REPLACEMENT[match.group()]


def clean_line(text: str) -> str:
    """Clean one line: invisible characters out, every kind of space folded to one ASCII space, ends trimmed."""
    if _LINE_CHARS.search(text) is not None:
        text = text.translate(_LINE_TABLE) if text.isascii() else _LINE_CHARS.sub(_replace_line_char, text)
    if "  " in text:
        text = _MULTI_SPACE.sub(" ", text)
    return text.strip(" ")


def clean_text(text: str) -> str:
    """Clean a block of text: each line cleaned, blank lines dropped, paragraphs joined by one newline.

    Idempotent: clean_text(clean_text(x)) == clean_text(x).
    """
    if is_clean(text):  # extracted bodies usually are: normalization cleans them again
        return text
    lines = (clean_line(line) for line in _LINE_BREAKS.sub("\n", text).split("\n"))
    return "\n".join(line for line in lines if line)


def clean_title(text: str) -> str:
    """Clean a headline: one line, every space folded."""
    return clean_line(text)


# Names in bylines: two to four Han characters (a middle dot for minority and foreign names), or Latin words.
_NAME = r"[\u4e00-\u9fff·]{2,6}"
_NAMES = rf"{_NAME}(?:\s*[、，,\s]\s*{_NAME}){{0,4}}"
_ROLE = r"(?:本报|本网|本台|本刊)?(?:首席|特约|见习|实习)?(?:记者|通讯员|摄影记者|特约撰稿|撰稿|编辑)"
_BYLINE_PATTERNS = [
    # 本报石家庄7月24日电（记者 周晓川）, 新华社北京7月24日电（记者…）, 长江网10月4日讯（记者陈智 整合）
    re.compile(r"^[【\[]?(?P<b>[\u4e00-\u9fffA-Za-z]{0,16}?\d{1,2}月\d{1,2}日(?:电|讯)\s*(?:[（(][^）)]{0,60}[）)])?)[】\]]?"
               r"[\s：:，,]*"),
    # 本报讯（记者 任嘉）, 新京报快讯（记者 裴剑飞）, 中工网讯（记者 邢博）
    re.compile(r"^[【\[]?(?P<b>[\u4e00-\u9fffA-Za-z]{2,16}?(?:快讯|讯)\s*[（(][^）)]{0,60}[）)])[】\]]?[\s：:，,]*"),
    # 【本报讯】, 本报讯 记者… (the outlet's name then 讯, then a space, a colon, a bracket or the reporters)
    re.compile(r"^(?:[【\[](?P<bb>[\u4e00-\u9fffA-Za-z]{2,16}?讯)[】\]][\s：:，,]*"
               r"|(?P<b>[\u4e00-\u9fffA-Za-z]{2,16}?讯)(?:[\s：:，,]+|(?=记者|通讯员)))"),
    # （记者 王某 通讯员 李某）
    re.compile(r"^(?P<b>[（(【\[]\s*" + _ROLE + r"[^）)】\]]{1,60}[）)】\]])[\s：:，,]*"),
    # 记者 王某 通讯员 李某 报道：
    re.compile(r"^(?P<b>" + _ROLE + r"[\u4e00-\u9fff、·\s]{2,40}?(?:通讯员[\u4e00-\u9fff、·\s]{2,30}?)?报道)[：:，,\s]*"),
    # 文/王某 图/李某, 文图/王某 (on its own line)
    re.compile(r"^(?P<b>(?:文|图|文图|图文|文·图|文/图|摄影|摄)\s*[/／|｜:：]\s*" + _NAMES
               + r"(?:\s+(?:图|摄影|摄)\s*[/／|｜:：]\s*" + _NAMES + r")?)\s*$"),
    # 本报记者 王某 通讯员 李某 (on its own line), ■本报记者 王某
    re.compile(r"^[■●▲◆]?\s*(?P<b>(?:[\u4e00-\u9fff]{2,12}[－—-])?[\u4e00-\u9fff]{0,6}?" + _ROLE + r"\s*" + _NAMES
               + r"(?:\s*" + _ROLE + r"\s*" + _NAMES + r")*)\s*$"),
]


def split_byline(text: str) -> tuple[str | None, str]:
    """Split a leading byline (本报讯（记者…）, 记者…报道, 本报记者 王某) from the text it leads.

    Returns (byline, rest); rest is "" when the whole line is the byline, and (None, text) without a byline.
    """
    stripped = text.lstrip(" \u3000■●")
    for pattern in _BYLINE_PATTERNS:
        match = pattern.match(stripped)
        if match:
            byline = clean_line(match.group("b") or match.groupdict().get("bb") or "")
            rest = stripped[match.end() :].lstrip(" \u3000：:，,")
            if byline:
                return byline, rest
    return None, text


_REPORTER = re.compile(r"(?:记者|通讯员)\s*[:：]?\s*(" + _NAMES + ")")


def byline_names(byline: str) -> str | None:
    """The reporters a byline names ("本报讯（记者 王某 通讯员 李某）" -> "王某 李某"), None when it names none."""
    names: list[str] = []
    for match in _REPORTER.finditer(byline):
        for name in re.split(r"[\s、，,]+", match.group(1)):
            if name and name not in ("通讯员", "记者", "报道", "整合", "综合", "摄影") and name not in names:
                names.append(re.sub(r"(?:报道|整合|综合|摄)$", "", name))
    names = [n for n in names if len(n) >= 2]
    return " ".join(names) or None
