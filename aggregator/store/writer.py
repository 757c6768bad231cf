"""Writes to the store: sources from the registry, raw pages, articles (exact dedup), fetch failures."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from aggregator.records import ArticleRecord, Page
from aggregator.search import sort_key
from aggregator.sources import Registry
from aggregator.store.bulk import insert_numbered, insert_returning, insert_rows, known_objects
from aggregator.store.driver import execute_compiled
from aggregator.store.models import Article, ArticleAlias, FetchStatus, ManualLabel, RawPage, Source

# Fields copied from a record onto its article row.
_FIELDS = ("title", "published_at", "published_precise", "author", "origin", "byline", "wechat_account", "wechat_biz",
           "wechat_mid", "wechat_idx", "region", "city", "body_text", "body_html", "summary", "images",
           "content_hash", "page_type", "status", "section", "section_confidence", "section_origin", "section_model",
           "needs_review")
_RANK = {"ok": 3, "truncated": 2, "empty": 1}


@dataclass(slots=True)
class SaveResult:
    """What saving a record did: new article, duplicate of a stored one, or an update of a worse copy."""

    status: str  # new | duplicate | updated
    article: Article


def sync_sources(session: Session, registry: Registry) -> None:
    """Insert or update the sources table from the registry (sources are never deleted: articles point at them)."""
    existing = {s.id: s for s in session.scalars(select(Source))}
    for src in registry.sources.values():
        row = existing.get(src.id) or Source(id=src.id, consecutive_failures=0, consecutive_empty=0)
        row.name, row.kind, row.family, row.region = src.name, src.kind, src.family, src.region
        row.authority, row.home, row.enabled, row.verified = src.authority, src.home, src.enabled, src.verified
        row.config = {"lists": list(src.lists), "mirrors": [m.url for m in src.mirrors], "account": src.account,
                      "biz": src.biz, "note": src.note, "names": list(src.names)}
        if src.id not in existing:
            session.add(row)
    session.flush()


def compress(body: bytes) -> bytes:
    """zlib-compress a raw body for keeping."""
    # Level 3, the best of zlib's fast strategy (levels 1-3): on real article pages (~220 KB) it takes half the
    # time of the default level 6 (2.0 against 4.1 ms a page, the costliest step of writing one) for about 8%
    # more bytes. Any level decompresses the same way.
    return zlib.compress(body, 3)


def decompress(data: bytes) -> bytes:
    """Undo compress()."""
    return zlib.decompress(data)


def page_from_raw(raw: RawPage) -> Page:
    """The Page a stored raw response came from (for reprocessing)."""
    return Page(url=raw.url, body=decompress(raw.body), headers=dict(raw.headers or {}), status=raw.status,
                fetched_at=raw.fetched_at, encoding=raw.encoding)


_ARTICLE_ROWS, _ALIAS_ROWS, _RAW_ROWS = Article.__table__, ArticleAlias.__table__, RawPage.__table__


def _probe(urls: int, hashes: int, keys: int) -> Any:
    """The store probe for so many URLs, text hashes and WeChat keys: a row (kind, values) for each one found.

    A NULL parameter never matches (x = NULL is unknown). WeChat keys are matched on __biz and mid here and on
    the whole key by the caller.
    """
    def named(prefix: str, count: int) -> list[Any]:
        return [bindparam(f"{prefix}{i}") for i in range(count)]

    parts = [select(literal("url"), _ARTICLE_ROWS.c.url, literal(None), literal(None))
             .where(_ARTICLE_ROWS.c.url.in_(named("u", urls))),
             select(literal("url"), _ALIAS_ROWS.c.url, literal(None), literal(None))
             .where(_ALIAS_ROWS.c.url.in_(named("u", urls)))]
    if hashes:
        parts.append(select(literal("text"), _ARTICLE_ROWS.c.source_id, _ARTICLE_ROWS.c.content_hash, literal(None))
                     .where(_ARTICLE_ROWS.c.content_hash.in_(named("h", hashes))))
    if keys:
        parts.append(select(literal("wechat"), _ARTICLE_ROWS.c.wechat_biz, _ARTICLE_ROWS.c.wechat_mid,
                            _ARTICLE_ROWS.c.wechat_idx)
                     .where(_ARTICLE_ROWS.c.wechat_biz.in_(named("b", keys)),
                            _ARTICLE_ROWS.c.wechat_mid.in_(named("m", keys))))
    return union_all(*parts)


_PROBE_CHUNK = 200  # records per query: well under any database's limit of bound parameters


def may_be_stored(db: Session | Connection, record: ArticleRecord) -> bool:
    """False when the store surely holds neither this record nor a same-source copy of it (one indexed query).

    Most crawled articles are new; this lets them skip the ORM lookups of find_existing and same_source_copy.
    """
    return stored_among(db, [record])[0]


def stored_among(db: Session | Connection, records: Sequence[ArticleRecord]) -> list[bool]:
    """may_be_stored() of each record, with one query per 200 records.

    It runs once per crawled article and once per group: compiled once per number of values, run by the driver
    (see store.driver).
    """
    found: set[tuple[str | None, ...]] = set()
    for start in range(0, len(records), _PROBE_CHUNK):
        chunk = records[start : start + _PROBE_CHUNK]
        urls = list(dict.fromkeys(url for r in chunk for url in (r.url, *r.aliases)))
        hashes = list(dict.fromkeys(r.content_hash for r in chunk if r.content_hash))
        keys = list(dict.fromkeys(r.wechat_key for r in chunk if r.wechat_key))
        values: dict[str, Any] = {f"u{i}": url for i, url in enumerate(urls)}
        values.update((f"h{i}", content_hash) for i, content_hash in enumerate(hashes))
        for i, (biz, mid, _idx) in enumerate(keys):
            values[f"b{i}"], values[f"m{i}"] = biz, mid
        shape = ("stored_among", len(urls), len(hashes), len(keys))
        for kind, a, b, c in execute_compiled(db, shape, lambda: _probe(len(urls), len(hashes), len(keys)), values):
            found.add((kind, a) if kind == "url" else (kind, a, b) if kind == "text" else (kind, a, b, c))
    # The same keys identity_keys() makes, so a record is stored when one of them was found.
    return [bool(identity_keys(r) & found) for r in records]


def find_existing(session: Session, record: ArticleRecord) -> Article | None:
    """The stored article this record is: same canonical URL, an alias of it, or the same WeChat key."""
    for url in [record.url, *record.aliases]:
        found = session.scalar(select(Article).where(Article.url == url))
        if found is None:
            article_id = session.scalar(select(ArticleAlias.article_id).where(ArticleAlias.url == url))
            found = session.get(Article, article_id) if article_id is not None else None
        if found is not None:
            return found
    if record.wechat_key:
        biz, mid, idx = record.wechat_key
        return session.scalar(select(Article).where(Article.wechat_biz == biz, Article.wechat_mid == mid,
                                                    Article.wechat_idx == idx))
    return None


def same_source_copy(session: Session, record: ArticleRecord) -> Article | None:
    """An article of the same source with the same text (one story cross-listed at two URLs)."""
    if not record.content_hash:
        return None
    return session.scalar(select(Article).where(Article.source_id == record.source_id,
                                                Article.content_hash == record.content_hash).limit(1))


def add_aliases(session: Session, article: Article, urls: list[str]) -> None:
    """Record other URLs naming `article` (skipping its own and those already known)."""
    for url in dict.fromkeys(urls):
        if url and url != article.url and session.get(ArticleAlias, url) is None:
            if session.scalar(select(Article.id).where(Article.url == url)) is None:
                session.add(ArticleAlias(url=url, article_id=article.id))


def apply_record(article: Article, record: ArticleRecord) -> None:
    """Copy the record's fields onto the row."""
    for name in _FIELDS:
        setattr(article, name, getattr(record, name))
    article.extra = dict(record.extra)


def manual_label(session: Session, article_id: int) -> ManualLabel | None:
    """The editor's label of an article, if any."""
    return session.get(ManualLabel, article_id)


def raw_values(page: Page, source_id: str) -> dict[str, Any]:
    """The raw_pages column values of a fetched page, its body compressed."""
    return {"url": page.url, "source_id": source_id, "status": page.status, "headers": dict(page.headers),
            "body": compress(page.body), "encoding": page.encoding, "fetched_at": page.fetched_at}


def raw_row(page: Page, source_id: str) -> RawPage:
    """A fetched page as a raw_pages row (not added to a session), its body compressed."""
    return RawPage(**raw_values(page, source_id))


def article_values(record: ArticleRecord, page: Page | None, now: datetime) -> dict[str, Any]:
    """The articles column values of a new article from its record (fetched at the page's time, else now)."""
    values: dict[str, Any] = {name: getattr(record, name) for name in _FIELDS}
    values.update(url=record.url, source_id=record.source_id, extra=dict(record.extra),
                  fetched_at=page.fetched_at if page and page.fetched_at else now)
    return values


def save_raw(session: Session, page: Page, source_id: str) -> RawPage:
    """Keep a fetched page, compressed."""
    raw = raw_row(page, source_id)
    session.add(raw)
    session.flush()
    return raw


def resolves_provisional(article: Article, record: ArticleRecord) -> bool:
    """True when `article` is a WeChat article stored under its short link only and `record` names its key."""
    return (article.wechat_biz is None and record.wechat_key is not None and record.status == "ok"
            and article.url.startswith("https://mp.weixin.qq.com/s/") and record.url != article.url)


def _key_taken(session: Session, record: ArticleRecord, article_id: int) -> bool:
    biz, mid, idx = record.wechat_key or (None, None, None)
    owner = session.scalar(select(Article.id).where(Article.wechat_biz == biz, Article.wechat_mid == mid,
                                                    Article.wechat_idx == idx))
    return owner is not None and owner != article_id


def adopt_identity(session: Session, article: Article, record: ArticleRecord, page: Page | None, now: datetime,
                   keep_raw: bool = True) -> SaveResult:
    """Give a short-link WeChat article the key and long URL its page names; the short link becomes an alias."""
    short = article.url
    taken = session.get(ArticleAlias, record.url)
    if taken is not None and taken.article_id == article.id:
        session.delete(taken)
        session.flush()
    if taken is None or taken.article_id == article.id:
        article.url = record.url
        session.flush()
        add_aliases(session, article, [short])
    label = manual_label(session, article.id)
    apply_record(article, record)
    if label is not None:
        article.section, article.section_origin, article.section_confidence = label.section, "manual", 1.0
    article.updated_at = now
    if page is not None and keep_raw:
        article.raw_page_id = save_raw(session, page, record.source_id).id
    add_aliases(session, article, [record.url, *record.aliases])
    session.flush()
    return SaveResult("updated", article)


def save_article(session: Session, record: ArticleRecord, page: Page | None, now: datetime,
                 keep_raw: bool = True) -> SaveResult:
    """Insert the record, or merge it into the stored article it duplicates."""
    if not may_be_stored(session, record):
        return _insert(session, record, page, now, keep_raw)
    existing = find_existing(session, record)
    target = existing or same_source_copy(session, record)
    if target is not None and resolves_provisional(target, record) and not _key_taken(session, record, target.id):
        return adopt_identity(session, target, record, page, now, keep_raw)
    if existing is not None:
        add_aliases(session, existing, [record.url, *record.aliases])
        if _RANK.get(record.status, 0) > _RANK.get(existing.status, 0):
            # A complete copy replaces a truncated one; the URL and the id stay.
            label = manual_label(session, existing.id)
            apply_record(existing, record)
            if label is not None:
                # The editor's label wins; nothing about the classifier's decision on the new copy survives.
                existing.section, existing.section_origin, existing.section_confidence = label.section, "manual", 1.0
                existing.section_model, existing.needs_review = None, False
            existing.updated_at = now
            if page is not None and keep_raw:
                existing.raw_page_id = save_raw(session, page, record.source_id).id
            session.flush()
            return SaveResult("updated", existing)
        return SaveResult("duplicate", existing)
    if target is not None:  # no stored article of this URL: target is a same-source copy
        add_aliases(session, target, [record.url, *record.aliases])
        return SaveResult("duplicate", target)
    return _insert(session, record, page, now, keep_raw)


def _insert(session: Session, record: ArticleRecord, page: Page | None, now: datetime, keep_raw: bool) -> SaveResult:
    """Add the record as a new article (with its raw page)."""
    article = Article(**article_values(record, page, now))
    if page is not None and keep_raw:
        article.raw_page = raw_row(page, record.source_id)  # inserted first by the same flush
    session.add(article)
    session.flush()
    if record.aliases:
        add_aliases(session, article, record.aliases)
        session.flush()
    return SaveResult("new", article)


def identity_keys(record: ArticleRecord) -> set[tuple[str | None, ...]]:
    """What makes two records the same article for save_article: a URL, a same-source text, a WeChat key."""
    keys: set[tuple[str | None, ...]] = {("url", url) for url in (record.url, *record.aliases)}
    if record.content_hash:
        keys.add(("text", record.source_id, record.content_hash))
    if record.wechat_key:
        keys.add(("wechat", *record.wechat_key))
    return keys


def insert_new(session: Session, batch: Sequence[tuple[ArticleRecord, Page | None]], now: datetime,
               keep_raw: bool = True) -> list[Article]:
    """Insert records the store surely lacks (see may_be_stored) as new articles, with their raw pages, together.

    Two multi-row statements for the lot instead of two per article: the per-statement cost of the driver
    and the ORM is most of an insert's. Records with aliases are not taken (save_article records those).
    Returns the articles in the batch's order.
    """
    if any(record.aliases for record, _page in batch):
        raise ValueError("insert_new takes records without aliases; save them with save_article")
    sqlite = session.get_bind().dialect.name == "sqlite"
    kept = [(i, page, record.source_id) for i, (record, page) in enumerate(batch) if page is not None and keep_raw]
    raw_ids: dict[int, int] = {}
    if kept:
        rows = [raw_values(page, source_id) for _i, page, source_id in kept]
        # SQLite: the ids it gives, known without RETURNING; from here on the transaction holds the write
        # lock.
        ids = ([row["id"] for row in insert_numbered(session, _RAW_ROWS, rows)] if sqlite
               else insert_returning(session, RawPage, rows, "url", RawPage.id))
        raw_ids = {i: raw_id for (i, _page, _source), raw_id in zip(kept, ids)}
    values = [{**article_values(record, page, now), "raw_page_id": raw_ids.get(i)}
              for i, (record, page) in enumerate(batch)]
    if not sqlite:
        return insert_returning(session, Article, values, "url")
    # On SQLite every stored value is known here (ids included, see below), so nothing is read back: no
    # RETURNING of whole rows, bodies included, for the ORM to make objects of; they are made from the values.
    if len(values) == 1:
        # Nothing to put in order: SQLite numbers it, so no other writer can have taken its id, even when no
        # raw page took the write lock first (a group that failed is saved again one by one this way).
        return known_objects(session, Article, insert_numbered(session, _ARTICLE_ROWS, values))
    # The full-text index's trigger adds each article under sort_key(day, id). FTS5 writes out its pending
    # postings whenever a key is not above the last one, and a crawl (newest first, sources interleaved) comes
    # mostly in descending days: a segment per article, and the merging of them, cost more than indexing did.
    # So the ids are given here, in the batch's order as SQLite would have given them (its INTEGER PRIMARY KEY
    # takes max + 1), and the rows go in in the index's order. Should another writer take one of those ids in
    # between (possible only when no raw page was inserted above), the insert fails on the primary key (and
    # the group is saved again one by one): never a wrong id.
    first = (session.scalar(select(func.max(Article.id))) or 0) + 1
    for offset, row in enumerate(values):
        row["id"] = first + offset
    order = sorted(range(len(values)), key=lambda i: sort_key(values[i]["published_at"] or values[i]["fetched_at"],
                                                              values[i]["id"]))
    stored = dict(zip(order, insert_rows(session, _ARTICLE_ROWS, [values[i] for i in order])))
    return known_objects(session, Article, [stored[i] for i in range(len(values))])


def record_fetch_status(session: Session, url: str, source_id: str | None, status: str, now: datetime,
                        message: str | None = None, base_delay: timedelta = timedelta(hours=6)) -> FetchStatus:
    """Remember a page that gave no article (deleted, verification gate, blocked) and when to try it again."""
    row = session.get(FetchStatus, url)
    if row is None:
        row = FetchStatus(url=url, source_id=source_id, status=status, attempts=0, first_seen=now, last_attempt_at=now)
        session.add(row)
    row.attempts += 1
    row.status, row.last_attempt_at, row.message = status, now, message
    # Deleted pages stay deleted; a gate or a block is tried again later, backing off up to a week.
    row.next_attempt_at = None if status == "deleted" else now + min(base_delay * 2 ** (row.attempts - 1), timedelta(days=7))
    session.flush()
    return row


def summary_counts(session: Session) -> dict[str, Any]:
    """Row counts of the main tables (for reports)."""
    from sqlalchemy import func

    from aggregator.store.models import Story

    return {
        "articles": session.scalar(select(func.count(Article.id))) or 0,
        "stories": session.scalar(select(func.count(Story.id))) or 0,
        "sources": session.scalar(select(func.count(Source.id))) or 0,
    }
