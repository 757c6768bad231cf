"""Statements compiled once and run by the driver: same rows as SQLAlchemy's execute, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, literal, select

from aggregator.dates import SHANGHAI
from aggregator.store import Store
from aggregator.store.driver import execute_compiled
from aggregator.store.models import RawPage
from tests._stores import any_db_url, any_store, pg_template, pg_url  # noqa: F401

WHEN = datetime(2025, 7, 24, 9, tzinfo=SHANGHAI)
_PAGES = RawPage.__table__


def fill(store: Store) -> None:
    with store.engine.begin() as connection:
        connection.execute(_PAGES.insert(), [{"url": f"https://a.cn/{n}", "source_id": None, "status": 200 + n,
                                              "headers": {}, "body": b"x", "encoding": None, "fetched_at": WHEN}
                                             for n in range(6)])


def by_urls(count: int) -> object:
    """Status of the pages with `count` given URLs, the fixed values a literal, a HAVING bound and a LIMIT."""
    return (select(_PAGES.c.status, literal(7).label("seven"))
            .where(_PAGES.c.url.in_([bindparam(f"u{i}") for i in range(count)]))
            .group_by(_PAGES.c.status).having(func.count() >= 1).order_by(_PAGES.c.status).limit(2))


def test_rows_as_sqlalchemy_gives_them_and_one_compile_per_shape(any_store: Store) -> None:
    fill(any_store)
    builds: list[int] = []

    def build(count: int) -> object:
        builds.append(count)
        return by_urls(count)

    with any_store.engine.connect() as connection:
        for urls in (["https://a.cn/3", "https://a.cn/1"], ["https://a.cn/5", "https://a.cn/0"], ["https://a.cn/4"]):
            values = {f"u{i}": url for i, url in enumerate(urls)}
            expected = connection.execute(by_urls(len(urls)), values).all()  # type: ignore[call-overload]
            shape = ("test_driver", id(builds), len(urls))  # this test's own: the compiled SQL is kept per process
            got = execute_compiled(connection, shape, lambda n=len(urls): build(n), values).all()
            assert [tuple(row) for row in got] == [tuple(row) for row in expected]
            assert all(row[1] == 7 for row in got) and len(got) == min(2, len(urls))
    assert builds == [2, 1]  # the second two-URL query reused the first one's SQL


def test_a_session_is_flushed_before_the_driver_runs(any_store: Store) -> None:
    with any_store.session() as session:
        session.add(RawPage(url="https://b.cn/1", source_id=None, status=299, headers={}, body=b"x", fetched_at=WHEN))
        rows = execute_compiled(session, ("test_driver_flush", 1), lambda: by_urls(1), {"u0": "https://b.cn/1"}).all()
        assert [row[0] for row in rows] == [299]
