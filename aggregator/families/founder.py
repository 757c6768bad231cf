"""方正 Founder e-papers (劳动午报, 甘肃工人报): node_N.htm pages of an issue, content_N.htm articles."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from aggregator.extract.generic import Extracted
from aggregator.extract.html import HtmlElement, node_text_lines, text_of
from aggregator.families.generic import article_entries
from aggregator.records import ListPage, Page
from aggregator.sanitize import sanitize_html
from aggregator.sources import Source
from aggregator.text import clean_title
from aggregator.urls import absolutize

DEFAULT_ARTICLE_PATTERN = r"/content_\d+\.htm$"
_NODE = re.compile(r"/node_\d+\.htm$")
_ISSUE_DATE = re.compile(r"/(\d{4})-(\d{2})/(\d{2})/")
_COMMENT_FIELD = re.compile(r"<founder-(title|subtitle|pretitle|author|date)>(.*?)</founder-\1>", re.S)


_PERIOD = re.compile(r"<period_date>\s*(\d{4})-(\d{2})-(\d{2})\s*</period_date>.*?<front_page>\s*([^<\s]+)\s*</front_page>", re.S)


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
    entries = article_entries(doc, page.url, pattern)
    issue = _ISSUE_DATE.search(page.url)
    if issue:
        for entry in entries:
            entry.date_raw = entry.date_raw or f"{issue.group(1)}-{issue.group(2)}-{issue.group(3)}"
    next_urls: list[str] = []
    for anchor in doc.iter("a"):
        url = absolutize(page.url, anchor.get("href"))
        if url and _NODE.search(url) and url != page.url and url not in next_urls:
            next_urls.append(url)
    return ListPage(entries=entries, next_urls=next_urls, paged=False)


def article_hints(doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """Title and date sit in <founder-*> tags inside an HTML comment; the body in <founder-content>."""
    values = {name: clean_title(value) for name, value in _COMMENT_FIELD.findall(text)}
    if values.get("title"):
        fields.title = values["title"]
    if values.get("author"):
        fields.author = values["author"]
    issue = _ISSUE_DATE.search(url)
    if values.get("date"):
        fields.published_raw = values["date"]
    elif issue:
        fields.published_raw = f"{issue.group(1)}-{issue.group(2)}-{issue.group(3)}"
    content = next(iter(doc.iter("founder-content")), None)
    if content is None:
        content = doc.get_element_by_id("ozoom", None)
    if content is not None and text_of(content):
        import lxml.html

        fields.body_lines = node_text_lines(content)
        fields.body_html = sanitize_html(lxml.html.tostring(content, encoding="unicode"), url)
        fields.images = re.findall(r'<img[^>]+src="([^"]+)"', fields.body_html)
