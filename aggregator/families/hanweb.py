"""大汉 Hanweb JCMS sites (jsgh.org, sdgh.org.cn): <datastore> lists, dataproxy.jsp paging, art_<col>_<id> pages.

A column page embeds its first records in a <datastore> block; later records come from
/module/web/jpage/dataproxy.jsp, either by GET (`?page=N&columnid=..&unitid=..`, the link in <nextgroup>)
or by POST (`?startrecord=S&endrecord=E&perpage=P` with the column's ids as form fields). `options.proxy`
picks the POST form; the ids come from the page's paging script or from `options`.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from aggregator.extract.generic import Extracted
from aggregator.extract.html import HtmlElement, meta_content, parse_html
from aggregator.families.generic import article_entries
from aggregator.records import ListPage, Page
from aggregator.sources import Source

DEFAULT_ARTICLE_PATTERN = r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$"
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>|totalpage\s*[=:]\s*['\"]?(\d+)", re.I)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalrecord\s*[=:]\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"<perpage>\s*(\d+)\s*</perpage>|perpage\s*[=:]\s*['\"]?(\d+)", re.I)
_SETTING = re.compile(r"\b(columnid|unitid|webid|webname|path)\s*[=:]\s*['\"]?([^'\",&}\s]+)", re.I)
_DEFAULT_PERPAGE = 15


def _first_int(pattern: re.Pattern[str], text: str) -> int | None:
    match = pattern.search(text)
    if not match:
        return None
    return int(next(g for g in match.groups() if g))


def _proxy_url(base_url: str, nextgroup: str, page_no: int) -> str | None:
    href = re.search(r"href=['\"]([^'\"]+)['\"]", nextgroup)
    if not href:
        return None
    url = urljoin(base_url, href.group(1).replace("&amp;", "&"))
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([("page", str(page_no))] + query)))


def column_settings(text: str, source: Source) -> dict[str, str]:
    """The column's ids for the proxy: the page's paging script and <nextgroup> link, overridden by `options`."""
    found: dict[str, str] = {}
    for key, value in _SETTING.findall(text):
        found.setdefault(key.lower(), value)
    for key in ("columnid", "unitid", "webid", "webname", "path"):
        if key in source.options:
            found[key] = str(source.options[key])
    return found


def post_form(settings: dict[str, str]) -> dict[str, str]:
    """The form fields dataproxy.jsp expects with POST."""
    return {"col": "1", "appid": "1", "webid": settings.get("webid", "1"), "path": settings.get("path", "/"),
            "columnid": settings.get("columnid", ""), "sourceContentType": "1", "unitid": settings.get("unitid", ""),
            "webname": settings.get("webname", ""), "permissiontype": "0"}


def _post_next(page: Page, text: str, source: Source, records: int, total_records: int | None,
               perpage: int) -> list[tuple[str, dict[str, str]]]:
    """The next POST request: records after the ones this page (column page or proxy reply) held."""
    query = dict(parse_qsl(urlsplit(page.url).query))
    if PROXY_PATH in page.url and "endrecord" in query:
        start = int(query.get("startrecord", "1") or 1)
        end = int(query["endrecord"])
        if records < end - start + 1:  # a short reply is the last one
            return []
    else:
        end = records
    if total_records is not None and end >= total_records:
        return []
    if total_records is None and records == 0:
        return []
    settings = column_settings(text, source)
    if not settings.get("columnid"):
        return []
    url = urljoin(page.url, PROXY_PATH) + "?" + urlencode(
        [("startrecord", end + 1), ("endrecord", end + perpage), ("perpage", perpage)])
    return [(url, post_form(settings))]


def parse_list(page: Page, text: str, doc: HtmlElement, source: Source) -> ListPage:
    """Read the records of a column page's <datastore> (or a dataproxy.jsp reply) and the next proxy page."""
    records = _RECORD.findall(text)
    pattern = source.article_regex or re.compile(DEFAULT_ARTICLE_PATTERN)
    if records:
        fragment = parse_html("<ul>" + "".join(records) + "</ul>", page.url)
        entries = article_entries(fragment, page.url, pattern)
    else:
        entries = article_entries(doc, page.url, pattern)
    total_pages = _first_int(_TOTAL_PAGE, text)
    total_record = _first_int(_TOTAL_RECORD, text)
    asked = dict(parse_qsl(urlsplit(page.url).query)).get("perpage", "")
    perpage = int(source.options.get("perpage") or (asked if asked.isdigit() else 0) or _first_int(_PERPAGE, text)
                  or _DEFAULT_PERPAGE)
    if total_pages is None and total_record is not None and perpage:
        total_pages = -(-total_record // perpage)
    if source.options.get("proxy") == "post":
        forms = _post_next(page, text, source, len(records), total_record, perpage)
        return ListPage(entries=entries, next_forms=forms, total_pages=total_pages)
    current = int(dict(parse_qsl(urlsplit(page.url).query)).get("page", "1") or 1) if "dataproxy" in page.url else 1
    next_urls: list[str] = []
    nextgroup = _NEXTGROUP.search(text)
    if nextgroup and total_pages and current < total_pages:
        url = _proxy_url(page.url, nextgroup.group(1), current + 1)
        if url:
            next_urls.append(url)
    return ListPage(entries=entries, next_urls=next_urls, total_pages=total_pages)


def article_hints(doc: HtmlElement, text: str, url: str, fields: Extracted) -> None:
    """Hanweb article meta tags: ArticleTitle, PubDate, ContentSource."""
    if title := meta_content(doc, "articletitle"):
        fields.title = title.strip()
    if pub := meta_content(doc, "pubdate"):
        fields.published_raw = pub
    if origin := meta_content(doc, "contentsource"):
        fields.origin = origin.strip()
