"""The story index's statements on SQLite and PostgreSQL: the rows it writes and the candidates it finds."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Text, cast, delete, insert, select

from aggregator.store import Store
from aggregator.store.models import Article, Source, StoryBand, StorySignature
from aggregator.store.types import SHANGHAI
from aggregator.stories.evaluate import Item, insert_items, read_items
from aggregator.stories.features import FEATURES_VERSION, extract
from aggregator.stories.index import _CHUNK, MIN_SHARED_ANCHORS, Entry, StoryIndex, finds, make_entry
from aggregator.stories.match import WINDOW_DAYS
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
    """add_many hands the driver tuples (store.bulk.insert_tuples): the rows must be those of insert() with dicts."""
    chosen = items[:12]
    with any_store.session() as session:
        ids = add_articles(session, chosen)
        features = [extract(item.title, item.text, day_of(item)) for item in chosen]
        entries = [make_entry(article_id, f) for article_id, f in zip(ids, features, strict=True)]
        # What add_many wrote before insert_tuples: SQLAlchemy's executemany of dicts.
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


def shifted_entries(items: list[Item], ids: dict[str, int]) -> list[Entry]:
    """Entries to look up: each item as stored (its own id, left out of its candidates), as a new article on
    its day and 2, 5 and 40 days later (inside, outside and far outside the anchor window); last, one that the
    signature precheck drops."""
    entries = []
    for n, item in enumerate(items):
        features = extract(item.title, item.text, day_of(item))
        entries.append(make_entry(ids[item.id], features))
        for k, days in enumerate((0, 2, 5, 40)):
            later = extract(item.title, item.text, day_of(item) + days if day_of(item) else 0)
            entries.append(make_entry(-1 - 4 * n - k, later))
    # The bands of a stored article with a signature that shares nothing with it: met through a band, then
    # dropped by the signature precheck.
    entries.append(dataclasses.replace(entries[0], article_id=-10_000, anchors=(),
                                       signature=np.zeros_like(entries[0].signature)))
    return entries


def test_the_group_lookup_gives_each_entry_what_its_own_lookup_gives(any_store: Store,  # noqa: F811
                                                                       items: list[Item]) -> None:
    """candidates_many reads the rows of all keys at once (over several statements of _CHUNK keys and several
    day ranges) and must find, for every entry, exactly what candidates(entry) finds."""
    ids = insert_items(any_store, items)
    entries = shifted_entries(items, ids)
    assert sum(len(e.lsh) for e in entries) > 4 * _CHUNK  # several LSH statements, the last one padded
    with any_store.sessions() as session:
        index = StoryIndex(session)
        together = index.candidates_many(entries)
        alone = [index.candidates(entry) for entry in entries]
    assert [found for found, _met in together] == alone
    assert all(found <= met for found, met in together)
    assert all(entry.article_id not in met for entry, (_found, met) in zip(entries, together, strict=True))
    # Every kind of candidate occurs: by anchors only (a rewrite), by a band only (the copy 40 days later).
    stored = {entry.article_id: entry for entry in entries if entry.article_id > 0}
    kinds = {(proposes_by_anchors(entry, stored[a]), bool(set(entry.lsh) & set(stored[a].lsh)))
             for entry, found in zip(entries, alone, strict=True) for a in found}
    assert {(True, False), (False, True)} <= kinds
    assert alone[-1] == set() and entries[0].article_id in together[-1][1]


def proposes_by_anchors(a: Entry, b: Entry) -> bool:
    return abs(a.day - b.day) <= WINDOW_DAYS and len(set(a.anchors) & set(b.anchors)) >= MIN_SHARED_ANCHORS


def test_finds_is_what_the_lookup_finds(store: Store, items: list[Item]) -> None:
    """assign_stories finds the articles it indexed itself with finds(), in memory, as the database would."""
    ids = insert_items(store, items)
    entries = shifted_entries(items, ids)
    with store.sessions() as session:
        index = StoryIndex(session)
        stored = index.stored(ids.values())
        pairs = 0
        for entry in entries:
            found = index.candidates(entry)
            assert found == {a for a, other in stored.items() if finds(entry, other)}, entry.article_id
            pairs += len(found)
    assert pairs > 100
