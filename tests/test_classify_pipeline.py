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
