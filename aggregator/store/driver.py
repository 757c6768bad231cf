"""Statements that run once per article, compiled once and handed to the database driver as SQL.

SQLAlchemy's execution of a small indexed query costs about three times the query itself: building the
execution context, processing parameters, expanding IN lists on every call. For the few lookups made for
every crawled article, the statement is compiled once per dialect and shape (for instance, the number of
values in an IN list) and its SQL goes to `Connection.exec_driver_sql`, which keeps the connection's
transaction and events but skips the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any

from sqlalchemy import Connection, CursorResult
from sqlalchemy.orm import Session

_Compiled = tuple[str, tuple[str, ...] | None, dict[str, Any]]
_compiled: dict[tuple[type, str, Hashable], _Compiled] = {}


def connection_of(db: Session | Connection) -> Connection:
    """The connection to run a statement on; a Session is flushed first, as its own execute() would do."""
    if isinstance(db, Session):
        db.flush()
        return db.connection()
    return db


def execute_compiled(db: Session | Connection, shape: Hashable, build: Callable[[], Any],
                     values: Mapping[str, Any]) -> CursorResult[Any]:
    """Run `build()` (a statement whose parameters are all named) with `values`, compiled once per dialect and
    `shape`: the caller's name for everything the statement's SQL depends on besides the dialect."""
    connection = connection_of(db)
    dialect = connection.dialect
    key = (type(dialect), dialect.paramstyle, shape)
    if key not in _compiled:
        compiled = build().compile(dialect=dialect)
        names = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup is not None else None
        # compiled.params also holds the values the statement fixes itself (a LIMIT, a literal in a HAVING).
        _compiled[key] = (compiled.string, names, dict(compiled.params))
    sql, names, fixed = _compiled[key]
    merged = {**fixed, **values}
    return connection.exec_driver_sql(sql, tuple(merged[name] for name in names) if names is not None else merged)
