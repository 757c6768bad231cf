"""Decode HTML bytes right, even when the HTTP header or the meta tag is wrong (GBK/GB2312/GB18030 pages).

Parsers always decode from the raw bytes through here (aggregator.extract.html.decode_page), never through
Scrapy's response.text, whose header-first rule turns a GBK page served as "charset=utf-8" into mojibake.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.IGNORECASE)
# GB2312 and GBK pages routinely contain characters only GB18030 has; decode with the superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
# Single-byte western encodings decode any bytes at all, so a server default of ISO-8859-1 on a Chinese
# page "succeeds" into mojibake: these declarations are only believed after GB18030 failed.
_WESTERN = {"cp1252", "iso8859-1", "latin-1", "iso8859-15", "cp1251"}
_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]


def normalize_encoding(name: str | None) -> str | None:
    """A codec name as Python knows it, GB2312/GBK widened to GB18030; None when unknown."""
    if not name:
        return None
    name = name.strip().lower()
    try:
        codec = codecs.lookup(_SUPERSETS.get(name, name)).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def declared_encodings(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """The encodings the HTTP header and the meta tag (or XML declaration) declare, normalized; either may be None."""
    header = None
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        header = normalize_encoding(match.group(1)) if match else None
    head = body[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    meta = normalize_encoding(match.group(1).decode("ascii", "ignore")) if match else None
    return header, meta


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _mostly_utf8(body: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a page cut off mid-character, one bad byte in a footer), else None.

    GBK text decoded as UTF-8 breaks on nearly every Chinese character, so a handful of errors in a page
    that otherwise holds valid multi-byte sequences means UTF-8.
    """
    text = body.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if multibyte >= 4 and bad <= max(2, multibyte // 200):
        return text
    return None


def decode_html(body: bytes, content_type: str | None = None, forced: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Order: BOM, forced, UTF-8, declared (header, meta), GB18030, western, detection.

    Valid UTF-8 goes before declarations because pages that declare GB2312 but are UTF-8 are common, and
    real GBK text is almost never valid UTF-8; the reverse check is useless (GB18030 accepts most UTF-8 bytes).
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    if forced:
        name = normalize_encoding(forced) or forced
        return body.decode(name, "replace"), name
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    header, meta = declared_encodings(body, content_type)
    if "utf-8" in (header, meta) and (text := _mostly_utf8(body)) is not None:
        return text, "utf-8"
    candidates = [n for n in (header, meta) if n and n != "utf-8" and n not in _WESTERN]
    candidates += ["gb18030"] + [n for n in (header, meta) if n in _WESTERN]
    for name in dict.fromkeys(candidates):
        text = _strict(body, name)
        if text is not None:
            return text, name
    if (text := _mostly_utf8(body)) is not None:
        return text, "utf-8"
    best = from_bytes(body).best()
    if best is not None and best.encoding:
        return str(best), normalize_encoding(best.encoding) or best.encoding
    name = meta or header or "gb18030"
    return body.decode(name, "replace"), name
