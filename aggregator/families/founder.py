"""方正 Founder e-papers (劳动午报, 浙江工人日报, 甘肃工人报, 河南工人日报): page nodes of an issue, articles.

Page nodes are node_N.htm (some papers: col01.html, set `options.node_pattern`), articles content_N.htm (or
c*.html, set `article_pattern`); the issue date is in the URL (/2025-07/24/ or /202507/24/). Some papers
publish a monthly period.xml that leads to each issue's front page.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

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

DEFAULT_ARTICLE_PATTERN = r"/content_\d+\.html?$"
DEFAULT_NODE_PATTERN = r"/node_\d+\.html?$"
_COMMENT_FIELD = re.compile(r"<founder-(title|subtitle|pretitle|author|date)>(.*?)</founder-\1>", re.S)
_PERIOD = re.compile(r"<period_date>\s*(\d{4})-(\d{2})-(\d{2})\s*</period_date>.*?<front_page>\s*([^<\s]+)\s*</front_page>", re.S)
# Title elements of the templates seen: 甘肃工人报 #Title, 浙江工人日报 .main-article-alltitle.
_TITLE_IDS = ("Title",)


def issue_date(url: str) -> str | None:
    """The issue date in the URL as YYYY-MM-DD."""
    parsed = date_from_url(url)
    return parsed.value.strftime("%Y-%m-%d") if parsed else None


def parse_period(page: Page, text: str) -> ListPage:
    """A month's period.xml: the front page node of every issue, newest first."""
    urls = [urljoin(page.url, f"/content/{y}-{m}/{d}/{front}") for y, m, d, front in _PERIOD.findall(text)]
    urls.sort(reverse=True)
    return ListPage(entries=[], next_urls=urls, total_pages=len(urls), paged=False)


def parse_list(page: Page, text: str, doc: HtmlElement, source: Source) -> ListPage:
    """A page node: its articles (dated by the issue in the URL) and the issue's other page nodes.

    A monthly period.xml instead leads to each issue's front page.
    """
    if page.url.endswith("period.xml") or "<periodlist" in text[:500]:
        return parse_period(page, text)
    pattern = source.article_regex or re.compile(DEFAULT_ARTICLE_PATTERN)
    node = re.compile(source.options.get("node_pattern") or DEFAULT_NODE_PATTERN)
    entries = article_entries(doc, page.url, pattern)
    day = issue_date(page.url)
    for entry in entries:
        entry.date_raw = entry.date_raw or day
    next_urls: list[str] = []
    for anchor in doc.iter("a", "area"):  # image maps of the page link to articles and nodes too
        url = absolutize(page.url, anchor.get("href"))
        if url and node.search(url) and not pattern.search(url) and url != page.url and url not in next_urls:
            next_urls.append(url)
    return ListPage(entries=entries, next_urls=next_urls, paged=False)


def article_hints(doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """Title and date sit in <founder-*> tags inside an HTML comment; the body in <founder-content>."""
    values = {name: clean_title(value) for name, value in _COMMENT_FIELD.findall(text)}
    title = values.get("title")
    if not title:
        element = next((e for e in (doc.get_element_by_id(i, None) for i in _TITLE_IDS) if e is not None), None)
        title = clean_title(text_of(element)) if element is not None else ""
    if title:
        fields.title = title
    if values.get("author"):
        fields.author = values["author"]
    day = issue_date(url)
    if values.get("date"):
        fields.published_raw = values["date"]
    elif day:
        fields.published_raw = day
    content = next(iter(doc.iter("founder-content")), None)
    if content is None:
        content = doc.get_element_by_id("ozoom", None)
    if content is not None and text_of(content):
        fields.body_lines = node_text_lines(content)
        fields.body_html = sanitize_html(lxml.html.tostring(content, encoding="unicode"), url)
        fields.images = re.findall(r'<img[^>]+src="([^"]+)"', fields.body_html)
