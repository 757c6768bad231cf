"""Multi-row inserts returning generated values in the order of the rows, on SQLite and PostgreSQL; and
SQLite's inserts that read nothing back."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, delete, event, insert, inspect, select

from aggregator.dates import SHANGHAI
from aggregator.store import Store, make_engine
from aggregator.store.bulk import complete_rows, insert_numbered, insert_returning, insert_rows, known_objects
from aggregator.store.migrate import upgrade_to_head
from aggregator.store.models import Article, RawPage, Source, Story, StorySignature
from tests._stores import any_db_url, any_store, columns_of, pg_template, pg_url, statements  # noqa: F401

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


# -- SQLite inserts that read nothing back -----------------------------------------------------------------

def article_rows(urls: list[str], **fields: object) -> list[dict[str, object]]:
    """Article rows as insert_new gives them (no story_id, no updated_at), of source "ex"."""
    return [{"url": url, "source_id": "ex", "title": f"标题{n}", "published_at": WHEN, "fetched_at": WHEN,
             "body_text": "正文。" * 10, "extra": {"n": n}, **fields} for n, url in enumerate(urls)]


def with_source(store: Store) -> None:
    with store.session() as session:
        session.add(Source(id="ex", name="示例", kind="site", family="generic"))


def stored_articles(store: Store) -> dict[str, dict[str, object]]:
    """Every stored article's columns but id and url, by url, as a new session reads them."""
    with store.sessions() as session:
        return {a.url: {k: v for k, v in columns_of(a).items() if k not in ("id", "url")}
                for a in session.scalars(select(Article))}


def test_complete_rows_gives_what_the_orm_insert_stores(store: Store) -> None:
    """None means no value (the column's default applies) except where the type stores it (JSON null)."""
    with_source(store)
    # Left out, None, or given, for columns with a scalar default, a callable default, none, and a JSON one.
    variants = [{}, {"body_html": None, "status": None, "needs_review": None, "author": None, "images": None},
                {"body_html": "<p>x</p>", "status": "truncated", "author": "记者", "images": ["a.jpg"]}]

    def rows(kind: str) -> list[dict[str, object]]:
        urls = [f"https://a.cn/{kind}/{n}" for n in range(3)]
        return [row | variant for row, variant in zip(article_rows(urls), variants)]

    orm, ours = rows("orm"), rows("new")
    with store.session() as session:
        session.execute(insert(Article), orm)
        insert_rows(session, Article.__table__, ours)
    stored = stored_articles(store)
    new = [stored[f"https://a.cn/new/{n}"] for n in range(3)]
    assert new == [stored[f"https://a.cn/orm/{n}"] for n in range(3)]
    assert new[1]["images"] is None and new[1]["status"] == "ok" and new[1]["body_html"] == ""
    assert new[0]["images"] == [] and new[0]["needs_review"] is False and new[2]["status"] == "truncated"


def test_complete_rows_refuses_a_value_only_the_database_knows() -> None:
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("by_server", Integer, server_default="0"),
                  Column("by_context", Integer, default=lambda context: 1),
                  Column("by_python", Integer, default=lambda: 2))
    assert complete_rows(table, [{"by_server": 5, "by_context": 6}]) == [
        {"by_server": 5, "by_context": 6, "by_python": 2}]
    for given in ({"by_context": 6}, {"by_server": 5}, {"by_server": None, "by_context": 6}):
        with pytest.raises(ValueError, match="give a value"):
            complete_rows(table, [given])
    # A column with a Python default and a server default: the Python default is what an INSERT stores.
    row = {"article_id": 1, "signature": b"", "shingles": 0, "day": None, "facts": None}
    assert complete_rows(StorySignature.__table__, [row])[0]["version"] == 0


def test_insert_rows_sends_the_statements_the_orm_sends(store: Store) -> None:
    """A statement per run of rows giving the same columns: the full-text index is built per statement."""
    with_source(store)
    authors = [None, None, "记者", "记者", None, "记者"]  # four runs

    def rows(prefix: str) -> list[dict[str, object]]:
        urls = [f"https://a.cn/{prefix}{n}" for n in range(6)]
        return [row | {"author": author} for row, author in zip(article_rows(urls), authors)]

    seen = statements(store)
    with store.session() as session:
        session.execute(insert(Article).returning(Article.id), rows("orm"))
    orm = [s for s in seen if s.startswith("INSERT INTO articles")]
    seen.clear()
    with store.session() as session:
        insert_rows(session, Article.__table__, rows("new"))
    ours = [s for s in seen if s.startswith("INSERT INTO articles")]
    assert len(ours) == len(orm) == 4
    assert [s.count("(?") for s in ours] == [2, 2, 1, 1] and "RETURNING" not in " ".join(ours)
    assert stored_articles(store)["https://a.cn/new3"]["author"] == "记者"


def test_insert_numbered_gives_the_ids_sqlite_gave(store: Store) -> None:
    with_source(store)
    with store.session() as session:
        insert_numbered(session, Article.__table__, article_rows([f"https://a.cn/{n}" for n in (1, 2, 3)]))
        session.execute(delete(Article).where(Article.url == "https://a.cn/3"))  # SQLite reuses its id
    with store.session() as session:
        # The articles' full-text trigger inserts into the index; last_insert_rowid() is the article's still.
        rows = insert_numbered(session, Article.__table__, article_rows(["https://a.cn/4", "https://a.cn/5"]))
        pages = insert_numbered(session, RawPage.__table__, raw_rows(["https://a.cn/4", "https://a.cn/5"]))
    with store.sessions() as session:
        stored = list(session.execute(select(Article.id, Article.url).where(Article.id > 2).order_by("id")))
        page_ids = list(session.scalars(select(RawPage.id).order_by(RawPage.id)))
    assert [(r["id"], r["url"]) for r in rows] == stored == [(3, "https://a.cn/4"), (4, "https://a.cn/5")]
    assert [r["id"] for r in pages] == page_ids == [1, 2]
    assert pages[0]["status"] == 200 and pages[0]["headers"] == {}


def test_known_objects_are_loaded_persistent_objects(store: Store) -> None:
    """In the identity map, nothing pending, every column readable without a query; changes are flushed."""
    with_source(store)
    with store.session() as session:
        rows = insert_rows(session, Article.__table__, [
            row | {"id": n} for n, row in enumerate(article_rows(["https://a.cn/1", "https://a.cn/2"]), 7)])
        seen = statements(store)
        articles = known_objects(session, Article, rows)
        assert [inspect(a).persistent for a in articles] == [True, True]
        assert not session.new and not session.dirty
        values = [columns_of(a) for a in articles]
        assert session.get(Article, 8) is articles[1]
        assert seen == []  # no SELECT, no INSERT, no flush
        articles[1].title = "改过的标题"
        session.flush()
        assert [s.split(" SET")[0] for s in seen] == ["UPDATE articles"]
    assert values == rows
    with store.sessions() as session:
        stored = [columns_of(a) for a in session.scalars(select(Article).order_by(Article.id))]
    assert stored == [rows[0], rows[1] | {"title": "改过的标题"}]


def test_known_objects_needs_every_column(store: Store) -> None:
    with store.sessions() as session, pytest.raises(ValueError, match="missing"):
        known_objects(session, Article, [{"id": 1, "url": "https://a.cn/1"}])


def test_insert_rows_values_go_through_the_engines_own_bind_processors(store: Store, tmp_path: Path) -> None:
    """A setting of one engine (its JSON serializer) is not taken for another's: as the ORM's insert does."""
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}",
                         json_serializer=lambda value: json.dumps(value, ensure_ascii=False))
    upgrade_to_head(engine)
    other = Store(engine)
    stored: list[str] = []
    for each in (store, other):
        with_source(each)
        with each.session() as session:
            session.execute(insert(Article), article_rows(["https://a.cn/orm"], extra={"名": "值"}))
            insert_rows(session, Article.__table__, article_rows(["https://a.cn/new"], extra={"名": "值"}))
        with each.engine.connect() as connection:
            stored += connection.exec_driver_sql("SELECT extra FROM articles ORDER BY url").scalars()
    other.close()
    assert stored == ['{"\\u540d": "\\u503c"}'] * 2 + ['{"名": "值"}'] * 2
