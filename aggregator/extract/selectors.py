"""Per-source CSS selectors from the registry; when given they win over the generic extractor."""

from __future__ import annotations

import re
from typing import Any

from lxml.cssselect import CSSSelector

from aggregator.extract.generic import Extracted, lxml_to_string
from aggregator.extract.html import HtmlElement, node_text_lines, text_of
from aggregator.sanitize import sanitize_html
from aggregator.text import clean_title

_CACHE: dict[str, CSSSelector] = {}


def _select(doc: HtmlElement, css: str) -> list[HtmlElement]:
    selector = _CACHE.get(css)
    if selector is None:
        selector = _CACHE[css] = CSSSelector(css)
    return selector(doc)


def apply_selectors(doc: HtmlElement, url: str, selectors: dict[str, Any], fields: Extracted) -> None:
    """Overwrite `fields` with what the source's selectors find (a selector that matches nothing keeps the generic value)."""
    if sel := selectors.get("title"):
        found = _select(doc, sel)
        if found and (title := clean_title(text_of(found[0]))):
            fields.title = title
    if sel := selectors.get("published"):
        found = _select(doc, sel)
        if found and (value := text_of(found[0])):
            fields.published_raw = value
    for key in ("author", "origin"):
        if sel := selectors.get(key):
            found = _select(doc, sel)
            if found and (value := text_of(found[0])):
                value = re.sub(r"^(来源|作者|记者|编辑)\s*[:：]\s*", "", value)
                setattr(fields, key, value)
    if sel := selectors.get("body"):
        found = _select(doc, sel)
        if found:
            node = found[0]
            for drop_css in selectors.get("drop", []):
                for el in _select(node, drop_css):
                    if el.getparent() is not None:
                        el.drop_tree()
            fields.body_lines = node_text_lines(node)
            fields.body_html = sanitize_html(lxml_to_string(node), url)
            fields.images = re.findall(r'<img[^>]+src="([^"]+)"', fields.body_html)
