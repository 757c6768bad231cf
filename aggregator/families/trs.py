"""TRS WCM sites (acftu.org and many government sites): t<YYYYMMDD>_<id>.html, index_N.html paging."""

from __future__ import annotations

import re

from aggregator.extract.generic import Extracted
from aggregator.extract.html import HtmlElement, meta_content
from aggregator.families.generic import parse_list  # noqa: F401  (TRS lists are what the generic parser reads)

DEFAULT_ARTICLE_PATTERN = r"/\d{6}/t\d{8}_\d+\.s?html?$"


def article_hints(doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """TRS pages carry the publish time in meta tags (PubDate / publishdate)."""
    value = meta_content(doc, "pubdate", "publishdate", "firstpublishedtime")
    if value and re.search(r"\d{4}", value):
        fields.published_raw = value
