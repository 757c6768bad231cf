"""Shared HTML helpers for the parsers: parse a page once, read meta tags, get clean text of a node."""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from aggregator.encoding import decode_html
from aggregator.records import Page
from aggregator.text import clean_line

HtmlElement = lxml.html.HtmlElement
# Elements that start a new line of text when rendered.
BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "section", "article",
    "blockquote", "ul", "ol", "dl", "figure", "figcaption", "dd", "dt", "header", "footer", "main", "aside", "nav",
    "center", "pre", "hr", "address", "form", "fieldset", "caption", "tbody", "thead", "tfoot", "details",
    "summary", "body", "html",
})
_BLOCK = BLOCK_TAGS
_SKIP = frozenset({"script", "style", "noscript", "template"})
# A closing </html> or </body> in the middle of a page (a server-side include that closes the document) makes
# libxml2 drop everything after it; removing them all is harmless because the parser closes both at the end.
_STRAY_CLOSE = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
# lxml.html's own parser picks each element's Python class (forms, inputs, labels) in a Python callback that runs
# whenever an element is touched from Python. The parsers use none of those classes: one lookup in C serves all.
_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity)
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(_LOOKUP)
# The same parser for UTF-8 bytes (parse_page): libxml2 reads them as they are. Given a str, lxml hands
# libxml2 the string's UCS-2 buffer, which libxml2 first converts to UTF-8: the same characters, more work.
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")
_UTF8_PARSER.set_element_class_lookup(_LOOKUP)
# _STRAY_CLOSE for UTF-8 bytes: \s of a str pattern is every Unicode space (str.isspace), so this one matches
# the UTF-8 encoding of each; no other character matches a letter of "html" or "body" under IGNORECASE.
_UNICODE_SPACES = b"|".join(re.escape(chr(code).encode()) for code in range(0x3001) if chr(code).isspace())
_STRAY_CLOSE_BYTES = re.compile(rb"</(?:html|body)(?:" + _UNICODE_SPACES + rb")*>", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")
_XML_DECLARATION_BYTES = re.compile(rb"^<\?xml[^>]*\?>")
# What str.strip() removes that bytes.strip() removes too (ASCII whitespace); see _parse_utf8.
_ASCII_STRIP = b" \t\n\r\x0b\x0c"


def decode_page(page: Page) -> str:
    """The page's text, decoded with the registry's encoding when set, else detected."""
    text, _encoding = decode_html(page.body, page.header("content-type"), page.encoding)
    return text


def parse_page(page: Page) -> tuple[str, HtmlElement]:
    """The page's text and tree: (decode_page(page), parse_html(that text, page.url)), parsed from the page's
    bytes when they are the UTF-8 of that text (most pages), which spares libxml2 a conversion."""
    text, encoding = decode_html(page.body, page.header("content-type"), page.encoding)
    doc = _parse_utf8(page.body, text, page.url) if encoding == "utf-8" else None
    return text, doc if doc is not None else parse_html(text, page.url)


def _parse_utf8(body: bytes, text: str, base_url: str | None) -> HtmlElement | None:
    """parse_html(text, base_url) done on `body`, the bytes `text` was decoded from as UTF-8; None where that
    could differ (parse_html then parses the text)."""
    # Without U+FFFD the decoding replaced no byte (nor is one there): body is text's UTF-8, unless a BOM was
    # cut off.
    if "\ufffd" in text or body.startswith(codecs.BOM_UTF8):
        return None
    stripped = text.strip()
    raw = body.strip(_ASCII_STRIP)
    # bytes.strip() removes ASCII whitespace only, str.strip() every kind: the same ends when as many
    # characters went (each one byte); an empty page or a U+FEFF left at the start is parse_html's business.
    if not stripped or len(body) - len(raw) != len(text) - len(stripped) or stripped.startswith("\ufeff"):
        return None
    raw = _XML_DECLARATION_BYTES.sub(b"", raw)
    # lxml refuses a str that still starts with an XML declaration (parse_html then gives an empty document).
    if raw.startswith(b"<?xml"):
        return None
    raw = _STRAY_CLOSE_BYTES.sub(b"", raw)
    try:
        return lxml.html.document_fromstring(raw, parser=_UTF8_PARSER, base_url=base_url)
    except (etree.ParserError, ValueError):
        return None


def parse_html(text: str, base_url: str | None = None) -> HtmlElement:
    """Parse HTML text into an lxml tree (an empty document for empty input)."""
    text = text.strip() or "<html></html>"
    # lxml refuses str input that carries an XML encoding declaration.
    text = _XML_DECLARATION.sub("", text)
    text = _STRAY_CLOSE.sub("", text)
    try:
        doc = lxml.html.document_fromstring(text, parser=_PARSER, base_url=base_url)
    except (etree.ParserError, ValueError):
        doc = lxml.html.document_fromstring("<html></html>")
    return doc


def meta_content(doc: HtmlElement, *names: str) -> str | None:
    """The first non-empty <meta name|property|itemprop=...> content among `names` (case-insensitive)."""
    wanted = {n.lower() for n in names}
    for meta in doc.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in wanted:
            content = (meta.get("content") or "").strip()
            if content:
                return content
    return None


def node_text_lines(node: HtmlElement) -> list[str]:
    """Text of a node split at block boundaries, each line cleaned, empty lines dropped."""
    parts: list[str] = []
    _text_parts(node, parts)
    lines = (clean_line(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


# The walks below are module functions, not nested ones: a nested function that calls itself is a reference
# cycle, which kept each call's pieces alive until the cyclic garbage collector ran (and made it run oftener).
def _text_parts(el: HtmlElement, parts: list[str]) -> None:
    """Add the text of `el` and its tail to `parts`, with a "\\n" around each block."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP or not tag:
        if el.tail:
            parts.append(el.tail)
        return
    block = tag in _BLOCK
    if block:
        parts.append("\n")
    if el.text:
        parts.append(el.text)
    for child in el:
        _text_parts(child, parts)
    if block:
        parts.append("\n")
    if el.tail:
        parts.append(el.tail)


def node_text_lines_and_leaves(node: HtmlElement,
                               tags: frozenset[str]) -> tuple[list[str], list[tuple[HtmlElement, str]]]:
    """node_text_lines(node), and from the same walk the leaves among the elements below `node` with a tag in
    `tags`: those with no <img> and no block but <br> below them, in document order, each with its text (all
    of it, as text_content() gives it) cleaned."""
    parts: list[str] = []
    leaves: list[tuple[HtmlElement, str] | None] = []
    _text_parts_and_leaves(node, node, tags, parts, leaves)
    lines = (clean_line(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line], [leaf for leaf in leaves if leaf is not None]


def _text_parts_and_leaves(el: HtmlElement, node: HtmlElement, tags: frozenset[str], parts: list[str],
                           leaves: list[tuple[HtmlElement, str] | None]) -> int:
    """_text_parts(el, parts), adding the leaves below `node` to `leaves`; returns what `el`'s subtree holds:
    1 a block but <br>, 2 an <img>."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in _SKIP or not tag:
        if el.tail:
            parts.append(el.tail)
        return _skipped(el, tags, leaves) if tag and len(el) else 0
    block = tag in _BLOCK
    if block:
        parts.append("\n")
    text = el.text
    if text:
        parts.append(text)
    # A leaf is known after its children are: its place in document order is kept for it meanwhile.
    slot = -1
    if tag in tags and el is not node:
        slot = len(leaves)
        leaves.append(None)
    below = 0
    for child in el:
        below |= _text_parts_and_leaves(child, node, tags, parts, leaves)
    if block:
        parts.append("\n")
    if el.tail:
        parts.append(el.tail)
    if slot >= 0 and not below:
        leaves[slot] = (el, clean_line(el.text_content() if len(el) else text or ""))
    return below | (1 if block and tag != "br" else 0) | (2 if tag == "img" else 0)


def _skipped(el: HtmlElement, tags: frozenset[str], leaves: list[tuple[HtmlElement, str] | None]) -> int:
    """For the subtree of a <script>, <style>, <noscript> or <template> with elements in it (its text is no
    line): its leaves (added to `leaves`) and what it holds, as _text_parts_and_leaves returns it."""
    holds = 0
    for below in el.iterdescendants():
        tag = below.tag
        if not isinstance(tag, str):
            continue
        holds |= (1 if tag in _BLOCK and tag != "br" else 0) | (2 if tag == "img" else 0)
        if tag in tags and next(below.iter("img"), None) is None and not any(
                isinstance(c.tag, str) and c.tag in _BLOCK and c.tag != "br"
                for c in below.iterdescendants()):
            leaves.append((below, clean_line(text_content(below))))
    return holds


def text_content(el: HtmlElement) -> str:
    """All text of an element, as el.text_content() gives it; an element without children is its .text alone."""
    # text_content() evaluates an XPath (string()) at each call, several times the cost of reading .text; most
    # paragraphs hold no child element, comment or entity, so their .text is all their text.
    return el.text_content() if len(el) else el.text or ""


def text_of(node: HtmlElement | None) -> str:
    """All text of a node on one line, cleaned."""
    if node is None:
        return ""
    return clean_line(" ".join(node.itertext()))


def inline_text(node: HtmlElement | None) -> str:
    """All text of a node on one line as a reader sees it: pieces joined without spaces, except between two
    Latin letters or digits (a headline split by <br> or <span> stays one Chinese line)."""
    if node is None:
        return ""
    out = ""
    for piece in node.itertext():
        piece = clean_line(piece)
        if not piece:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return out
