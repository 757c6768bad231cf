"""The generic family: article links matching the source's pattern, dates next to them, "下一页" paging."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from aggregator.extract.html import HtmlElement, text_of
from aggregator.records import ListEntry, ListPage, Page
from aggregator.sources import Source
from aggregator.text import clean_title
from aggregator.urls import absolutize, canonical_url

_DATE_NEAR = re.compile(r"((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?|\b\d{2}-\d{2}\b)")
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后页|>|›|»|next)\s*$", re.IGNORECASE)
# TRS WCM: createPageHTML(countPage, currentPage, "index", "html") or var countPage = N / currentPage = i
_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_PAGE = re.compile(r"countPage\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"currentPage\s*=\s*(\d+)")


def entry_date(anchor: HtmlElement) -> str | None:
    """A date shown next to a list link: in the link's item (li, tr, dd) or its close ancestors."""
    node: HtmlElement | None = anchor
    for _ in range(3):
        node = node.getparent() if node is not None else None
        if node is None:
            return None
        match = _DATE_NEAR.search(text_of(node))
        if match:
            return match.group(1)
        if node.tag in ("li", "tr", "dd", "article"):
            return None
    return None


def article_entries(doc: HtmlElement, base_url: str, pattern: re.Pattern[str] | None) -> list[ListEntry]:
    """Links that match the article pattern, deduplicated, in page order, with their titles and dates."""
    seen: set[str] = set()
    entries: list[ListEntry] = []
    for anchor in doc.iter("a", "area"):  # e-papers link articles from the page image's <area>s too
        url = absolutize(base_url, anchor.get("href"))
        if not url:
            continue
        url = canonical_url(url) or url
        if pattern is not None and not pattern.search(url):
            continue
        title = clean_title(text_of(anchor) or anchor.get("title") or "")
        if url in seen:
            if title:  # an image link first, its headline link second: keep the headline
                for entry in entries:
                    if entry.url == url and not entry.title:
                        entry.title = title
            continue
        seen.add(url)
        entries.append(ListEntry(url=url, title=title, date_raw=entry_date(anchor)))
    return entries


def next_pages(doc: HtmlElement, text: str, base_url: str) -> tuple[list[str], int | None]:
    """Further list pages: TRS createPageHTML/countPage paging, else a "下一页" link."""
    match = _CREATE_PAGE.search(text)
    count = current = None
    name, ext = "index", "html"
    if match:
        count, current, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    else:
        count_match, current_match = _COUNT_PAGE.search(text), _CURRENT_PAGE.search(text)
        if count_match:
            count = int(count_match.group(1))
            current = int(current_match.group(1)) if current_match else 0
    if count is not None and current is not None:
        if current + 1 < count:
            return [urljoin(base_url, f"{name}_{current + 1}.{ext}")], count
        return [], count
    for anchor in doc.iter("a"):
        if _NEXT_TEXT.match(text_of(anchor) or ""):
            url = absolutize(base_url, anchor.get("href"))
            if url and url != base_url:
                return [url], None
    return [], None


def parse_list(page: Page, text: str, doc: HtmlElement, source: Source) -> ListPage:
    """Parse a list page by the source's article pattern and the usual paging conventions."""
    entries = article_entries(doc, page.url, source.article_regex)
    urls, total = next_pages(doc, text, page.url)
    return ListPage(entries=entries, next_urls=urls, total_pages=total)
