"""The story index's statements on SQLite and PostgreSQL: the rows it writes and the candidates it finds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, cast, delete, insert, select

from aggregator.store import Store
from aggregator.store.models import Article, Source, StoryBand, StorySignature
from aggregator.store.types import SHANGHAI
from aggregator.stories.evaluate import Item, read_items
from aggregator.stories.features import FEATURES_VERSION, extract
from aggregator.stories.index import StoryIndex, make_entry
from aggregator.stories.minhash import to_bytes
from tests._stores import any_db_url, any_store, pg_template, pg_url  # noqa: F401

DATA = Path(__file__).parent / "data"
_BANDS, _SIGNATURES = StoryBand.__table__, StorySignature.__table__


@pytest.fixture(scope="module")
def items() -> list[Item]:
    return read_items(DATA / "stories_labeled.jsonl")


def day_of(item: Item) -> int:
    return item.published.date().toordinal() if item.published else 0


def add_articles(session: Any, items: list[Item]) -> list[int]:
    """Articles for `items` (story_signatures rows need one), not matched."""
    session.add(Source(id="idx", name="索引测试", kind="site", family="generic", config={}))
    fetched = datetime(2025, 1, 1, tzinfo=SHANGHAI)
    articles = [Article(url=f"idx:{item.id}", source_id="idx", title=item.title, body_text=item.text,
                        published_at=item.published, fetched_at=fetched, status="ok", extra={})
                for item in items]
    session.add_all(articles)
    session.flush()
    return [a.id for a in articles]


def index_rows(session: Any) -> tuple[list[Any], list[Any]]:
    """Every row of both index tables, the JSON facts as the database stores their text."""
    s = _SIGNATURES.c
    signatures = session.execute(select(s.article_id, s.signature, s.shingles, s.day, s.version,
                                        cast(s.facts, Text)).order_by(s.article_id)).all()
    bands = session.execute(select(_BANDS).order_by(_BANDS.c.key, _BANDS.c.day, _BANDS.c.article_id)).all()
    return [tuple(row) for row in signatures], [tuple(row) for row in bands]


def test_add_many_writes_what_insert_writes(any_store: Store, items: list[Item]) -> None:  # noqa: F811
    """add_many hands the driver tuples (insert_rows): the rows must be those of insert() with dicts."""
    chosen = items[:12]
    with any_store.session() as session:
        ids = add_articles(session, chosen)
        features = [extract(item.title, item.text, day_of(item)) for item in chosen]
        entries = [make_entry(article_id, f) for article_id, f in zip(ids, features, strict=True)]
        # What add_many wrote before insert_rows: SQLAlchemy's executemany of dicts.
        session.execute(insert(_SIGNATURES), [
            {"article_id": e.article_id, "signature": to_bytes(e.signature), "shingles": int(f.shingles.size),
             "day": e.day, "version": FEATURES_VERSION, "facts": f.facts()}
            for e, f in zip(entries, features, strict=True)])
        session.execute(insert(_BANDS), [{"key": k, "day": e.day, "article_id": e.article_id, "band": band}
                                         for e in entries
                                         for band, k in [*enumerate(e.lsh), *((64, k) for k in e.anchors)]])
        expected = index_rows(session)
        session.execute(delete(_BANDS))
        session.execute(delete(_SIGNATURES))
        StoryIndex(session).add_many((e, f, "") for e, f in zip(entries, features))
        got = index_rows(session)
    assert got == expected
    assert len(got[0]) == 12 and len(got[1]) == sum(len(e.lsh) + len(e.anchors) for e in entries)
    assert any('"anchors"' in str(row[5]) for row in got[0])  # the facts went through the JSON serialiser
