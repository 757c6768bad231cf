"""Multi-row inserts that return what the database generated, in the order of the rows given; and, on SQLite,
inserts that read nothing back, whose rows become ORM objects as they are (insert_rows, known_objects); and
executemany of plain tuples on any database (insert_tuples)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, partial
from itertools import groupby
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Column, Dialect, Table, insert, inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from aggregator.store.driver import connection_of

_T = TypeVar("_T")


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


def insert_numbered(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQLite: insert `rows` (without their integer primary key) as the ORM does, in one executemany and
    without RETURNING; return them as stored (see complete_rows), each with the id SQLite gave it.

    The rows of one executemany get consecutive ids ending at last_insert_rowid(): from its first row the
    transaction holds the write lock, so no other writer inserts in between, and SQLite gives each row
    max + 1 (what an AFTER INSERT trigger inserts elsewhere leaves last_insert_rowid() as it was).
    """
    if not rows:
        return []
    stored = complete_rows(table, rows)
    connection = connection_of(session)  # flushed first, as session.execute() would
    connection.execute(insert(table), stored)
    last = int(connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    (key,) = table.primary_key.columns.keys()
    for number, row in enumerate(stored, last - len(stored) + 1):
        row[key] = number
    return stored


# The INSERT up to VALUES, one row's placeholders, each column's bind processor, rows per statement; per
# dialect (an engine's own: bind processors follow its settings, a JSON serializer for one) and columns.
_MultiRow = tuple[str, str, list[tuple[str, Any]], int]
_MULTI_ROW: WeakKeyDictionary[Dialect, dict[tuple[Table, tuple[str, ...]], _MultiRow]] = WeakKeyDictionary()


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """SQLite: insert `rows` in the multi-row statements the ORM's bulk INSERT sends, without RETURNING;
    return them as stored (see complete_rows).

    The ORM sends a statement for each run of rows giving the same columns (None is no value unless the
    column's type stores it), up to 1,000 rows; so does this. It matters to the full-text index: FTS5 writes
    out its pending postings between statements (an executemany, a statement per row, would write a segment
    per article and be slower), and the same statements make the same index, byte for byte. Each value goes
    through its column type's bind processor, as in SQLAlchemy, and the SQL to the driver (see store.driver).
    """
    connection = connection_of(session)  # flushed first, as session.execute() would
    dialect = connection.dialect
    if dialect.paramstyle != "qmark":
        raise ValueError(f"insert_rows builds SQLite's statements, not {dialect.name}'s")
    valued = _none_is_value(table)

    def given(row: dict[str, Any]) -> set[str]:
        return {key for key, value in row.items() if value is not None or key in valued}

    stored: list[dict[str, Any]] = []
    for _given, run in groupby(rows, key=given):
        complete = complete_rows(table, list(run))
        head, placeholders, processors, per = _multi_row(dialect, table, tuple(complete[0]))
        for start in range(0, len(complete), per):
            chunk = complete[start : start + per]
            values = [row[key] if process is None else process(row[key])
                      for row in chunk for key, process in processors]
            connection.exec_driver_sql(head + ", ".join([placeholders] * len(chunk)), tuple(values))
        stored.extend(complete)
    return stored


# Per dialect (an engine's own, as above) and table: the INSERT of every column as the dialect compiles it,
# where each column's value goes in the driver's parameters, and the columns' bind processors.
_Tuples = tuple[str, list[int] | None, tuple[str, ...], list[tuple[int, Callable[[Any], Any]]]]
_TUPLES: WeakKeyDictionary[Dialect, dict[Table, _Tuples]] = WeakKeyDictionary()


def insert_tuples(session: Session, table: Table, rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT `rows` (tuples of every column, in the table's order) in one executemany run by the driver.

    The same statement and values as session.execute(insert(table), [dicts]) on any database, without
    SQLAlchemy building and processing each row's parameters in Python: for tables of many small rows (the
    story index's, some 40 per article) that was most of the insert's cost. The bind processors still run
    (JSON serialisation, binary wrapping), column by column.
    """
    if not rows:
        return
    connection = connection_of(session)  # flushed first, as session.execute() would
    dialect = connection.dialect
    made = _TUPLES.setdefault(dialect, {})
    if table not in made:
        compiled = insert(table).compile(dialect=dialect)
        columns = tuple(table.c.keys())
        positional = compiled.positional and compiled.positiontup is not None
        names = list(compiled.positiontup) if positional else None  # type: ignore[arg-type]
        order = [columns.index(name) for name in names] if names is not None else None
        processors = []
        for i, column in enumerate(table.c):
            processor = column.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((i, processor))
        made[table] = (compiled.string, order, columns, processors)
    sql, order, columns, processors = made[table]
    if processors:
        rows = [_processed(row, processors) for row in rows]
    if order is None:
        connection.exec_driver_sql(sql, [dict(zip(columns, row, strict=True)) for row in rows])
    elif order == list(range(len(columns))):
        connection.exec_driver_sql(sql, list(rows))
    else:
        connection.exec_driver_sql(sql, [tuple(row[i] for i in order) for row in rows])


def _processed(row: tuple[Any, ...], processors: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    values = list(row)
    for i, processor in processors:
        values[i] = processor(values[i])
    return tuple(values)


def _multi_row(dialect: Dialect, table: Table, keys: tuple[str, ...]) -> _MultiRow:
    """What insert_rows needs to insert rows of these column keys, made once."""
    made = _MULTI_ROW.setdefault(dialect, {})
    shape = (table, keys)
    if shape not in made:
        columns = [table.c[key] for key in keys]
        quote = dialect.identifier_preparer
        names = ", ".join(quote.format_column(column) for column in columns)
        processors = [(c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
        # SQLAlchemy's batch: its page size, within the dialect's limit on a statement's parameters.
        per = min(dialect.insertmanyvalues_page_size, dialect.insertmanyvalues_max_parameters // len(keys))
        made[shape] = (f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ",
                       f"({', '.join('?' * len(keys))})", processors, per)
    return made[shape]


def _insert_default(column: Column[Any]) -> Callable[[], Any] | None:
    """What gives `column` its value when an INSERT's row has none: its Python-side default, else NULL;
    None when only the database (primary key, server default) or a function of the statement knows it."""
    default = column.default
    if column.primary_key:
        return None
    if default is None:
        return None if column.server_default is not None else _null
    if default.is_scalar:
        return partial(_same, default.arg)  # type: ignore[attr-defined]
    if not default.is_callable:
        return None
    # SQLAlchemy wraps a default that takes no context (dict, list) and keeps it as __wrapped__.
    return getattr(default.arg, "__wrapped__", None)  # type: ignore[attr-defined]


def _null() -> None:
    return None


def _same(value: Any) -> Any:
    return value


@cache
def _defaults(table: Table) -> tuple[tuple[str, Callable[[], Any] | None], ...]:
    """(key, insert default) of each column but the primary key."""
    return tuple((c.key, _insert_default(c)) for c in table.c if not c.primary_key)


@cache
def _none_is_value(table: Table) -> frozenset[str]:
    """The columns whose type stores None as a value (JSON's null) rather than taking it for no value."""
    return frozenset(c.key for c in table.c if c.type.should_evaluate_none)


def complete_rows(table: Table, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with a value for every column (the primary key aside), as the ORM's INSERT stores them.

    A column the row leaves out, or gives None where None means no value (the ORM leaves those out of its
    INSERT), gets its Python-side default, else NULL. One whose value the database or a function of the
    statement's context would give is an error: it would not be known without reading the row back.
    """
    defaults, valued = _defaults(table), _none_is_value(table)
    completed = []
    for row in rows:
        full = dict(row)
        for key, default in defaults:
            if full.get(key) is None and not (key in valued and key in full):
                if default is None:
                    raise ValueError(f"{table.name}.{key}: give a value (the database or a function sets it)")
                full[key] = default()
        completed.append(full)
    return completed


@cache
def _attributes(cls: type) -> dict[str, str]:
    """Attribute name by column key, of a class mapped to one table of plain columns."""
    names = {}
    for prop in inspect(cls).column_attrs:
        column = prop.columns[0]
        if not isinstance(column, Column):
            raise TypeError(f"known_objects: {cls.__name__}.{prop.key} is not a plain column")
        names[column.key] = prop.key
    return names


def known_objects(session: Session, cls: type[_T], rows: Sequence[dict[str, Any]]) -> list[_T]:
    """Persistent `cls` objects of rows just inserted, made from the rows alone: no RETURNING, no SELECT.

    Each row holds, by column key, every column's stored value, its primary key included (as insert_rows
    and insert_numbered return them). Every column attribute is thus loaded and reading one emits no query
    (relationships load lazily, as on a queried object).
    """
    names = _attributes(cls)
    objects = []
    for row in rows:
        if row.keys() != names.keys():
            raise ValueError(f"known_objects: a row must give every column of {cls.__name__} and no other; "
                             f"missing {sorted(names.keys() - row.keys())}, "
                             f"unknown {sorted(row.keys() - names.keys())}")
        obj = cls(**{names[key]: value for key, value in row.items()})
        # The values become the loaded state (nothing pending, nothing to flush); add() then puts the object
        # in the identity map, as loading it would have.
        make_transient_to_detached(obj)
        objects.append(obj)
    session.add_all(objects)
    return objects
