"""The store's tables as typed SQLAlchemy 2 declarative models (documented column by column in docs/schema.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from aggregator.store.types import AwareDateTime


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {datetime: AwareDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A source from the registry (a website or a WeChat account), with its health."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # site | wechat
    family: Mapped[str] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))
    authority: Mapped[int] = mapped_column(Integer, default=1)
    home: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_seen: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    consecutive_empty: Mapped[int] = mapped_column(Integer, default=0)
    layout_warning: Mapped[str | None] = mapped_column(Text)


class RawPage(Base):
    """A fetched response body, zlib-compressed, kept so extraction can be re-run without crawling."""

    __tablename__ = "raw_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), index=True)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("sources.id"))
    status: Mapped[int] = mapped_column(Integer, default=200)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    encoding: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[datetime]


class Story(Base):
    """A group of articles reporting the same event, across outlets."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", use_alter=True, name="fk_stories_representative", ondelete="SET NULL")
    )
    size: Mapped[int] = mapped_column(Integer, default=1)
    outlets: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]

    articles: Mapped[list[Article]] = relationship(
        back_populates="story", foreign_keys="Article.story_id", order_by="Article.id"
    )
    representative: Mapped[Article | None] = relationship(foreign_keys=[representative_id], post_update=True)


class Article(Base):
    """One article at its canonical URL (WeChat: one per (__biz, mid, idx))."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("wechat_biz", "wechat_mid", "wechat_idx", name="uq_articles_wechat_key"),
        Index("ix_articles_published_at", "published_at"),
        Index("ix_articles_section_published", "section", "published_at"),
        Index("ix_articles_source_hash", "source_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sources.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    published_precise: Mapped[bool] = mapped_column(Boolean, default=False)
    fetched_at: Mapped[datetime]
    updated_at: Mapped[datetime | None]
    author: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str | None] = mapped_column(String(200))
    byline: Mapped[str | None] = mapped_column(Text)
    wechat_account: Mapped[str | None] = mapped_column(String(200))
    wechat_biz: Mapped[str | None] = mapped_column(String(64))
    wechat_mid: Mapped[str | None] = mapped_column(String(32))
    wechat_idx: Mapped[str | None] = mapped_column(String(8))
    region: Mapped[str | None] = mapped_column(String(32), index=True)
    city: Mapped[str | None] = mapped_column(String(64))
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    images: Mapped[list[Any]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    page_type: Mapped[str] = mapped_column(String(32), default="article")
    status: Mapped[str] = mapped_column(String(16), default="ok")
    section: Mapped[str | None] = mapped_column(String(32))
    section_confidence: Mapped[float | None] = mapped_column(Float)
    section_origin: Mapped[str | None] = mapped_column(String(16))  # rule | model | manual
    section_model: Mapped[str | None] = mapped_column(String(64))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id", ondelete="SET NULL"))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    source: Mapped[Source] = relationship()
    story: Mapped[Story | None] = relationship(back_populates="articles", foreign_keys=[story_id])
    raw_page: Mapped[RawPage | None] = relationship()


class ArticleAlias(Base):
    """Another URL naming an article: a WeChat short link, a mirror link, a mobile URL."""

    __tablename__ = "article_aliases"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)


class ManualLabel(Base):
    """An editor's section for an article; always wins over rules and models and survives reprocessing."""

    __tablename__ = "manual_labels"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    section: Mapped[str] = mapped_column(String(32))
    labelled_at: Mapped[datetime]
    editor: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class StorySignature(Base):
    """An article's entry in the story index: MinHash signature and the facts the matcher compares."""

    __tablename__ = "story_signatures"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # NUM_PERM little-endian uint32 minima
    shingles: Mapped[int] = mapped_column(Integer, default=0)  # size of the shingle set
    day: Mapped[int | None] = mapped_column(Integer)  # ordinal of the publication day (fetch day if undated)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # features version that wrote it
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # figures, people, quoted names, event day, places


class StoryBand(Base):
    """One index key of an article: an LSH band of its signature (band < 64) or an anchor fact (band 64).

    Articles sharing a band key are near-duplicate candidates; articles sharing two anchor keys within a few
    days are same-event candidates (aggregator/stories/index.py). The primary key (key, day, article_id) is
    the lookup itself, so a row costs one B-tree entry (WITHOUT ROWID on SQLite). No foreign key: an index
    row is removed through the article's stored signature, and a row left by a deleted article is ignored
    (candidates are joined with articles) until the next `union-news reprocess --stories`.
    """

    __tablename__ = "story_bands"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    band: Mapped[int] = mapped_column(Integer)


class CrawlRun(Base):
    """One crawl (or `run`): when, how it ended, and its report."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|ok|partial|failed|interrupted|killed
    exit_code: Mapped[int | None] = mapped_column(Integer)
    command: Mapped[str | None] = mapped_column(String(200))
    pid: Mapped[int | None] = mapped_column(Integer)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    sources: Mapped[list[CrawlRunSource]] = relationship(back_populates="run", order_by="CrawlRunSource.source_id")


class CrawlRunSource(Base):
    """Per-source figures of one crawl run."""

    __tablename__ = "crawl_run_sources"
    __table_args__ = (UniqueConstraint("run_id", "source_id", name="uq_crawl_run_sources"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="ok")  # ok | empty | failed | blocked
    pages: Mapped[int] = mapped_column(Integer, default=0)
    list_pages: Mapped[int] = mapped_column(Integer, default=0)
    article_links: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    blocked: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    empty_bodies: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)

    run: Mapped[CrawlRun] = relationship(back_populates="sources")


class HttpCache(Base):
    """Validators of list pages for conditional GET (ETag / Last-Modified)."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime]


class FetchStatus(Base):
    """URLs that did not yield an article (deleted, verification gate, blocked), retried later with backoff."""

    __tablename__ = "fetch_status"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    source_id: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(32))  # deleted | verify | blocked | error | truncated
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime]
    last_attempt_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    message: Mapped[str | None] = mapped_column(Text)


class CrawlState(Base):
    """Per source, when its last crawl started and finished: a start without a finish is a crawl to resume."""

    __tablename__ = "crawl_state"

    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    run_id: Mapped[int | None] = mapped_column(Integer)
