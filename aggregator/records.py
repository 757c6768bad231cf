"""Typed records passed between the stages: fetched pages, list pages and articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Page:
    """One fetched response: what a parser reads and what the store keeps (compressed) for reprocessing."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first value
    status: int = 200
    fetched_at: datetime | None = None
    encoding: str | None = None  # forced encoding (from the source registry), else detected

    def header(self, name: str) -> str | None:
        """Return a response header by case-insensitive name."""
        return self.headers.get(name.lower())


@dataclass(slots=True)
class ListEntry:
    """A link found on a list page, with what the list says about it."""

    url: str
    title: str = ""
    date_raw: str | None = None


@dataclass(slots=True)
class ListPage:
    """What a list parser found: article links and further list pages."""

    entries: list[ListEntry] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)
    # Further list pages that are fetched with POST: (URL, form fields) (Hanweb's dataproxy.jsp).
    next_forms: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    total_pages: int | None = None
    # True: next_urls continue the list into older items (the stop rule applies); False: they are index or
    # sibling pages (an e-paper's issues and its other pages), always followed.
    paged: bool = True


@dataclass(slots=True)
class ArticleRecord:
    """An article as parsed and then normalized; the store's `articles` row is built from it."""

    url: str
    source_id: str
    title: str = ""
    published_raw: str | None = None  # as the page shows it; normalize turns it into published_at
    published_at: datetime | None = None
    published_precise: bool = False
    author: str | None = None
    origin: str | None = None  # 来源: the outlet the article names as its origin
    byline: str | None = None  # 本报讯（记者…）, kept apart from the text it leads
    body_text: str = ""
    body_html: str = ""
    summary: str = ""
    region: str | None = None  # province short name, or "全国" for national items
    city: str | None = None
    images: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other URLs of the same article (short links)
    wechat_account: str | None = None
    wechat_biz: str | None = None
    wechat_mid: str | None = None
    wechat_idx: str | None = None
    page_type: str = "article"
    status: str = "ok"  # ok | truncated | deleted | blocked | empty
    content_hash: str | None = None
    section: str | None = None
    section_confidence: float | None = None
    section_origin: str | None = None  # rule | model | manual
    section_model: str | None = None
    needs_review: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def wechat_key(self) -> tuple[str, str, str] | None:
        """The canonical WeChat identity (__biz, mid, idx), when known."""
        if self.wechat_biz and self.wechat_mid and self.wechat_idx:
            return (self.wechat_biz, self.wechat_mid, self.wechat_idx)
        return None


@dataclass(slots=True)
class ArticleItem:
    """What spiders yield: the parsed record and the page it came from."""

    record: ArticleRecord
    page: Page | None = None
    list_entry: ListEntry | None = None
