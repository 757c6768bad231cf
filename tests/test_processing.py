"""Reprocessing the store from its kept raw pages, without crawling: same result, manual labels survive."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from aggregator.classify import default_classifier
from aggregator.dates import SHANGHAI
from aggregator.processing import reprocess
from aggregator.sources import load_registry
from aggregator.store import open_store
from aggregator.store.models import Article, ManualLabel, Story
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
