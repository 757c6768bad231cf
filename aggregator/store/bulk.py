"""Multi-row inserts that return what the database generated, in the order of the rows given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session


def insert_returning(session: Session, target: Any, rows: Sequence[dict[str, Any]], key: str,
                     returning: Any = None) -> list[Any]:
    """Insert `rows` into `target` (a mapped class or a table); return `returning` (default: the rows) in order.

    SQLAlchemy keeps RETURNING in parameter order on SQLite only by inserting one row per statement: SQLite
    has no INSERT form that ties new rowids to parameter order, and the statement overhead is most of an
    insert's cost. When every row has a distinct `key` value, the rows go in multi-row statements and what
    comes back is put in order by that value instead. Ids are still given in the rows' order: SQLite
    inserts the rows of one VALUES list in turn. Other databases batch ordered RETURNING themselves.
    """
    if not rows:
        return []
    wanted = target if returning is None else returning
    keys = [row[key] for row in rows]
    if session.get_bind().dialect.name != "sqlite" or len(set(keys)) != len(keys):
        return list(session.scalars(insert(target).returning(wanted, sort_by_parameter_order=True), rows))
    column = getattr(target, key) if hasattr(target, "__mapper__") else target.c[key]
    found = {row_key: value for value, row_key in session.execute(insert(target).returning(wanted, column), rows)}
    return [found[k] for k in keys]
