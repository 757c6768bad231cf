"""people.cn channels (acftu.people.com.cn): GB2312 and UTF-8 templates, /n1/YYYY/MMDD/c<col>-<id>.html."""

from __future__ import annotations

import re

from aggregator.extract.generic import Extracted
from aggregator.extract.html import HtmlElement, meta_content
from aggregator.families.generic import parse_list  # noqa: F401

DEFAULT_ARTICLE_PATTERN = r"/n1/\d{4}/\d{4}/c\d+-\d+\.html$"


def article_hints(doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """people.cn meta tags: publishdate, source, author."""
    # The meta tag often holds the date only; the visible 年月日HH:MM line is more precise when present.
    pub = meta_content(doc, "publishdate")
    if pub and not (fields.published_raw and re.search(r"\d[:：]\d", fields.published_raw)):
        fields.published_raw = pub
    if origin := meta_content(doc, "source"):
        fields.origin = re.sub(r"^来源[:：]", "", origin).strip()
    if (author := meta_content(doc, "author")) and not fields.author:
        fields.author = author.strip()
