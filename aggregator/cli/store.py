"""db and reprocess: the store's schema, checks, search index and backups; re-running the pipeline over it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option, sources_option


@main.group()
def db() -> None:
    """The store: migrations, counts, checks, the search index, backups."""


@db.command("upgrade")
@db_option
@config_errors
def upgrade(db: str | None) -> None:
    """Apply pending migrations (every command does this on open; this only does that).

    Example: union-news db upgrade --db postgresql+psycopg://localhost/union_news
    """
    from aggregator.store import open_store
    from aggregator.store.migrate import current_revision

    store = open_store(db)
    click.echo(f"{store.url}: at revision {current_revision(store.engine)}")
    store.close()


@db.command("info")
@db_option
@config_errors
def info(db: str | None) -> None:
    """Print the store's URL, revision and row counts.

    Example: union-news db info
    """
    from aggregator.store import open_store
    from aggregator.store.migrate import current_revision
    from aggregator.store.writer import summary_counts

    store = open_store(db)
    with store.sessions() as session:
        counts = summary_counts(session)
    click.echo(f"store: {store.url}\nrevision: {current_revision(store.engine)}")
    for key, value in counts.items():
        click.echo(f"{key}: {value}")
    store.close()


@db.command("check")
@db_option
@config_errors
def check(db: str | None) -> None:
    """Check the store: SQLite's integrity check and foreign keys, and the search index. Exit 1 on a problem.

    Example: union-news db check --db /srv/union-news/union_news.db
    """
    from sqlalchemy import text

    from aggregator.search import check_index
    from aggregator.store import open_store

    store = open_store(db)
    problems: list[str] = []
    with store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            result = [row[0] for row in connection.execute(text("PRAGMA integrity_check"))]
            if result != ["ok"]:
                problems += [f"integrity: {line}" for line in result[:20]]
            broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
            problems += [f"broken reference: {row}" for row in broken[:20]]
    with store.engine.begin() as connection:
        from aggregator.store.derived import missing_triggers

        missing = missing_triggers(connection)
        if missing:
            problems.append(f"search index triggers missing: {', '.join(missing)} (run `union-news db reindex`)")
        try:
            check_index(connection)
        except Exception as exc:  # noqa: BLE001 (reported as a problem with what to do)
            problems.append(f"search index: {exc} (run `union-news db reindex`)")
    store.close()
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{store.url}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    if problems:
        raise SystemExit(1)


@db.command("reindex")
@db_option
@config_errors
def reindex(db: str | None) -> None:
    """Rebuild the full-text search index and its triggers (after a bulk load, or when `db check` says so).

    Takes the run lock, so it does not overlap a crawl. Example: union-news db reindex
    """
    from aggregator.lock import RunLock
    from aggregator.search import rebuild_index
    from aggregator.store import open_store

    store = open_store(db)
    with RunLock(store.engine.url.render_as_string(hide_password=False)):
        with store.engine.begin() as connection:
            from aggregator.store.derived import ensure_triggers

            ensure_triggers(connection)
            count = rebuild_index(connection)
    store.close()
    click.echo(f"indexed {count} articles")


@db.command("backup")
@db_option
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@config_errors
def backup(db: str | None, dest: Path) -> None:
    """Copy a SQLite store to DEST while it may be in use (SQLite's online backup), then check the copy.

    PostgreSQL stores are backed up with pg_dump (see docs/operations.md).

    Example: union-news db backup /backup/union_news-$(date +%F).db
    """
    import sqlite3

    from sqlalchemy import make_url

    from aggregator.cli.common import ConfigError
    from aggregator.store import open_store, resolve_db_url

    url = make_url(resolve_db_url(db))
    if url.get_backend_name() != "sqlite":
        raise ConfigError("db backup copies SQLite files; back a PostgreSQL store up with "
                          "pg_dump -Fc -f union_news.dump DBNAME (docs/operations.md)")
    if dest.exists():
        raise ConfigError(f"{dest} exists: name a new file")
    open_store(str(url)).close()
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        # Page by page, letting a running crawl go on writing between steps; the copy is one consistent snapshot.
        source.backup(target, pages=1024, sleep=0.01)
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        target.close()
        source.close()
    if result != "ok":
        raise click.ClickException(f"the copy at {dest} failed its integrity check: {result}")
    click.echo(f"backed up {url.database} to {dest} ({dest.stat().st_size:,} bytes, integrity ok)")


@main.command()
@db_option
@sources_option
@click.option("--stories", "stories_only", is_flag=True, help="Only rebuild the stories (near-duplicate groups).")
@config_errors
def reprocess(db: str | None, sources_path: str | None, stories_only: bool) -> None:
    """Re-run extraction, normalization, dedup and classification over the stored raw pages, without crawling.

    Editors' manual labels survive. Example: union-news reprocess --db out/demo/union_news.db
    """
    from aggregator.classify import default_classifier
    from aggregator.processing import reprocess as do_reprocess
    from aggregator.settings import UNION_NEWS_SOURCES
    from aggregator.sources import load_registry
    from aggregator.store import open_store

    registry = load_registry(sources_path or UNION_NEWS_SOURCES)
    store = open_store(db)
    with click.progressbar(length=1, label="reprocessing", file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        report = do_reprocess(store, registry, default_classifier(), extract=not stories_only, progress=progress)
    store.close()
    click.echo(f"articles reprocessed: {report.articles}; sections changed: {report.changed_sections}; "
               f"stories: {report.stories}; failed: {len(report.failed)}")
    for failure in report.failed[:20]:
        click.echo(f"  failed: {failure}", err=True)
    if report.failed:
        raise SystemExit(1)
