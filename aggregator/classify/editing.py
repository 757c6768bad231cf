"""Editors and the store: manual labels (which always win), the review queue, re-deciding stored articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.classify.combined import Decision, SectionClassifier
from aggregator.classify.taxonomy import LABELS, Example, TaxonomyError
from aggregator.classify.text import lede
from aggregator.records import ArticleRecord
from aggregator.store.models import Article, ArticleAlias, ManualLabel


class ArticleNotFound(LookupError):
    """No stored article has this id or URL."""


def find_article(session: Session, ref: str) -> Article:
    """The article named by its id, its URL or an alias URL (a WeChat short link, a mirror link)."""
    ref = ref.strip()
    article: Article | None = None
    if ref.isdigit():
        article = session.get(Article, int(ref))
    if article is None:
        article = session.scalar(select(Article).where(Article.url == ref))
    if article is None:
        alias = session.get(ArticleAlias, ref)
        article = session.get(Article, alias.article_id) if alias is not None else None
    if article is None:
        raise ArticleNotFound(f"no stored article with id or URL {ref!r}; `union-news review` lists ids")
    return article


def check_section(section: str) -> str:
    """The section name if it is one of the six or `none`, else an error listing them."""
    if section not in LABELS:
        raise TaxonomyError(f"unknown section {section!r}; use one of: {', '.join(LABELS)}")
    return section


def apply_manual(article: Article | ArticleRecord, section: str) -> None:
    """Put an editor's section on an article row or record (manual: confidence 1, no review, no model)."""
    article.section, article.section_confidence, article.section_origin = section, 1.0, "manual"
    article.section_model, article.needs_review = None, False


def apply_decision(article: Article | ArticleRecord, decision: Decision) -> None:
    """Put a classifier's decision on an article row or record, with its evidence in `extra`."""
    article.section, article.section_confidence = decision.section, decision.confidence
    article.section_origin, article.section_model = decision.origin, decision.model
    article.needs_review = decision.needs_review
    article.extra = {**(article.extra or {}), "section_evidence": decision.evidence[:8]}


def label_article(session: Session, article: Article, section: str, now: datetime, editor: str | None = None,
                  note: str | None = None) -> ManualLabel:
    """Store (or replace) an editor's label and apply it to the article at once."""
    check_section(section)
    label = session.get(ManualLabel, article.id)
    if label is None:
        label = ManualLabel(article_id=article.id, section=section, labelled_at=now)
        session.add(label)
    label.section, label.labelled_at, label.editor, label.note = section, now, editor, note
    apply_manual(article, section)
    session.flush()
    return label


def unlabel_article(session: Session, article: Article, classifier: SectionClassifier) -> Decision | None:
    """Drop the editor's label and let the classifier decide again (None when there was no label)."""
    label = session.get(ManualLabel, article.id)
    if label is None:
        return None
    session.delete(label)
    decision = classifier.classify(article.title, article.body_text or "")
    apply_decision(article, decision)
    session.flush()
    return decision


@dataclass(slots=True)
class ReclassifyReport:
    """What re-deciding the stored articles did."""

    articles: int = 0
    changed: int = 0
    manual: int = 0
    needs_review: int = 0


def reclassify(session: Session, classifier: SectionClassifier) -> ReclassifyReport:
    """Decide every stored article again with `classifier`; editors' labels win and are re-applied."""
    report = ReclassifyReport()
    labels = {row.article_id: row.section for row in session.scalars(select(ManualLabel))}
    for article in session.scalars(select(Article).order_by(Article.id)):
        before = article.section
        if article.id in labels:
            apply_manual(article, labels[article.id])
            report.manual += 1
        else:
            apply_decision(article, classifier.classify(article.title, article.body_text or ""))
            report.needs_review += int(article.needs_review)
        report.articles += 1
        report.changed += int(article.section != before)
    session.flush()
    return report


def review_queue(session: Session, since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = None, section: str | None = None) -> list[Article]:
    """Articles the classifier was unsure about and no editor has labelled, newest first."""
    query = (select(Article).where(Article.needs_review.is_(True))
             .where(~select(ManualLabel.article_id).where(ManualLabel.article_id == Article.id).exists()))
    if since is not None:
        query = query.where(Article.published_at >= since)
    if until is not None:
        query = query.where(Article.published_at < until)
    if section is not None:
        query = query.where(Article.section == check_section(section))
    query = query.order_by(Article.published_at.desc(), Article.id.desc())
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def manual_examples(session: Session, lede_chars: int) -> list[Example]:
    """Editors' labels as training examples: the article's title and lede with the editor's section."""
    rows = session.execute(select(Article.id, Article.title, Article.body_text, ManualLabel.section)
                           .join(ManualLabel, ManualLabel.article_id == Article.id).order_by(Article.id))
    return [Example(title, lede(body or "", lede_chars), section, f"manual:{article_id}")
            for article_id, title, body, section in rows if title]
