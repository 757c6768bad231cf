"""Page parsers: (url, headers, body) -> ArticleRecord. Site selectors win; the generic extractor fills the rest
(only its header reading when the selectors find headline, time and body)."""

from __future__ import annotations

from aggregator.extract.generic import extract_generic
from aggregator.extract.html import parse_page
from aggregator.extract.selectors import apply_selectors, selector_fields
from aggregator.extract.wechat import wechat_record
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Source
from aggregator.text import clean_text
from aggregator.urls import WECHAT_HOST, canonical_url, host_of


def extract_article(page: Page, source: Source | None = None) -> ArticleRecord:
    """Parse one article page into a record (not yet normalized: dates stay as shown)."""
    text, doc = parse_page(page)
    source_id = source.id if source else "unknown"
    if host_of(page.url) == WECHAT_HOST:
        return wechat_record(page, text, doc, source)
    selectors = source.selectors if source is not None else None
    fields = selector_fields(doc, page.url, selectors) if selectors else None
    if fields is None:
        fields = extract_generic(doc, page.url)
        if selectors:
            apply_selectors(doc, page.url, selectors, fields)
    if source is not None:
        from aggregator.families import family_hints

        family_hints(source.family, doc, text, page.url, fields)
    record = ArticleRecord(
        url=canonical_url(page.url) or page.url,
        source_id=source_id,
        title=fields.title,
        published_raw=fields.published_raw,
        author=fields.author,
        origin=fields.origin,
        body_text=clean_text("\n".join(fields.body_lines)),
        body_html=fields.body_html,
        images=fields.images,
    )
    if not record.body_text:
        record.status = "empty"
    elif _looks_truncated(page.body, text):
        record.status = "truncated"
    return record


def _looks_truncated(body: bytes, text: str) -> bool:
    """A page cut off in transfer: no closing </html> near the end of a large document."""
    if len(body) <= 2000:
        return False
    tail = text[-2000:]
    # Most pages close in lower case: found as written, the tail is not lower-cased (slow on Chinese text).
    if "</html>" in tail or "</body>" in tail:
        return False
    tail = tail.lower()
    return "</html>" not in tail and "</body>" not in tail


__all__ = ["extract_article"]
