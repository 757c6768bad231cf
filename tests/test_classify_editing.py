"""Editors and the store: manual labels always win (also through reprocessing), the review queue, retraining."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from threadpoolctl import threadpool_limits

from aggregator.classify import Lexicon, data_paths, default_classifier, load_taxonomy
from aggregator.classify.data import merge_examples
from aggregator.classify.editing import (
    ArticleNotFound,
    find_article,
    label_article,
    manual_examples,
    reclassify,
    review_queue,
    unlabel_article,
)
from aggregator.classify.taxonomy import Example, TaxonomyError
from aggregator.classify.training import train
from aggregator.dates import SHANGHAI
from aggregator.digest import build_week
from aggregator.processing import classify_record, reprocess
from aggregator.records import ArticleRecord
from aggregator.sources import load_registry
from aggregator.store import Store, open_store
from aggregator.store.models import Article, ArticleAlias, ManualLabel, Source
from tests.conftest import SAMPLES

NOW = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)
PATHS = data_paths()


def add_article(session: Any, url: str, title: str, body: str, published: datetime, **fields: Any) -> Article:
    """Insert an article (and its source once)."""
    if session.get(Source, "src") is None:
        session.add(Source(id="src", name="测试来源", kind="site", family="generic", authority=1, enabled=True,
                           verified=False, consecutive_failures=0, consecutive_empty=0))
    article = Article(url=url, source_id="src", title=title, body_text=body, published_at=published, fetched_at=NOW,
                      **fields)
    session.add(article)
    session.flush()
    return article


@pytest.fixture
def filled(store: Store) -> Store:
    """A store with three classified articles: one sure, one unsure, one unsure and already labelled."""
    with store.session() as session:
        add_article(session, "https://a.example/1", "常州市总工会为环卫工人送清凉", "常州市总工会近日为环卫工人送去防暑药品。",
                    datetime(2025, 7, 22, 9, tzinfo=SHANGHAI), section="维权服务", section_confidence=0.97,
                    section_origin="model", needs_review=False)
        add_article(session, "https://a.example/2", "某地工会开展活动", "某地工会近日开展活动。",
                    datetime(2025, 7, 23, 9, tzinfo=SHANGHAI), section="思想引领", section_confidence=0.41,
                    section_origin="model", needs_review=True)
        third = add_article(session, "https://a.example/3", "某市工会召开会议", "会议研究工作。",
                            datetime(2025, 7, 24, 9, tzinfo=SHANGHAI), section="组织建设", section_confidence=0.38,
                            section_origin="model", needs_review=True)
        session.add(ArticleAlias(url="https://mp.example/s/abc", article_id=third.id))
        label_article(session, third, "工作动态", NOW, "编辑甲", "全总部门")
    return store


def test_label_stores_the_editors_section_and_applies_it(filled: Store) -> None:
    with filled.session() as session:
        article = find_article(session, "https://a.example/2")
        label_article(session, article, "维权服务", NOW, "编辑乙", "服务职工")
    with filled.sessions() as session:
        label = session.get(ManualLabel, article.id)
        row = session.get(Article, article.id)
        assert (label.section, label.editor, label.note) == ("维权服务", "编辑乙", "服务职工")
        assert (row.section, row.section_origin, row.section_confidence, row.needs_review, row.section_model) == (
            "维权服务", "manual", 1.0, False, None)


def test_labelling_again_replaces_the_label(filled: Store) -> None:
    with filled.session() as session:
        article = find_article(session, "https://a.example/3")
        label_article(session, article, "组织建设", NOW)
    with filled.sessions() as session:
        assert [row.section for row in session.scalars(select(ManualLabel))] == ["组织建设"]


def test_find_article_by_id_url_and_alias(filled: Store) -> None:
    with filled.sessions() as session:
        by_url = find_article(session, "https://a.example/3")
        assert find_article(session, str(by_url.id)).id == by_url.id
        assert find_article(session, "https://mp.example/s/abc").id == by_url.id
        with pytest.raises(ArticleNotFound, match="union-news review"):
            find_article(session, "https://nowhere.example/")


def test_unknown_section_lists_the_sections(filled: Store) -> None:
    with filled.session() as session, pytest.raises(TaxonomyError, match="工作动态, 思想引领"):
        label_article(session, find_article(session, "https://a.example/1"), "体育", NOW)


def test_review_queue_lists_unsure_unlabelled_articles_only(filled: Store) -> None:
    with filled.sessions() as session:
        assert [a.url for a in review_queue(session)] == ["https://a.example/2"]
        assert review_queue(session, since=datetime(2025, 7, 24, tzinfo=SHANGHAI)) == []
        assert review_queue(session, section="维权服务") == []


def test_reclassify_decides_again_and_keeps_labels(filled: Store) -> None:
    classifier = default_classifier()
    with filled.session() as session:
        report = reclassify(session, classifier)
    assert (report.articles, report.manual) == (3, 1)
    with filled.sessions() as session:
        rows = {a.url: a for a in session.scalars(select(Article))}
    assert rows["https://a.example/3"].section == "工作动态" and rows["https://a.example/3"].section_origin == "manual"
    assert rows["https://a.example/1"].section == "维权服务"
    assert rows["https://a.example/1"].section_model == classifier.version
    assert rows["https://a.example/1"].extra["section_evidence"]


def test_unlabel_lets_the_classifier_decide(filled: Store) -> None:
    with filled.session() as session:
        article = find_article(session, "https://a.example/3")
        decision = unlabel_article(session, article, default_classifier())
        assert decision is not None and article.section_origin != "manual"
        assert unlabel_article(session, article, default_classifier()) is None
    with filled.sessions() as session:
        assert session.scalars(select(ManualLabel)).all() == []


def test_manual_labels_become_training_examples(filled: Store) -> None:
    with filled.sessions() as session:
        examples = manual_examples(session, 200)
    assert [(e.title, e.text, e.label) for e in examples] == [("某市工会召开会议", "会议研究工作。", "工作动态")]
    assert examples[0].origin.startswith("manual:")


def test_an_editors_label_replaces_a_shipped_example_with_the_same_title() -> None:
    shipped = [Example("标题甲", "正文", "none"), Example("标题乙", "正文", "none")]
    merged = merge_examples(shipped, [Example("标题甲", "正文", "工作动态", "manual:1")])
    assert sorted((e.title, e.label) for e in merged) == [("标题乙", "none"), ("标题甲", "工作动态")]


def test_train_learns_from_manual_labels_into_a_new_versioned_model(filled: Store, tmp_path: Path) -> None:
    taxonomy = load_taxonomy(PATHS["taxonomy"])
    with filled.sessions() as session:
        manual = manual_examples(session, 200)
    with threadpool_limits(1):
        result = train(PATHS["labels"], taxonomy, Lexicon(PATHS["lexicon"]), manual, tmp_path)
    assert result.manual == 1 and result.model.training["manual"] == 1
    assert result.model.name != default_classifier().model.name  # type: ignore[union-attr]
    assert result.path == tmp_path / f"{result.model.name}.json.gz" and result.path.exists()
    assert (tmp_path / "CURRENT").read_text().strip() == result.path.name


def test_classify_record_names_the_model_and_a_label_wins() -> None:
    classifier = default_classifier()
    record = ArticleRecord(url="https://a.example/9", source_id="src", title="杭州市开展网约配送员权益保障协商",
                           body_text="杭州市总工会推动平台企业与骑手代表开展协商。")
    classify_record(record, classifier)
    assert record.section == "构建和谐劳动关系" and record.section_model == classifier.version
    assert record.section_origin in ("rule", "model") and 0 < record.section_confidence <= 1
    classify_record(record, classifier, manual="组织建设")
    assert (record.section, record.section_origin, record.section_confidence, record.needs_review) == (
        "组织建设", "manual", 1.0, False)


@pytest.fixture
def demo_copy(demo_out: Path, tmp_path: Path) -> Store:
    """A private copy of the demo's store (the session's demo run stays untouched)."""
    target = tmp_path / "demo.db"
    shutil.copy(demo_out / "union_news.db", target)
    store = open_store(str(target))
    yield store
    store.close()


def test_demo_articles_record_the_classifier_that_decided(demo_copy: Store) -> None:
    with demo_copy.sessions() as session:
        models = {a.section_model for a in session.scalars(select(Article)) if a.section_origin != "manual"}
    assert models == {default_classifier().version}


def test_manual_label_survives_reprocessing_and_wins_in_the_digest(demo_copy: Store, expected: dict[str, Any]) -> None:
    story = "15-kunshan-songshui"
    url = next(u for u, p in expected["pages"].items() if p["story"] == story)
    with demo_copy.session() as session:
        article = find_article(session, url)
        assert article.section == "维权服务"
        label_article(session, article, "组织建设", NOW, "编辑丙")
        article_id = article.id
    report = reprocess(demo_copy, load_registry(SAMPLES / "sources.toml"), default_classifier())
    assert report.failed == [] and report.articles > 20
    with demo_copy.sessions() as session:
        row = session.get(Article, article_id)
        assert (row.section, row.section_origin) == ("组织建设", "manual")
        digest = build_week(session, "2025-W30")
    placed = {section: [i.url for i in items] for section, items in digest.sections}
    assert any(u in placed["组织建设"] for u in expected["stories"][story]["urls"])
    assert not any(u in placed["维权服务"] for u in expected["stories"][story]["urls"])
