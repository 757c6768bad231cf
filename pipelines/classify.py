"""ClassifyPipeline: the digest section of each article (aggregator.classify)."""

from __future__ import annotations

import logging
from typing import Self

from scrapy.crawler import Crawler

from aggregator.classify import SectionClassifier, TaxonomyError, default_classifier, load_classifier
from aggregator.processing import classify_record
from aggregator.records import ArticleItem

logger = logging.getLogger(__name__)


class ClassifyPipeline:
    """Set section, confidence, origin, model and review flag on each record."""

    def __init__(self, classifier: SectionClassifier) -> None:
        self.classifier = classifier

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        try:
            return cls(default_classifier())
        except TaxonomyError as exc:
            # A broken or missing model must not stop the crawl: the rules and the lexicon still decide, with
            # low confidence (so editors review everything), and section_model shows that no model was used.
            logger.error("section model unusable (%s); classifying with the rules and the lexicon only", exc)
            return cls(load_classifier(use_model=False))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        classify_record(item.record, self.classifier)
        return item
