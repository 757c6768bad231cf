"""Shared HTML helpers for the parsers: parse a page once, read meta tags, get clean text of a node."""

from __future__ import annotations

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
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment, pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity))


def decode_page(page: Page) -> str:
    """The page's text, decoded with the registry's encoding when set, else detected."""
    text, _encoding = decode_html(page.body, page.header("content-type"), page.encoding)
    return text


def parse_html(text: str, base_url: str | None = None) -> HtmlElement:
    """Parse HTML text into an lxml tree (an empty document for empty input)."""
    text = text.strip() or "<html></html>"
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^<\?xml[^>]*\?>", "", text)
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

    def walk(el: HtmlElement) -> None:
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
            walk(child)
        if block:
            parts.append("\n")
        if el.tail:
            parts.append(el.tail)

    walk(node)
    lines = (clean_line(line) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


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
