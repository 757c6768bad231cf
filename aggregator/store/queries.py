"""Small read queries the crawl needs: is a URL already stored, what is the crawl's clock."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from aggregator.store.models import Article, ArticleAlias


def article_id_for(session: Session, url: str) -> int | None:
    """The id of the article stored under `url` or under an alias of it, else None."""
    found = session.scalar(select(Article.id).where(Article.url == url))
    if found is not None:
        return found
    return session.scalar(select(ArticleAlias.article_id).where(ArticleAlias.url == url))


def is_known(session: Session, url: str) -> bool:
    """True when the URL (canonical or alias) is stored."""
    return article_id_for(session, url) is not None
