"""The store: engine set-up, the database URL rule, and migrations applied on open."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from aggregator.store.models import Base

DEFAULT_DB_PATH = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "union-news" / "union_news.db"


class StoreError(Exception):
    """The store cannot be opened or upgraded; the message says what to do."""


def resolve_db_url(db: str | None = None) -> str:
    """Return the SQLAlchemy URL: `--db` (a path or URL), else $UNION_NEWS_DB, else the default file."""
    value = db or os.environ.get("UNION_NEWS_DB") or str(DEFAULT_DB_PATH)
    if "://" in value:
        return value
    path = Path(value).expanduser()
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    from aggregator.search import register_sqlite_functions

    # The search index's triggers call these functions: every connection that writes articles needs them.
    register_sqlite_functions(dbapi_connection)
    cursor = dbapi_connection.cursor()
    # WAL lets analysts read while a crawl writes. FULL syncs the WAL at every commit, so a committed article
    # survives a power loss too, not only a crash (NORMAL may lose the last commits then); commits are per
    # article, so the cost is a few ms per article. UNION_NEWS_SQLITE_SYNCHRONOUS=NORMAL trades that back.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={_synchronous()}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _synchronous() -> str:
    value = os.environ.get("UNION_NEWS_SQLITE_SYNCHRONOUS", "FULL").upper()
    return value if value in ("OFF", "NORMAL", "FULL", "EXTRA") else "FULL"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the store's connection settings (SQLite pragmas, parent folder created)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """An open store: an engine whose schema is at the latest migration, and a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def url(self) -> str:
        """The database URL (password hidden)."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


def open_store(db: str | None = None, *, upgrade: bool = True) -> Store:
    """Open the store named by `db` (or the environment/default) and apply pending migrations."""
    url = resolve_db_url(db)
    try:
        engine = make_engine(url)
        if upgrade:
            from aggregator.store.migrate import upgrade_to_head

            upgrade_to_head(engine)
    except StoreError:
        raise
    except Exception as exc:  # the driver's message alone rarely says which store or what to do
        raise StoreError(
            f"cannot open the store at {url}: {exc}. Check the path or URL given by --db / UNION_NEWS_DB "
            "and that the database server is running."
        ) from exc
    return Store(engine)


_SHARED: dict[str, Store] = {}


def shared_store(db: str | None = None) -> Store:
    """One open store per database per process (the crawl's spiders and pipelines share its engine)."""
    url = resolve_db_url(db)
    store = _SHARED.get(url)
    if store is None:
        store = _SHARED[url] = open_store(url)
    return store


def close_shared() -> None:
    """Close every shared store (end of a crawl)."""
    for store in _SHARED.values():
        store.close()
    _SHARED.clear()


__all__ = ["Base", "DEFAULT_DB_PATH", "Store", "StoreError", "make_engine", "open_store", "resolve_db_url", "shared_store", "close_shared"]
