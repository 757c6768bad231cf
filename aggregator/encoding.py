"""Decode HTML bytes right, even when the HTTP header or the meta tag is wrong (GBK/GB2312/GB18030 pages)."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([a-zA-Z0-9_\-]+)", re.IGNORECASE)
# GB2312 and GBK pages routinely contain characters only GB18030 has; decode with the superset.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}
_BOMS = [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")]


def _normalize(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    try:
        codec = codecs.lookup(_SUPERSETS.get(name, name)).name
    except LookupError:
        return None
    return _SUPERSETS.get(codec, codec)


def declared_encodings(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """The encodings the HTTP header and the meta tag declare (normalized), either may be None."""
    header = None
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        header = _normalize(match.group(1)) if match else None
    match = _META_CHARSET.search(body[:4096])
    meta = _normalize(match.group(1).decode("ascii", "ignore")) if match else None
    return header, meta


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None, forced: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Order: BOM, forced, valid UTF-8, declared (header, meta), GB18030, detection.

    Valid UTF-8 goes before declarations because pages that declare GB2312 but are UTF-8 are common, and
    real GBK text is almost never valid UTF-8; the reverse check is useless (GB18030 accepts most UTF-8 bytes).
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    if forced:
        name = _normalize(forced) or forced
        return body.decode(name, "replace"), name
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    header, meta = declared_encodings(body, content_type)
    for name in (header, meta, "gb18030"):
        if name and name != "utf-8":
            text = _strict(body, name)
            if text is not None:
                return text, name
    best = from_bytes(body).best()
    if best is not None and best.encoding:
        return str(best), _normalize(best.encoding) or best.encoding
    name = meta or header or "gb18030"
    return body.decode(name, "replace"), name
