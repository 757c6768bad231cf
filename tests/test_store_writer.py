"""The store's writes: exact duplicates merge, a complete copy replaces a truncated one, editors' labels win."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, text

from aggregator.dates import SHANGHAI
from aggregator.processing import store_batch
from aggregator.records import ArticleRecord, Page
from aggregator.search import search, sort_key
from aggregator.sources import Registry, Source
from aggregator.store import Store
from aggregator.store.models import Article, ArticleAlias, ManualLabel, RawPage
from aggregator.store.writer import (compress, decompress, insert_new, may_be_stored, save_article, stored_among,
                                     sync_sources)
from tests._stores import any_db_url, any_store, columns_of, pg_template, pg_url, statements  # noqa: F401

NOW = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)


def record(status: str = "ok", **fields: object) -> ArticleRecord:
    base = dict(url="https://www.example.cn/a/1.html", source_id="ex", title="某市总工会召开集体协商推进会",
                published_at=datetime(2025, 7, 24, 9, tzinfo=SHANGHAI), body_text="正文。" * 20, status=status,
                section="构建和谐劳动关系", section_confidence=0.4, section_origin="model", section_model="m-1",
                needs_review=True, content_hash="h1")
    base.update(fields)
    return ArticleRecord(**base)  # type: ignore[arg-type]


def prepare(store: Store) -> None:
    with store.session() as session:
        sync_sources(session, Registry(path=None, sources={"ex": Source(id="ex", name="示例", lists=("https://www.example.cn/",))}))  # type: ignore[arg-type]


def test_complete_copy_replaces_truncated_one_and_keeps_the_editors_label(store: Store) -> None:
    prepare(store)
    page = Page(url="https://www.example.cn/a/1.html", body=b"<html></html>", fetched_at=NOW)
    with store.session() as session:
        first = save_article(session, record(status="truncated", body_text="正文。"), page, NOW)
        session.add(ManualLabel(article_id=first.article.id, section="组织建设", labelled_at=NOW, editor="test"))
    with store.session() as session:
        result = save_article(session, record(), page, NOW)
        assert result.status == "updated"
    with store.sessions() as session:
        article = session.scalars(select(Article)).one()
    assert article.status == "ok" and article.body_text == "正文。" * 20
    assert (article.section, article.section_origin, article.section_confidence) == ("组织建设", "manual", 1.0)
    assert article.needs_review is False and article.section_model is None


def test_same_article_under_an_alias_is_a_duplicate(store: Store) -> None:
    prepare(store)
    with store.session() as session:
        save_article(session, record(), None, NOW)
    with store.session() as session:
        result = save_article(session, record(url="https://www.example.cn/a/1-mobile.html",
                                              aliases=["https://www.example.cn/a/1.html"]), None, NOW)
        assert result.status == "duplicate"
    with store.sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 1
        assert session.get(ArticleAlias, "https://www.example.cn/a/1-mobile.html") is not None


def test_insert_new_numbers_a_group_in_its_order_and_indexes_it_in_key_order(store: Store) -> None:
    """Ids follow the batch (as one by one); the search index gets rising keys (FTS5 flushes on a falling one)."""
    prepare(store)
    with store.session() as session:
        save_article(session, record(url="https://www.example.cn/a/0.html", content_hash="h0"), None, NOW)
    words = ["劳模", "驿站", "竞赛", "疗休养", "普惠"]
    # Newest first, as a crawl meets them; the fourth has no date and is keyed by its fetch time (NOW).
    dates = [datetime(2025, 7, 24, 9, tzinfo=SHANGHAI) - timedelta(days=d) for d in (0, 3, 5)] + [None,
             datetime(2025, 7, 1, 9, tzinfo=SHANGHAI)]
    batch = [(record(url=f"https://www.example.cn/a/{n}.html", title=f"第{n}篇", body_text=f"{word}。" * 20,
                     published_at=when, content_hash=f"g{n}"), None) for n, (word, when) in enumerate(zip(words, dates), 1)]
    with store.engine.begin() as connection:
        connection.execute(text("CREATE TABLE insert_log (id INTEGER)"))
        connection.execute(text("CREATE TRIGGER log_insert AFTER INSERT ON articles BEGIN "
                                "INSERT INTO insert_log VALUES (new.id); END"))
    with store.session() as session:
        articles = insert_new(session, batch, NOW)
    assert [a.url for a in articles] == [r.url for r, _p in batch]
    assert [a.id for a in articles] == [2, 3, 4, 5, 6]
    with store.engine.connect() as connection:
        logged = list(connection.execute(text("SELECT id FROM insert_log ORDER BY rowid")).scalars())
    keys = {a.id: sort_key(a.published_at or a.fetched_at, a.id) for a in articles}
    assert logged == sorted(keys, key=keys.__getitem__)
    with store.sessions() as session:
        for article, word in zip(articles, words):
            assert [hit.id for hit in search(session, word)] == [article.id]


# Stored: A at /a/1.html (alias /a/1-m.html, text h1, source ex) and WeChat article (biz, 22, 1) at /s/2.
_PROBES = [
    ("its url", dict(url="https://www.example.cn/a/1.html", content_hash="x"), True),
    ("a stored alias as url", dict(url="https://www.example.cn/a/1-m.html", content_hash="x"), True),
    ("its url among the record's aliases", dict(url="https://www.example.cn/a/9.html", content_hash="x",
                                                aliases=["https://www.example.cn/a/1.html"]), True),
    ("a stored alias among the record's aliases", dict(url="https://www.example.cn/a/9.html", content_hash="x",
                                                       aliases=["https://www.example.cn/a/1-m.html"]), True),
    ("same source, same text", dict(url="https://www.example.cn/a/9.html", content_hash="h1"), True),
    ("same text, another source", dict(url="https://www.example.cn/a/9.html", content_hash="h1", source_id="other"),
     False),
    ("no text hash", dict(url="https://www.example.cn/a/9.html", content_hash=None), False),
    ("same WeChat key", dict(url="https://mp.weixin.qq.com/s/9", content_hash="x", wechat_biz="biz", wechat_mid="22",
                             wechat_idx="1"), True),
    ("same biz and mid, another idx", dict(url="https://mp.weixin.qq.com/s/9", content_hash="x", wechat_biz="biz",
                                           wechat_mid="22", wechat_idx="2"), False),
    ("same biz and idx, another mid", dict(url="https://mp.weixin.qq.com/s/9", content_hash="x", wechat_biz="biz",
                                           wechat_mid="23", wechat_idx="1"), False),
    ("nothing in common", dict(url="https://www.example.cn/a/9.html", content_hash="x"), False),
]


def _probe_store(store: Store) -> None:
    prepare(store)
    with store.session() as session:
        sync_sources(session, Registry(path=None, sources={  # type: ignore[arg-type]
            "ex": Source(id="ex", name="示例", lists=("https://www.example.cn/",)),
            "other": Source(id="other", name="另一个", lists=("https://www.example.org/",))}))
        save_article(session, record(aliases=["https://www.example.cn/a/1-m.html"]), None, NOW)
        save_article(session, record(url="https://mp.weixin.qq.com/s/2", content_hash="w2", wechat_biz="biz",
                                     wechat_mid="22", wechat_idx="1"), None, NOW)


@pytest.mark.parametrize(("case", "fields", "expected"), _PROBES, ids=[c[0] for c in _PROBES])
def test_stored_among_agrees_with_may_be_stored(any_store: Store, case: str, fields: dict[str, object],
                                                expected: bool) -> None:
    _probe_store(any_store)
    probe = record(**fields)
    with any_store.engine.connect() as connection:  # as the crawl's DeduplicatePipeline probes
        assert may_be_stored(connection, probe) is expected
    with any_store.sessions() as session:
        assert may_be_stored(session, probe) is expected
        assert stored_among(session, [probe]) == [expected]


def test_stored_among_answers_each_record_of_a_large_group(any_store: Store) -> None:
    _probe_store(any_store)
    probes = [record(**fields) for _case, fields, _expected in _PROBES] * 40  # more than one query's worth
    with any_store.sessions() as session:
        assert stored_among(session, probes) == [expected for _c, _f, expected in _PROBES] * 40


def test_raw_bodies_are_kept_as_zlib_and_come_back_unchanged() -> None:
    body = ("<html><body><p>" + "某市总工会开展送温暖活动。" * 200 + "</p></body></html>").encode("gb18030")
    kept = compress(body)
    assert len(kept) < len(body) // 10
    assert zlib.decompress(kept) == body == decompress(kept)  # readable by any zlib, whatever the level


def test_may_be_stored_sees_what_the_session_has_not_written_yet(store: Store) -> None:
    prepare(store)
    with store.session() as session:
        article = save_article(session, record(), None, NOW).article
        session.add(ArticleAlias(url="https://www.example.cn/a/1-print.html", article_id=article.id))  # not flushed
        assert may_be_stored(session, record(url="https://www.example.cn/a/1-print.html", content_hash="x"))


def _page(n: int) -> Page:
    return Page(url=f"https://www.example.cn/a/{n}.html", body=b"<html>%d</html>" % n, fetched_at=NOW)


def test_insert_new_on_sqlite_reads_nothing_back(store: Store) -> None:
    """No RETURNING, no reading of the rows: the articles are made from their values, as they are stored."""
    prepare(store)
    days = (0, 3, 1, 5)  # not in the index's order
    batch = [(record(url=f"https://www.example.cn/a/{n}.html", content_hash=f"g{n}", extra={"n": n},
                     published_at=datetime(2025, 7, 24, 9, tzinfo=SHANGHAI) - timedelta(days=d),
                     images=[f"https://www.example.cn/{n}.jpg"]), _page(n) if n != 2 else None)
             for n, d in enumerate(days)]
    seen = statements(store)
    with store.session() as session:
        articles = insert_new(session, batch, NOW)
        sent = list(seen)
        seen.clear()
        made = [columns_of(a) for a in articles]
        assert seen == []  # every column was loaded
    assert not any("RETURNING" in s for s in sent)
    # The raw pages, their ids, the first article id, then the articles: a statement per run of rows giving
    # the same columns (the one without a page has no raw_page_id), as the ORM's insert sent them.
    assert [" ".join(s.split()[:3]) for s in sent] == [
        "INSERT INTO raw_pages", "SELECT last_insert_rowid()", "SELECT max(articles.id) AS",
        "INSERT INTO articles", "INSERT INTO articles", "INSERT INTO articles"]
    with store.sessions() as session:
        stored = [columns_of(a) for a in session.scalars(select(Article).order_by(Article.id))]
        pages = dict(session.execute(select(RawPage.id, RawPage.url)).all())
    assert made == stored  # values and types: what a query gives
    assert [a["id"] for a in made] == [1, 2, 3, 4]
    assert made[0]["story_id"] is None and made[0]["updated_at"] is None
    assert [pages.get(a["raw_page_id"]) for a in made] == [r.url if p else None for r, p in batch]


def test_a_group_saved_on_sqlite_costs_no_query_per_article(store: Store) -> None:
    """Story assignment reads the new articles' columns: none may be missing (a SELECT per article)."""
    prepare(store)
    batch = [(record(url=f"https://www.example.cn/a/{n}.html", content_hash=f"g{n}", title=f"第{n}篇报道",
                     body_text=f"第{n}篇。" + "某市总工会召开集体协商推进会。" * (n + 5)), _page(n))
             for n in range(12)]
    seen = statements(store)
    results = store_batch(store, batch, NOW)
    assert [getattr(r, "status", r) for r in results] == ["new"] * 12
    assert [s for s in seen if "FROM articles" in s and "WHERE articles.id = ?" in s] == []


def test_insert_new_stores_the_defaults_of_values_a_record_lacks(store: Store) -> None:
    """A None where the column has a default stores the default, as the ORM's insert (and save_article) do."""
    prepare(store)
    lacking = {"body_html": None, "summary": None, "page_type": None, "status": None, "needs_review": None,
               "published_precise": None}

    def lacks(n: int) -> ArticleRecord:
        return record(url=f"https://www.example.cn/a/{n}.html", content_hash=f"g{n}", **lacking)

    with store.session() as session:
        save_article(session, lacks(0), None, NOW)
        made = insert_new(session, [(lacks(1), None), (lacks(2), None)], NOW)
        made += insert_new(session, [(lacks(3), None)], NOW)
        objects = [columns_of(a) for a in made]
    with store.sessions() as session:
        stored = [columns_of(a) for a in session.scalars(select(Article).order_by(Article.id))]
    assert [[a[key] for key in lacking] for a in stored] == [["", "", "article", "ok", False, False]] * 4
    assert objects == stored[1:]


def test_insert_new_of_one_record_takes_the_id_sqlite_gives(store: Store) -> None:
    """One record is numbered by SQLite itself: max + 1, the largest id reused once deleted, as before."""
    prepare(store)
    with store.session() as session:
        insert_new(session, [(record(url=f"https://www.example.cn/a/{n}.html", content_hash=f"g{n}"), None)
                             for n in (1, 2, 3)], NOW)
        session.execute(delete(Article).where(Article.id == 3))
    seen = statements(store)
    with store.session() as session:
        (article,) = insert_new(session, [(record(url="https://www.example.cn/a/4.html", content_hash="g4"),
                                           None)], NOW)
        made = columns_of(article)
    assert not any("RETURNING" in s or s.startswith("SELECT max") for s in seen)
    with store.sessions() as session:
        assert made == columns_of(session.get(Article, 3)) and made["url"] == "https://www.example.cn/a/4.html"
        assert [hit.id for hit in search(session, "协商")] == [3, 2, 1]  # indexed under its own id
