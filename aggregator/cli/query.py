"""query: read-only SQL over the store, printed as a table, JSON or CSV."""

from __future__ import annotations

import click

from aggregator.cli import main
from aggregator.cli._output import FORMATS, emit
from aggregator.cli.common import config_errors, db_option


@main.command()
@db_option
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@click.option("--limit", type=click.IntRange(min=0), default=1000, show_default=True,
              help="Print at most this many rows (0: all).")
@config_errors
def query(db: str | None, sql: str, fmt: str, limit: int) -> None:
    """Run one SQL statement on a read-only connection and print its rows.

    The database itself refuses writes (SQLite: file opened read-only, PRAGMA query_only; PostgreSQL: a
    READ ONLY transaction), so a statement that would change the store exits with code 2 and a message.
    The views (v_articles_by_week_section, v_source_activity, ...) are described in docs/schema.md;
    un_fts_query('词') turns words into a full-text MATCH expression on SQLite.

    \b
    Examples:
      union-news query "SELECT * FROM v_articles_by_week_section WHERE week = '2025-W30'"
      union-news query "SELECT source_id, articles, new_7d FROM v_source_activity" --format csv
      union-news query "SELECT a.title FROM articles_fts f JOIN articles a ON a.id = f.rowid & 4294967295
                        WHERE articles_fts MATCH un_fts_query('驿站')"
    """
    from aggregator.store import open_store, resolve_db_url
    from aggregator.store.queries import QueryError, ReadOnlyError, readonly_query

    url = resolve_db_url(db)
    # Opening the store first applies pending migrations (the views come with them); a store that is already
    # current is only read. A file the user may not write is still queried, as it is.
    try:
        open_store(url).close()
    except Exception as exc:  # noqa: BLE001 (reported, then the read-only attempt says what is wrong)
        click.echo(f"union-news: note: could not bring the store up to date ({exc}); querying it as it is", err=True)
    try:
        result = readonly_query(url, sql, limit=limit or None)
    except ReadOnlyError as exc:
        click.echo(f"union-news query: {exc}", err=True)
        raise SystemExit(2) from None
    except QueryError as exc:
        raise click.ClickException(f"the query failed: {exc}") from None
    rows = [dict(zip(result.columns, row)) for row in result.rows]
    emit(rows, result.columns, fmt)
    if fmt == "table":
        more = f" (first {limit}; --limit 0 for all)" if result.truncated else ""
        click.echo(f"{len(rows)} row(s){more}", err=True)
