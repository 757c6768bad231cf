"""The WeChat crawl's decisions, without Scrapy: what a mirror item needs, and which pages wait for a retry.

For each mirror item (docs/wechat.md, "Crawl"):

- its link says what identity it has: the key of a long link, a short link, or nothing (temporary links);
- an article already stored under that identity is skipped (a short-link article stored from feed text alone
  is fetched again, to learn its key);
- a page that was deleted is never fetched again; one behind the verification gate, blocked or failed waits
  until its `next_attempt_at` (fetch_status, backing off) and is tried again on a later run;
- a temporary (Sogou) link names nothing until fetched: it is skipped when the account already has an article
  of the same title, so the same item is not fetched on every run;
- an item with the article's full text is stored without fetching when its link is a long one; with a short
  link the page is still fetched once to learn the key, and the feed's text is the fallback if it cannot be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aggregator.mirrors import FeedEntry
from aggregator.store.models import Article, FetchStatus
from aggregator.store.queries import article_id_for
from aggregator.store.writer import record_fetch_status
from aggregator.urls import WechatRef, parse_wechat_url

# fetch_status values the WeChat crawl writes (the column is free text; deleted is never retried).
FETCH_STATES = ("deleted", "verify", "expired", "blocked", "error", "empty")


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the store knows about an identity: stored (known), stored without its key (provisional), or not."""

    stored: str | None  # known | provisional | None
    retry: str  # new | due | deferred | gone


def entry_ref(entry: FeedEntry) -> WechatRef:
    """The identity a mirror item's link carries (mirror GUIDs are never used)."""
    return parse_wechat_url(entry.link)


def stored_state(session: Session, ref: WechatRef) -> str | None:
    """known, provisional (a short-link article whose key is not known yet) or None."""
    url = ref.url
    article_id = article_id_for(session, url) if url else None
    if article_id is None and ref.key:
        biz, mid, idx = ref.key
        article_id = session.scalar(select(Article.id).where(Article.wechat_biz == biz, Article.wechat_mid == mid,
                                                             Article.wechat_idx == idx))
    if article_id is None:
        return None
    article = session.get(Article, article_id)
    if article is not None and article.wechat_biz is None and parse_wechat_url(article.url).short_id:
        return "provisional"
    return "known"


def title_known(session: Session, source_id: str, title: str) -> bool:
    """True when the account already has an article of this exact title (how a temporary link is recognised)."""
    if not title.strip():
        return False
    return session.scalar(select(Article.id).where(Article.source_id == source_id, Article.title == title.strip())
                          .limit(1)) is not None


def retry_state(session: Session, url: str | None, now: datetime) -> str:
    """new (never failed), due (failed, its retry time has come), deferred (not yet) or gone (deleted)."""
    row = session.get(FetchStatus, url) if url else None
    if row is None:
        return "new"
    if row.next_attempt_at is None:
        return "gone"
    return "due" if row.next_attempt_at <= now else "deferred"


def lookup(session: Session, ref: WechatRef, now: datetime) -> Lookup:
    """The store's view of one identity (see Lookup)."""
    return Lookup(stored_state(session, ref), retry_state(session, ref.url, now))


def note_failure(session: Session, url: str, source_id: str, state: str, now: datetime, message: str) -> FetchStatus:
    """Remember a page that gave no article, so a later run retries it after a back-off (deleted: never)."""
    if state not in FETCH_STATES:
        raise ValueError(f"unknown fetch state {state!r} (one of {', '.join(FETCH_STATES)})")
    return record_fetch_status(session, url, source_id, state, now, message[:1000])


def clear_failure(session: Session, urls: list[str]) -> int:
    """Forget the failures of pages that have now given their article; returns the rows removed."""
    urls = [u for u in urls if u]
    if not urls:
        return 0
    result = session.execute(delete(FetchStatus).where(FetchStatus.url.in_(urls)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


__all__ = ["FETCH_STATES", "Lookup", "entry_ref", "stored_state", "title_known", "retry_state", "lookup",
           "note_failure", "clear_failure"]
