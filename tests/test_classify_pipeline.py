"""ClassifyPipeline: the Scrapy adapter sets each record's section from the shipped classifier."""

from __future__ import annotations

from scrapy.utils.test import get_crawler

from aggregator.classify import default_classifier
from aggregator.records import ArticleItem, ArticleRecord
from pipelines.classify import ClassifyPipeline


def test_pipeline_classifies_records_with_the_classifier_in_use() -> None:
    pipeline = ClassifyPipeline.from_crawler(get_crawler())
    record = ArticleRecord(url="https://c.example/1", source_id="src", title="本市明天有雷阵雨 最高气温35摄氏度",
                           body_text="市气象台预报，明天午后全市有雷阵雨，最高气温35摄氏度，请市民注意防暑和防雷。")
    item = pipeline.process_item(ArticleItem(record))
    assert item.record.section == "none"
    assert item.record.section_model == default_classifier().version
    assert item.record.section_origin == "model" and item.record.needs_review is False
    assert item.record.extra["section_evidence"][0].startswith("lexicon: no union marker")


def test_a_broken_model_does_not_stop_the_crawl(tmp_path, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """The rules and the lexicon still decide; the decision says no model took part and asks for review."""
    from aggregator import settings
    from aggregator.classify import default_classifier as cached

    (tmp_path / "CURRENT").write_text("missing.json.gz\n")
    monkeypatch.setattr(settings, "UNION_NEWS_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(settings, "UNION_NEWS_MODEL", "")
    cached.cache_clear()
    try:
        pipeline = ClassifyPipeline.from_crawler(get_crawler())
    finally:
        cached.cache_clear()
    assert "section model unusable" in caplog.text
    record = ArticleRecord(url="https://c.example/2", source_id="src", title="扬州市总工会为环卫工人送清凉",
                           body_text="扬州市总工会近日为环卫工人送去防暑药品和清凉饮品。")
    pipeline.process_item(ArticleItem(record))
    assert record.section == "维权服务"
    assert "sections-lr-" not in record.section_model and "lexicon" in record.section_model
    assert record.needs_review  # without the model nothing is sure
