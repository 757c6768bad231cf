"""The store's writes: exact duplicates merge, a complete copy replaces a truncated one, editors' labels win."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from aggregator.dates import SHANGHAI
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Registry, Source
from aggregator.store import Store
from aggregator.store.models import Article, ArticleAlias, ManualLabel
from aggregator.store.writer import save_article, sync_sources

NOW = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)


def record(status: str = "ok", **fields: object) -> ArticleRecord:
    base = dict(url="https://www.example.cn/a/1.html", source_id="ex", title="某市总工会召开集体协商推进会",
                published_at=datetime(2025, 7, 24, 9, tzinfo=SHANGHAI), body_text="正文。" * 20, status=status,
                section="构建和谐劳动关系", section_confidence=0.4, section_origin="model", section_model="m-1",
                needs_review=True, content_hash="h1")
    base.update(fields)
    return ArticleRecord(**base)  # type: ignore[arg-type]


def prepare(store: Store) -> None:
    with store.session() as session:
        sync_sources(session, Registry(path=None, sources={"ex": Source(id="ex", name="示例", lists=("https://www.example.cn/",))}))  # type: ignore[arg-type]


def test_complete_copy_replaces_truncated_one_and_keeps_the_editors_label(store: Store) -> None:
    prepare(store)
    page = Page(url="https://www.example.cn/a/1.html", body=b"<html></html>", fetched_at=NOW)
    with store.session() as session:
        first = save_article(session, record(status="truncated", body_text="正文。"), page, NOW)
        session.add(ManualLabel(article_id=first.article.id, section="组织建设", labelled_at=NOW, editor="test"))
    with store.session() as session:
        result = save_article(session, record(), page, NOW)
        assert result.status == "updated"
    with store.sessions() as session:
        article = session.scalars(select(Article)).one()
    assert article.status == "ok" and article.body_text == "正文。" * 20
    assert (article.section, article.section_origin, article.section_confidence) == ("组织建设", "manual", 1.0)
    assert article.needs_review is False and article.section_model is None


def test_same_article_under_an_alias_is_a_duplicate(store: Store) -> None:
    prepare(store)
    with store.session() as session:
        save_article(session, record(), None, NOW)
    with store.session() as session:
        result = save_article(session, record(url="https://www.example.cn/a/1-mobile.html",
                                              aliases=["https://www.example.cn/a/1.html"]), None, NOW)
        assert result.status == "duplicate"
    with store.sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 1
        assert session.get(ArticleAlias, "https://www.example.cn/a/1-mobile.html") is not None
