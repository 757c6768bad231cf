"""工人日报 e-paper (www.workercn.cn/papers/grrb/): one issue a day, pages of an issue, news-<n>.html articles.

An issue's page N is /papers/grrb/YYYY/MM/DD/N/page.html; the page list is `ul#pageUrl li` (the li's second
link goes to the page), the page's articles are `ul#pageTitle li a`. Article pages hold #pretitle (引题),
#ctitle (headline), #ccontent (body) and #imgs; the date is the issue's, from the URL.
"""

from __future__ import annotations

import re

import lxml.html

from aggregator.dates import date_from_url
from aggregator.extract.generic import Extracted
from aggregator.extract.html import HtmlElement, node_text_lines, text_of
from aggregator.families.generic import article_entries
from aggregator.records import ListPage, Page
from aggregator.sanitize import sanitize_html
from aggregator.sources import Source
from aggregator.text import clean_title
from aggregator.urls import absolutize

DEFAULT_ARTICLE_PATTERN = r"/papers/grrb/\d{4}/\d{2}/\d{2}/\d+/news-\d+\.html$"
_PAGE = re.compile(r"/papers/grrb/\d{4}/\d{2}/\d{2}/\d+/page\.html$")
# The credit line each article ends with: 《工人日报》（2025年07月24日 03版）
_CREDIT = re.compile(r"^《工人日报》\s*[（(]\s*\d{4}年\d{1,2}月\d{1,2}日\s*\d+\s*版\s*[）)]$")


def issue_date(url: str) -> str | None:
    """The issue date in the URL as YYYY-MM-DD."""
    parsed = date_from_url(url)
    return parsed.value.strftime("%Y-%m-%d") if parsed else None


def parse_list(page: Page, text: str, doc: HtmlElement, source: Source) -> ListPage:
    """A page of an issue: its articles (dated by the issue) and the issue's other pages (not paging)."""
    pattern = source.article_regex or re.compile(DEFAULT_ARTICLE_PATTERN)
    titles = doc.get_element_by_id("pageTitle", None)
    entries = article_entries(titles if titles is not None else doc, page.url, pattern)
    day = issue_date(page.url)
    for entry in entries:
        entry.date_raw = entry.date_raw or day
    pages = doc.get_element_by_id("pageUrl", None)
    next_urls: list[str] = []
    for anchor in (pages if pages is not None else doc).iter("a"):
        url = absolutize(page.url, anchor.get("href"))
        if url and _PAGE.search(url) and url != page.url and url not in next_urls:
            next_urls.append(url)
    return ListPage(entries=entries, next_urls=next_urls, paged=False)


def article_hints(doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """Headline from #ctitle, body from #ccontent (without the credit line), photos from #imgs, the issue's date."""
    title = doc.get_element_by_id("ctitle", None)
    if title is not None and (value := clean_title(text_of(title))):
        fields.title = value
    if day := issue_date(url):
        fields.published_raw = day
    content = doc.get_element_by_id("ccontent", None)
    if content is not None and text_of(content):
        lines = [line for line in node_text_lines(content) if not _CREDIT.match(line)]
        fields.body_lines = lines
        fields.body_html = sanitize_html(lxml.html.tostring(content, encoding="unicode"), url)
        images = doc.get_element_by_id("imgs", None)
        found = [absolutize(url, img.get("src")) for img in images.iter("img")] if images is not None else []
        fields.images = [src for src in found if src] or re.findall(r'<img[^>]+src="([^"]+)"', fields.body_html)
