"""Per-source CSS selectors from the registry; when given they win over the generic extractor.

`title`, `published`, `author`, `origin` and `body` each replace what the generic extractor found when they match
(a selector that matches nothing keeps the generic value, so a site redesign degrades to generic extraction
instead of empty records); `drop` lists furniture to remove from the body. A `body` selector matching several
elements (".content p") takes them all, in page order.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

import lxml.html
from cssselect import SelectorError
from lxml.cssselect import CSSSelector

from aggregator.extract.generic import (
    Extracted,
    base_url,
    base_url_of,
    body_lines_and_leaves,
    clean_body_lines,
    extract_around,
    lxml_to_string,
    page_head,
    prune_leaves,
    tidy_text,
)
from aggregator.extract.html import HtmlElement, text_of
from aggregator.sanitize import sanitize_html
from aggregator.text import clean_title

log = logging.getLogger(__name__)
_CACHE: dict[str, CSSSelector | None] = {}
_LABEL = re.compile(r"^(?:来源|稿源|出处|作者|记者|编辑|发布时间|发布日期|时间|日期)\s*[:：]\s*")


def _select(doc: HtmlElement, css: str) -> list[HtmlElement]:
    if css not in _CACHE:
        try:
            _CACHE[css] = CSSSelector(css)
        except SelectorError as exc:
            # A broken selector in the registry must not lose the page: the generic value stays.
            log.warning("invalid CSS selector %r in the source registry: %s", css, exc)
            _CACHE[css] = None
    selector = _CACHE[css]
    return selector(doc) if selector is not None else []


def _outermost(nodes: list[HtmlElement]) -> list[HtmlElement]:
    """The matches that are not inside another match."""
    chosen = set(nodes)
    out = []
    for node in nodes:
        parent = node.getparent()
        while parent is not None and parent not in chosen:
            parent = parent.getparent()
        if parent is None:
            out.append(node)
    return out


def apply_selectors(doc: HtmlElement, url: str, selectors: dict[str, Any], fields: Extracted,
                    elements: dict[str, HtmlElement] | None = None, base: str | None = None) -> set[str]:
    """Overwrite `fields` with what the source's selectors find (the page itself is not changed); returns the
    names of the selectors that decided their field, and puts the headline and (first) body element they used
    in `elements` when given. `base` is base_url(doc, url) when the caller has it."""
    applied: set[str] = set()
    if sel := selectors.get("title"):
        found = _select(doc, sel)
        if found and (title := clean_title(text_of(found[0]))):
            fields.title = title
            applied.add("title")
            if elements is not None:
                elements["title"] = found[0]
    if sel := selectors.get("published"):
        found = _select(doc, sel)
        if found and (value := text_of(found[0])):
            fields.published_raw = _LABEL.sub("", value)
            applied.add("published")
    for key in ("author", "origin"):
        if sel := selectors.get(key):
            found = _select(doc, sel)
            if found and (value := text_of(found[0])):
                setattr(fields, key, _LABEL.sub("", value) or None)
                applied.add(key)
    if sel := selectors.get("body"):
        found = _outermost(_select(doc, sel))
        if found:
            if elements is not None:
                elements["body"] = found[0]
            if len(found) == 1:
                node = copy.deepcopy(found[0])
            else:
                node = lxml.html.Element("div")
                node.extend(copy.deepcopy(el) for el in found)
                for el in node:
                    el.tail = None
            drops = selectors.get("drop", [])
            for drop_css in [drops] if isinstance(drops, str) else drops:
                for el in _select(node, drop_css):
                    if el.getparent() is not None:
                        el.drop_tree()
            # One walk gives the body's lines and the leaf blocks that the kept lines decide on.
            raw_lines, leaves = body_lines_and_leaves(node)
            lines = clean_body_lines(raw_lines, fields.title)
            if lines:
                fields.body_lines = lines
                prune_leaves(leaves, lines)
                tidy_text(node)
                if base is None:
                    base = base_url(doc, url)
                fields.body_html = sanitize_html(lxml_to_string(node), base)
                fields.images = re.findall(r'<img[^>]+src="([^"]+)"', fields.body_html)
                applied.add("body")
    return applied


def selector_fields(doc: HtmlElement, url: str, selectors: dict[str, Any]) -> Extracted | None:
    """Every field of a page whose title, published and body selectors all match: what the selectors give, author
    and 来源 read from the header between that headline and that body. None otherwise (the generic extractor decides).

    The generic extractor's search for the body is most of its cost; a source that names its body needs none."""
    if not (selectors.get("title") and selectors.get("published") and selectors.get("body")):
        return None
    fields = Extracted()
    elements: dict[str, HtmlElement] = {}
    # The page's <base> and the metadata that extract_around reads come from one walk of the page, not two.
    head = page_head(doc)
    applied = apply_selectors(doc, url, selectors, fields, elements, base_url_of(head, url))
    if not {"title", "published", "body"} <= applied:
        return None
    around = extract_around(doc, url, elements["title"], elements["body"], head)
    if around is None:
        return None
    for key in ("author", "origin"):
        if key not in applied:
            setattr(fields, key, getattr(around, key))
    return fields
