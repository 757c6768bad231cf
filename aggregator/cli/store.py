"""db and reprocess: the store's schema and re-running the pipeline over what it holds."""

from __future__ import annotations

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option, sources_option


@main.group()
def db() -> None:
    """The store: migrations and counts."""


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
    with click.progressbar(length=1, label="reprocessing", file=click.get_text_stream("stderr")) as bar:
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
