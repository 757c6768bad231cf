"""中工网 (workercn.cn): ul.list > li#li_<id> lists with h3 links and div.info2 times; /c/<date>/<id>.shtml."""

from __future__ import annotations

import re

from aggregator.extract.html import HtmlElement, text_of
from aggregator.families.generic import next_pages
from aggregator.records import ListEntry, ListPage, Page
from aggregator.sources import Source
from aggregator.text import clean_title
from aggregator.urls import absolutize, canonical_url

DEFAULT_ARTICLE_PATTERN = r"^https?://(?:www\.)?workercn\.cn/c/\d{4}-\d{2}-\d{2}/\d+\.shtml$"


def parse_list(page: Page, text: str, doc: HtmlElement, source: Source) -> ListPage:
    """Items are li#li_<id>: headline in h3 > a, time in div.info2, origin in the right-floated span."""
    pattern = source.article_regex or re.compile(DEFAULT_ARTICLE_PATTERN)
    entries: list[ListEntry] = []
    seen: set[str] = set()
    for li in doc.iter("li"):
        if not (li.get("id") or "").startswith("li_"):
            continue
        anchor = next(iter(li.iter("h3")), None)
        link = next(iter(anchor.iter("a")), None) if anchor is not None else None
        if link is None:
            continue
        url = absolutize(page.url, link.get("href"))
        url = canonical_url(url) if url else None
        if not url or not pattern.search(url) or url in seen:
            continue
        seen.add(url)
        date_el = next((d for d in li.iter("div") if "info2" in (d.get("class") or "")), None)
        entries.append(ListEntry(url=url, title=clean_title(text_of(link)), date_raw=text_of(date_el) or None))
    urls, total = next_pages(doc, text, page.url)
    return ListPage(entries=entries, next_urls=urls, total_pages=total)
