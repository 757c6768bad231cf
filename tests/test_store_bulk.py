"""Multi-row inserts returning generated values in the order of the rows, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, select

from aggregator.dates import SHANGHAI
from aggregator.store import Store
from aggregator.store.bulk import insert_returning
from aggregator.store.models import RawPage, Story
from tests._stores import any_db_url, any_store, pg_template, pg_url  # noqa: F401

WHEN = datetime(2025, 7, 24, 9, tzinfo=SHANGHAI)


def raw_rows(urls: list[str]) -> list[dict[str, object]]:
    return [{"url": url, "source_id": None, "status": 200, "headers": {}, "body": url.encode(), "encoding": "utf-8",
             "fetched_at": WHEN} for url in urls]


def count_inserts(store: Store) -> list[str]:
    """Every INSERT statement the engine sends from now on (executemany counts once)."""
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_rest: seen.append(statement) if statement.startswith("INSERT") else None)
    return seen


def test_ids_come_back_in_the_order_of_the_rows(any_store: Store) -> None:
    urls = [f"https://www.example.cn/a/{n}.html" for n in (5, 1, 4, 2, 3)]
    with any_store.session() as session:
        ids = insert_returning(session, RawPage, raw_rows(urls), "url", RawPage.id)
    with any_store.sessions() as session:
        stored = dict(session.execute(select(RawPage.id, RawPage.url)).all())
    assert [stored[i] for i in ids] == urls
    assert ids == sorted(ids)  # given in the rows' order


def test_distinct_keys_go_in_one_statement(any_store: Store) -> None:
    seen = count_inserts(any_store)
    with any_store.session() as session:
        insert_returning(session, RawPage, raw_rows([f"https://www.example.cn/a/{n}.html" for n in range(30)]), "url",
                         RawPage.id)
    assert len(seen) == 1


def test_a_repeated_key_falls_back_to_ordered_returning(any_store: Store) -> None:
    urls = ["https://www.example.cn/a/1.html", "https://www.example.cn/a/2.html", "https://www.example.cn/a/1.html"]
    with any_store.session() as session:
        ids = insert_returning(session, RawPage, raw_rows(urls), "url", RawPage.id)
    with any_store.sessions() as session:
        stored = dict(session.execute(select(RawPage.id, RawPage.body)).all())
    assert len(set(ids)) == 3 and [stored[i] for i in ids] == [url.encode() for url in urls]


def test_a_mapped_class_comes_back_as_its_objects(any_store: Store) -> None:
    with any_store.session() as session:
        pages = insert_returning(session, RawPage, raw_rows(["https://b.cn/1", "https://a.cn/2"]), "url")
        assert [type(p) for p in pages] == [RawPage, RawPage]
        assert [p.url for p in pages] == ["https://b.cn/1", "https://a.cn/2"]


def test_a_table_and_an_integer_key(any_store: Store) -> None:
    rows = [{"size": 1, "outlets": 1, "first_seen": WHEN, "last_seen": WHEN, "representative_id": None,
             "id": n} for n in (7, 3, 9)]
    with any_store.session() as session:
        ids = insert_returning(session, Story.__table__, rows, "id", Story.__table__.c.id)
    assert ids == [7, 3, 9]


def test_no_rows_no_statement(any_store: Store) -> None:
    seen = count_inserts(any_store)
    with any_store.session() as session:
        assert insert_returning(session, RawPage, [], "url") == []
    assert seen == []


def test_a_row_without_the_key_is_an_error(any_store: Store) -> None:
    with any_store.session() as session, pytest.raises(KeyError):
        insert_returning(session, RawPage, raw_rows(["https://a.cn/1"]), "nope")
