"""The processing chain without Scrapy: classify, store, group into stories; and reprocessing of the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.classify import SectionClassifier
from aggregator.classify.editing import apply_decision, apply_manual
from aggregator.clock import crawl_now
from aggregator.extract import extract_article
from aggregator.normalize import normalize_record
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Registry
from aggregator.store import Store
from aggregator.store.models import Article, ManualLabel, RawPage
from aggregator.store.writer import (SaveResult, apply_record, identity_keys, insert_new, page_from_raw, save_article,
                                     stored_among)
from aggregator.stories import assign_stories, rebuild_stories

logger = logging.getLogger(__name__)


def classify_record(record: ArticleRecord, classifier: SectionClassifier, manual: str | None = None) -> ArticleRecord:
    """Set the record's section: an editor's label wins, else the classifier decides (and is named on the record)."""
    if manual:
        apply_manual(record, manual)
    else:
        apply_decision(record, classifier.classify(record.title, record.body_text))
    return record


def store_record(store: Store, record: ArticleRecord, page: Page | None, now: datetime, keep_raw: bool = True) -> SaveResult:
    """Save a normalized, classified record and attach it to its story, in one committed transaction."""
    with store.session() as session:
        return save_group(session, [(record, page)], now, keep_raw)[0]


def save_group(session: Session, batch: Sequence[tuple[ArticleRecord, Page | None]], now: datetime,
               keep_raw: bool = True) -> list[SaveResult]:
    """Save a group of records, then attach each new or changed article to its story, in the group's order.

    Runs of records the store surely lacks, and that are not the same article as one another, are inserted
    together (insert_new); any other record goes through save_article, after the run before it is inserted,
    so that it sees every earlier record of the group. Stories do not depend on the order articles are
    matched in, so matching after saving gives the groups that saving and matching one by one gives.
    """
    results: list[SaveResult | None] = [None] * len(batch)
    run: list[int] = []
    # The store is probed once for the group, before any of it is written. What an earlier record of the group
    # writes (its article, aliases, text, WeChat key) is known by that record's identity keys: a record sharing
    # one goes through save_article, which sees every earlier record.
    stored = stored_among(session, [record for record, _page in batch])
    earlier: set[tuple[str | None, ...]] = set()

    def insert_run() -> None:
        for i, article in zip(run, insert_new(session, [batch[i] for i in run], now, keep_raw)):
            results[i] = SaveResult("new", article)
        run.clear()

    for i, (record, page) in enumerate(batch):
        keys = identity_keys(record)
        surely_new = not record.aliases and not keys & earlier and not stored[i]
        earlier.update(keys)
        if surely_new:
            run.append(i)
            continue
        if run:
            insert_run()
        results[i] = save_article(session, record, page, now, keep_raw)
    if run:
        insert_run()
    saved = [result for result in results if result is not None]
    assert len(saved) == len(batch), "every record of the group has a result"
    assign_stories(session, [result.article for result in saved if result.status in ("new", "updated")])
    return saved


def store_batch(store: Store, batch: Sequence[tuple[ArticleRecord, Page | None]], now: datetime,
                keep_raw: bool = True) -> list[SaveResult | Exception]:
    """Save records in one committed transaction (one fsync for the lot); results in the batch's order.

    When the batch fails, each record is saved again in a transaction of its own, so that a bad record
    loses only itself and its error is returned in its place.
    """
    try:
        with store.session() as session:
            results: list[SaveResult | Exception] = list(save_group(session, batch, now, keep_raw))
        return results
    except Exception as exc:  # retried one by one below; the error of the culprit is reported there
        if len(batch) == 1:
            return [exc]
        logger.warning("saving a batch of %d articles failed (%s); saving them one by one", len(batch),
                       describe_error(exc))
    results = []
    for record, page in batch:
        try:
            results.append(store_record(store, record, page, now, keep_raw))
        except Exception as exc:
            results.append(exc)
    return results


def describe_error(exc: BaseException) -> str:
    """The error in a line: a database error's own message, without the statement and its parameters."""
    # SQLAlchemy's message repeats the statement with every parameter: whole article texts, megabytes for a group.
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0][:300] if lines else ''}"


@dataclass(slots=True)
class ReprocessReport:
    """What reprocessing did."""

    articles: int = 0
    changed_sections: int = 0
    failed: list[str] = field(default_factory=list)
    stories: int = 0


def reprocess(store: Store, registry: Registry, classifier: SectionClassifier, *, extract: bool = True,
              stories: bool = True, progress: Callable[[int, int], None] | None = None) -> ReprocessReport:
    """Re-run extraction, normalization and classification from the kept raw pages, then rebuild the stories."""
    report = ReprocessReport()
    if extract:
        with store.sessions() as session:
            ids = session.scalars(select(Article.id).where(Article.raw_page_id.is_not(None)).order_by(Article.id)).all()
        for done, article_id in enumerate(ids, 1):
            with store.session() as session:
                article = session.get(Article, article_id)
                raw = session.get(RawPage, article.raw_page_id) if article is not None else None
                if article is None or raw is None:
                    continue
                source = registry.sources.get(article.source_id)
                try:
                    page = page_from_raw(raw)
                    record = extract_article(page, source)
                    normalize_record(record, source, now=page.fetched_at or crawl_now())
                    label = session.get(ManualLabel, article.id)
                    classify_record(record, classifier, label.section if label else None)
                except Exception as exc:  # one bad page must not stop the others
                    logger.exception("reprocess: article %s (%s) failed", article_id, article.url)
                    report.failed.append(f"{article.url}: {exc}")
                    continue
                if record.section != article.section:
                    report.changed_sections += 1
                apply_record(article, record)
                report.articles += 1
            if progress:
                progress(done, len(ids))
    if stories:
        with store.session() as session:
            # The progress callback counts one call per item; the rebuild reports per batch of articles.
            # When extraction ran first its bar is spent, so the rebuild reports only when it runs alone.
            report.stories = rebuild_stories(session, progress=_per_item(progress) if progress and not extract else None)
    return report


def _per_item(progress: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """Adapt a one-call-per-item progress callback to one that is told (done, total) now and then."""
    seen = 0

    def report(done: int, total: int) -> None:
        nonlocal seen
        for n in range(seen + 1, done + 1):
            progress(n, total)
        seen = max(seen, done)

    return report
