"""Read queries: what the crawl needs (is a URL stored?) and analysts' read-only SQL (`union-news query`)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import URL, make_url, select
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


# -- read-only SQL for analysts (`union-news query`) ---------------------------------------------------

# SQLite authorizer actions that change something (sqlite3.h): creates, drops, inserts, updates, deletes,
# ALTER, ATTACH/DETACH (ATTACH would open another file read-write), REINDEX, ANALYZE, virtual tables.
_SQLITE_WRITE_ACTIONS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 23, 24, 25, 26, 27, 28, 29, 30}
_READONLY_HINT = ("`union-news query` only reads. Change the store through union-news commands "
                  "(crawl, reprocess, db upgrade), or open a copy of it with another tool.")


class ReadOnlyError(Exception):
    """A statement tried to change the store through the read-only query path."""


class QueryError(Exception):
    """The SQL failed (syntax, unknown table...); the message is the database's."""


@dataclass(slots=True)
class QueryResult:
    """Column names and rows of a read-only query."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool = False


def _sqlite_path(url: URL) -> str:
    database = url.database or ""
    if not database or database == ":memory:":
        raise QueryError("a read-only query needs a store file or a server URL, not an in-memory database")
    return str(Path(database).expanduser().resolve())


def readonly_query(db_url: str, sql: str, limit: int | None = None) -> QueryResult:
    """Run one SQL statement on a read-only connection (enforced by the database) and return its rows."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_readonly(_sqlite_path(url), sql, limit)
    if url.get_backend_name() == "postgresql":
        return _postgres_readonly(db_url, sql, limit)
    raise QueryError(f"read-only queries support SQLite and PostgreSQL stores, not {url.get_backend_name()}")


def _authorize(action: int, *_args: Any) -> int:
    return sqlite3.SQLITE_DENY if action in _SQLITE_WRITE_ACTIONS else sqlite3.SQLITE_OK


def _sqlite_readonly(path: str, sql: str, limit: int | None) -> QueryResult:
    from aggregator.search import register_sqlite_functions

    if not Path(path).exists():
        raise QueryError(f"no store at {path}: check --db / UNION_NEWS_DB")
    # Three locks: the file is opened read-only, query_only refuses writes, and the authorizer refuses
    # statements that would write or attach another file (so the refusal names the cause).
    connection = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
    try:
        connection.execute("PRAGMA query_only = 1")
        connection.execute("PRAGMA busy_timeout = 30000")
        register_sqlite_functions(connection)
        connection.set_authorizer(_authorize)
        try:
            cursor = connection.execute(sql)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchmany(limit + 1) if limit else cursor.fetchall()
        except sqlite3.DatabaseError as exc:
            message = str(exc)
            if "not authorized" in message or "readonly" in message or "read-only" in message:
                raise ReadOnlyError(f"refused: the statement would change the store ({message}). {_READONLY_HINT}") from None
            raise QueryError(message) from None
        except sqlite3.ProgrammingError as exc:  # e.g. several statements at once
            raise QueryError(str(exc)) from None
    finally:
        connection.close()
    truncated = bool(limit) and len(rows) > (limit or 0)
    return QueryResult(columns, [tuple(r) for r in (rows[:limit] if limit else rows)], truncated)


def _postgres_readonly(db_url: str, sql: str, limit: int | None) -> QueryResult:
    from sqlalchemy import create_engine

    # Every transaction of the session is READ ONLY, and the statement goes through the extended protocol
    # (prepare=True), which takes exactly one statement: "COMMIT; DELETE ..." cannot slip out of it.
    engine = create_engine(db_url, connect_args={"options": "-c default_transaction_read_only=on"})
    try:
        raw = engine.raw_connection()
        try:
            driver = raw.driver_connection
            driver.read_only = True  # type: ignore[union-attr]
            cursor = driver.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(sql, prepare=True)
                columns = [d.name for d in cursor.description or []]
                rows = (cursor.fetchmany(limit + 1) if limit else cursor.fetchall()) if cursor.description else []
            except Exception as exc:
                driver.rollback()  # type: ignore[union-attr]
                if getattr(exc, "sqlstate", None) == "25006":  # read_only_sql_transaction
                    raise ReadOnlyError(f"refused: the statement would change the store ({exc}). {_READONLY_HINT}") from None
                raise QueryError(str(exc).strip()) from None
            driver.rollback()  # type: ignore[union-attr]
        finally:
            raw.close()
    finally:
        engine.dispose()
    truncated = bool(limit) and len(rows) > (limit or 0)
    return QueryResult(columns, [tuple(r) for r in (rows[:limit] if limit else rows)], truncated)
