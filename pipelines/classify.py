"""ClassifyPipeline: the digest section of each article (aggregator.classify)."""

from __future__ import annotations

from typing import Self

from scrapy.crawler import Crawler

from aggregator.classify import SectionClassifier, default_classifier
from aggregator.processing import classify_record
from aggregator.records import ArticleItem


class ClassifyPipeline:
    """Set section, confidence, origin, model and review flag on each record."""

    def __init__(self, classifier: SectionClassifier) -> None:
        self.classifier = classifier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(default_classifier())

    def process_item(self, item: ArticleItem) -> ArticleItem:
        classify_record(item.record, self.classifier)
        return item
