"""Page parsers: (url, headers, body) -> ArticleRecord. Site selectors win; the generic extractor fills the rest."""

from __future__ import annotations

from aggregator.extract.generic import extract_generic
from aggregator.extract.html import decode_page, parse_html
from aggregator.extract.selectors import apply_selectors
from aggregator.extract.wechat import parse_wechat
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Source
from aggregator.text import clean_text
from aggregator.urls import WECHAT_HOST, canonical_url, host_of, wechat_url


def extract_article(page: Page, source: Source | None = None) -> ArticleRecord:
    """Parse one article page into a record (not yet normalized: dates stay as shown)."""
    text = decode_page(page)
    doc = parse_html(text, page.url)
    source_id = source.id if source else "unknown"
    if host_of(page.url) == WECHAT_HOST:
        return _wechat_record(doc, text, page, source_id)
    fields = extract_generic(doc, page.url)
    if source is not None and source.selectors:
        apply_selectors(doc, page.url, source.selectors, fields)
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
    tail = text[-2000:].lower()
    return len(body) > 2000 and "</html>" not in tail and "</body>" not in tail


def _wechat_record(doc, text: str, page: Page, source_id: str) -> ArticleRecord:  # type: ignore[no-untyped-def]
    wx = parse_wechat(doc, text, page.url)
    url = canonical_url(page.url) or page.url
    aliases: list[str] = []
    if wx.biz and wx.mid and wx.idx:
        long_url = wechat_url(wx.biz, wx.mid, wx.idx, wx.sn)
        if long_url != url:
            aliases.append(url)
        url = long_url
    record = ArticleRecord(
        url=url, source_id=source_id, title=wx.title, published_raw=wx.published_raw, author=wx.author,
        origin=wx.account, body_text=clean_text("\n".join(wx.body_lines)), body_html=wx.body_html,
        images=wx.images, aliases=aliases, wechat_account=wx.account, wechat_biz=wx.biz, wechat_mid=wx.mid,
        wechat_idx=wx.idx, page_type=f"wechat:{wx.page_type}",
        status={"ok": "ok", "deleted": "deleted", "verify": "blocked"}[wx.state],
        extra={k: v for k, v in {"source_url": wx.source_url, "original": wx.original, "ip_location": wx.ip_location,
                                 "user_name": wx.user_name}.items() if v},
    )
    if record.status == "ok" and not record.body_text:
        record.status = "empty"
    return record


__all__ = ["extract_article"]
