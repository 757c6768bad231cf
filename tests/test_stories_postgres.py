"""The story index on PostgreSQL: the same queries, the same stories as on SQLite."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.store import Store, open_store
from aggregator.stories import rebuild_stories
from aggregator.stories.evaluate import insert_items, read_items, stories_of
from tests.conftest import skip_or_fail

DATA = Path(__file__).parent / "data"
SERVER = os.environ.get("UNION_NEWS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store() -> Iterator[Store]:
    """A fresh database on the local PostgreSQL server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    try:
        admin = create_engine(SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = f"union_news_stories_{uuid.uuid4().hex[:10]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no driver, no rights
        skip_or_fail(f"PostgreSQL at {SERVER} is not available: {exc}")
    store = open_store(SERVER.rsplit("/", 1)[0] + "/" + name)
    try:
        yield store
    finally:
        store.close()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def groups(labels: dict[str, int]) -> list[list[str]]:
    return sorted(sorted(k for k in labels if labels[k] == s) for s in set(labels.values()))


def test_postgres_gives_the_sqlite_stories(pg_store: Store, store: Store) -> None:
    items = [i for i in read_items(DATA / "stories_labeled.jsonl") if i.cluster[:3] in ("s01", "s02", "s03", "n01", "n03")]
    on_pg = stories_of(pg_store, insert_items(pg_store, items))
    on_sqlite = stories_of(store, insert_items(store, items))
    assert groups(on_pg) == groups(on_sqlite)
    assert len(groups(on_pg)) == 5
    with pg_store.session() as session:
        assert rebuild_stories(session) == 5
