"""Site families: how each kind of union site lists its articles, and what its article pages say.

A family module may define `parse_list(page, text, doc, source) -> ListPage` and
`article_hints(doc, text, url, fields) -> None`; whatever it leaves out falls back to the generic family.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING

from aggregator.extract.html import decode_page, parse_html
from aggregator.records import ListPage, Page

if TYPE_CHECKING:
    from aggregator.extract.generic import Extracted
    from aggregator.extract.html import HtmlElement
    from aggregator.sources import Source

_MODULES: dict[str, ModuleType] = {}


def family_module(family: str) -> ModuleType:
    """The module implementing a family (generic for families without one of their own)."""
    module = _MODULES.get(family)
    if module is None:
        try:
            module = importlib.import_module(f"aggregator.families.{family}")
        except ModuleNotFoundError:
            module = importlib.import_module("aggregator.families.generic")
        _MODULES[family] = module
    return module


def article_pattern(source: Source) -> str | None:
    """The source's article link pattern, else its family's default."""
    return source.article_pattern or getattr(family_module(source.family), "DEFAULT_ARTICLE_PATTERN", None)


def parse_list(page: Page, source: Source) -> ListPage:
    """Parse a list page of `source` with its family's parser (the family's link pattern when the source has none)."""
    if not source.article_pattern and (default := article_pattern(source)):
        source = replace(source, article_pattern=default)
    text = decode_page(page)
    doc = parse_html(text, page.url)
    module = family_module(source.family)
    parser = getattr(module, "parse_list", None) or family_module("generic").parse_list
    return parser(page, text, doc, source)


def family_hints(family: str, doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """Let the family correct what the generic extractor found on an article page."""
    hints = getattr(family_module(family), "article_hints", None)
    if hints is not None:
        hints(doc, text, url, fields)
