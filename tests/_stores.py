"""Store fixtures for the store, search and query tests: the same test runs on SQLite and on PostgreSQL.

PostgreSQL: the server on 127.0.0.1 (trust auth, user postgres). One template database is migrated per test
session; each test gets a fresh copy of it and drops it afterwards. Unreachable server: skip_or_fail.
Import the fixtures into a test module: `from tests._stores import any_db_url, pg_template  # noqa: F401`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from aggregator.store import Store, open_store
from aggregator.store.models import Article, Source
from aggregator.store.types import SHANGHAI
from tests.conftest import skip_or_fail

PG_SERVER = os.environ.get("UNION_NEWS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def _admin() -> Any:
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=NullPool,
                         connect_args={"connect_timeout": 3})


def _drop(admin: Any, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database to copy per test (created and dropped with the session)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        skip_or_fail("psycopg is not installed: pip install '.[postgres]'")
    admin = _admin()
    name = f"un_test_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        skip_or_fail(f"PostgreSQL on 127.0.0.1:5432 is not reachable ({type(exc).__name__}: {exc})")
    try:
        open_store(f"{PG_SERVER}/{name}").close()
        yield name
    finally:
        _drop(admin, name)
        admin.dispose()


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL store of this test's own."""
    admin = _admin()
    name = f"un_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        from aggregator.store import close_shared

        close_shared()
        _drop(admin, name)
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The store URL of a fresh store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_store(any_db_url: str) -> Iterator[Store]:
    """A fresh, migrated store, once on SQLite and once on PostgreSQL."""
    store = open_store(any_db_url)
    yield store
    store.close()


# -- data -------------------------------------------------------------------------------------------

BASE = datetime(2025, 7, 21, 9, 0, tzinfo=SHANGHAI)  # Monday of 2025-W30


def add_source(session: Any, source_id: str, name: str, region: str = "全国", kind: str = "site") -> Source:
    """A source row (as sync_sources would write it)."""
    source = Source(id=source_id, name=name, kind=kind, family="generic", region=region, authority=1, enabled=True,
                    verified=True, config={}, consecutive_failures=0, consecutive_empty=0)
    session.add(source)
    session.flush()
    return source


def add_article(session: Any, source_id: str, title: str, body: str, *, days: float = 0, section: str | None = "维权服务",
                region: str | None = "全国", story_id: int | None = None, status: str = "ok",
                url: str | None = None) -> Article:
    """An article row published `days` after Monday 2025-07-21 09:00 (Asia/Shanghai)."""
    when = BASE + timedelta(days=days)
    article = Article(url=url or f"https://example.org/{uuid.uuid4().hex}.html", source_id=source_id, title=title,
                      body_text=body, body_html=f"<p>{body}</p>", summary=body[:60], images=[], fetched_at=when,
                      published_at=when, published_precise=True, page_type="article", status=status,
                      section=section, region=region, story_id=story_id, needs_review=False, extra={})
    session.add(article)
    session.flush()
    return article


def statements(store: Store) -> list[str]:
    """Every statement the store's engine sends from now on (a list that grows as they are sent)."""
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda _conn, _cursor, statement, *_rest: seen.append(statement))
    return seen


def columns_of(article: Article) -> dict[str, object]:
    """Every column value of an article, by column key."""
    return {c.key: getattr(article, c.key) for c in Article.__table__.c}
