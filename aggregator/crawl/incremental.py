"""What the store knows that makes a crawl incremental and resumable (plain functions over a session).

- stored article URLs (and their aliases) are not fetched again unless --refresh;
- URLs parked in fetch_status (deleted pages, verification gates) wait for their next attempt;
- list-page validators (ETag / Last-Modified) in http_cache make list requests conditional;
- a dated list page (an e-paper's page of one issue) fetched by a finished run after its day ended is
  settled: an issue does not change once its day is over, so it is not fetched again;
- crawl_state records when each source's crawl started and finished. A start without a finish means the
  last crawl was killed: the next run resumes it by paging past list pages that hold only stored articles
  (the normal stop rule would end there and miss the older part of the window that was never reached).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from aggregator.dates import SHANGHAI, date_from_url
from aggregator.store.models import Article, ArticleAlias, CrawlState, FetchStatus, HttpCache


def known_urls(session: Session, urls: Iterable[str]) -> set[str]:
    """The URLs among `urls` that are stored, as an article or as an alias of one."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):  # stay far below SQLite's bound-parameter limit
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(Article.url).where(Article.url.in_(chunk))))
        found.update(session.scalars(select(ArticleAlias.url).where(ArticleAlias.url.in_(chunk))))
    return found


def parked_urls(session: Session, urls: Iterable[str], now: datetime) -> dict[str, str]:
    """URLs that fetch_status says not to fetch yet (deleted for good, or waiting for their next attempt)."""
    wanted = list(dict.fromkeys(urls))
    parked: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        rows = session.scalars(select(FetchStatus).where(
            FetchStatus.url.in_(wanted[start : start + 500]),
            or_(FetchStatus.next_attempt_at.is_(None), FetchStatus.next_attempt_at > now)))
        for row in rows:
            parked[row.url] = row.status
    return parked


def validators(session: Session, url: str) -> tuple[str | None, str | None] | None:
    """(ETag, Last-Modified) remembered for a list URL, or None."""
    row = session.get(HttpCache, url)
    if row is None or not (row.etag or row.last_modified):
        return None
    return row.etag, row.last_modified


def save_validators(session: Session, rows: Iterable[tuple[str, str | None, str | None]], now: datetime) -> int:
    """Remember (url, ETag, Last-Modified) of list pages answered in a finished run; returns how many."""
    count = 0
    for url, etag, last_modified in rows:
        row = session.get(HttpCache, url)
        if row is None:
            row = HttpCache(url=url, checked_at=now)
            session.add(row)
        row.etag, row.last_modified, row.checked_at = (etag or None), (last_modified or None), now
        count += 1
    session.flush()
    return count


def settled(session: Session, url: str) -> bool:
    """True when `url` is dated and a finished run fetched it after its day was over."""
    dated = date_from_url(url)
    if dated is None:
        return False
    row = session.get(HttpCache, url)
    return row is not None and row.checked_at.astimezone(SHANGHAI).date() > dated.value.date()


def begin_crawl(session: Session, source_ids: Iterable[str], now: datetime, run_id: int | None) -> set[str]:
    """Mark the sources' crawls as started; return those whose previous crawl started and never finished."""
    interrupted: set[str] = set()
    for source_id in source_ids:
        row = session.get(CrawlState, source_id)
        if row is None:
            row = CrawlState(source_id=source_id)
            session.add(row)
        elif row.started_at is not None and row.finished_at is None:
            interrupted.add(source_id)
        row.started_at, row.finished_at, row.run_id = now, None, run_id
    session.flush()
    return interrupted


def finish_crawl(session: Session, source_ids: Iterable[str], now: datetime) -> None:
    """Mark the sources' crawls as finished (the spider closed normally)."""
    for source_id in source_ids:
        row = session.get(CrawlState, source_id)
        if row is None:
            row = CrawlState(source_id=source_id, started_at=now)
            session.add(row)
        row.finished_at = now
    session.flush()
