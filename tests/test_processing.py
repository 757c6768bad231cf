"""Reprocessing the store from its kept raw pages, without crawling: same result, manual labels survive."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aggregator.classify import default_classifier
from aggregator.dates import SHANGHAI
from aggregator.processing import reprocess, store_batch, store_record
from aggregator.records import ArticleRecord, Page
from aggregator.sources import load_registry
from aggregator.store import open_store
from aggregator.store.models import Article, ArticleAlias, ManualLabel, RawPage, Source, Story
from aggregator.store.worker import outcomes
from tests.conftest import SAMPLES


def _snapshot(db: str) -> dict[str, tuple[str, str | None, str]]:
    store = open_store(db)
    with store.sessions() as session:
        rows = {a.url: (a.title, a.section, a.body_text) for a in session.scalars(select(Article))}
    store.close()
    return rows


def test_reprocess_reproduces_the_crawl_and_keeps_manual_labels(demo_out: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "copy.db")
    shutil.copy(demo_out / "union_news.db", db)
    before = _snapshot(db)
    store = open_store(db)
    with store.session() as session:
        article = session.scalars(select(Article).where(Article.section == "维权服务").order_by(Article.id)).first()
        session.add(ManualLabel(article_id=article.id, section="组织建设", labelled_at=datetime.now(SHANGHAI), editor="test"))
        labelled_url = article.url
        stories_before = session.scalar(select(func.count(Story.id)))
    report = reprocess(store, load_registry(SAMPLES / "sources.toml"), default_classifier())
    with store.sessions() as session:
        stories_after = session.scalar(select(func.count(Story.id)))
    store.close()
    after = _snapshot(db)
    assert report.failed == []
    assert report.articles == len(before)
    assert stories_after == stories_before
    assert after[labelled_url][1] == "组织建设"
    changed = {url for url in before if before[url] != after[url]}
    assert changed == {labelled_url}


def _group_records(store_url: str) -> list[tuple[ArticleRecord, Page | None]]:
    """The labelled story set as crawled records, with copies inside the same group: a repeated URL, the same
    text of the same source at another URL, a record naming an alias, and a truncated copy then the full one."""
    from aggregator.stories.evaluate import read_items

    items = read_items(Path(__file__).parent / "data" / "stories_labeled.jsonl")
    outlets = sorted({item.outlet or "unknown" for item in items})
    source_of = {name: f"o{n}" for n, name in enumerate(outlets)}
    store = open_store(store_url)
    with store.session() as session:
        for name, sid in source_of.items():
            session.add(Source(id=sid, name=name, kind="site", family="generic", config={}))
    store.close()
    fetched = datetime(2025, 8, 1, 12, tzinfo=SHANGHAI)
    records: list[tuple[ArticleRecord, Page | None]] = []
    for n, item in enumerate(items):
        url = f"https://news.example.cn/{item.id}.html"
        record = ArticleRecord(url=url, source_id=source_of[item.outlet or "unknown"], title=item.title,
                               body_text=item.text, published_at=item.published, content_hash=f"h-{item.id}",
                               status="ok", section="工作动态", section_origin="model", section_confidence=0.8)
        page = Page(url=url, body=item.text.encode(), fetched_at=fetched) if n % 3 else None
        records.append((record, page))
        if n % 17 == 5:  # the same URL again, later in the group
            records.append((dataclasses.replace(record, title=record.title + "（重复）"), page))
        if n % 19 == 7:  # the same text of the same source at another URL
            records.append((dataclasses.replace(record, url=url + "?from=list"), None))
        if n % 23 == 11:  # a short link naming the article as an alias
            records.append((dataclasses.replace(record, url=url.replace(".html", "-m.html"), aliases=[url]), None))
        if n % 29 == 13:  # a truncated copy first, then the full text at the same URL
            records[-1] = (dataclasses.replace(record, status="truncated", body_text=item.text[:60],
                                               content_hash=f"t-{item.id}"), page)
            records.append((record, page))
    return records


def _state(store_url: str) -> dict[str, object]:
    store = open_store(store_url)
    with store.sessions() as session:
        groups: dict[int | None, list[str]] = {}
        for url, story in session.execute(select(Article.url, Article.story_id)):
            groups.setdefault(story, []).append(url)
        state = {
            "articles": sorted(session.execute(select(Article.id, Article.url, Article.status, Article.title,
                                                      Article.raw_page_id)).all()),
            "aliases": sorted(session.execute(select(ArticleAlias.url, ArticleAlias.article_id)).all()),
            "raw pages": session.scalar(select(func.count(RawPage.id))),
            "stories": sorted(sorted(g) for g in groups.values()),
        }
    store.close()
    return state


@pytest.mark.parametrize("group", [7, 50])
def test_saving_in_groups_equals_saving_one_by_one(tmp_path: Path, group: int, caplog: pytest.LogCaptureFixture) -> None:
    now = datetime(2025, 8, 1, 12, tzinfo=SHANGHAI)
    one_url, grouped_url = f"sqlite:///{tmp_path / 'one.db'}", f"sqlite:///{tmp_path / 'grouped.db'}"
    records = _group_records(one_url)
    _group_records(grouped_url)
    one, grouped = open_store(one_url), open_store(grouped_url)
    singles = [store_record(one, record, page, now) for record, page in records]
    batches = [store_batch(grouped, records[i:i + group], now) for i in range(0, len(records), group)]
    one.close()
    grouped.close()
    statuses = [r.status for r in singles]
    assert [r.status for batch in batches for r in batch] == statuses  # type: ignore[union-attr]
    assert {"new", "duplicate", "updated"} <= set(statuses)  # the set exercises every path
    assert "one by one" not in caplog.text  # no group failed and fell back to saving its records one by one
    state = _state(grouped_url)
    assert state == _state(one_url)
    assert len(state["stories"]) < len(state["articles"])  # type: ignore[arg-type]  # reposts did join stories


def test_a_failed_group_is_saved_one_by_one_and_logged_in_a_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    records = _group_records(store_url)[:12]
    bad = dataclasses.replace(records[5][0], url="https://news.example.cn/bad.html", source_id="no-such-source")
    records[5] = (bad, None)
    store = open_store(store_url)
    try:
        with caplog.at_level(logging.WARNING, logger="aggregator.processing"):
            results = store_batch(store, records, datetime(2025, 8, 1, 12, tzinfo=SHANGHAI))
    finally:
        store.close()
    assert isinstance(results[5], Exception)
    assert all(not isinstance(r, Exception) for i, r in enumerate(results) if i != 5)
    warning = next(r.getMessage() for r in caplog.records if "one by one" in r.getMessage())
    assert "IntegrityError" in warning and "FOREIGN KEY" in warning.upper()
    assert len(warning) < 500  # not the statement with every article's text
    assert outcomes(results)[5].error is not None and len(outcomes(results)[5].error or "") < 400
