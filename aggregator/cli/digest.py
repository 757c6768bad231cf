"""digest and publish: build the week's digest and write pages, Markdown and feeds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option


@main.command()
@db_option
@click.option("--week", metavar="YYYY-Www", help="ISO week in Asia/Shanghai, e.g. 2025-W30. Default: last week.")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Start of a custom window (instead of --week).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="End of a custom window (exclusive).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Write the HTML page and Markdown here.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "none"]), default="markdown", show_default=True,
              help="What to print on stdout.")
@config_errors
def digest(db: str | None, week: str | None, date_from: str | None, date_to: str | None, out: Path | None, fmt: str) -> None:
    """Build one week's digest; print it as Markdown and optionally write its page.

    Example: union-news digest --week 2025-W30 --out site/
    """
    from aggregator.clock import crawl_now
    from aggregator.dates import SHANGHAI, iso_week_of
    from aggregator.digest import build_digest, build_week
    from aggregator.publish import feed_links, write_week
    from aggregator.render.html import render_digest_html
    from aggregator.render.markdown import render_markdown
    from aggregator.store import open_store

    now = crawl_now()
    store = open_store(db)
    with store.sessions() as session:
        if date_from or date_to:
            if not (date_from and date_to):
                raise click.UsageError("--from and --to go together")
            try:
                start = datetime.fromisoformat(date_from).replace(tzinfo=SHANGHAI)
                end = datetime.fromisoformat(date_to).replace(tzinfo=SHANGHAI)
            except ValueError as exc:
                raise click.BadParameter(str(exc)) from None
            result = build_digest(session, start, end, None)
        else:
            if week is None:
                from datetime import timedelta

                week = iso_week_of(now - timedelta(days=7))
            try:
                result = build_week(session, week)
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--week") from None
    store.close()
    if out is not None:
        for path in write_week(result, out, now):
            click.echo(f"wrote {path}", err=True)
    if fmt == "markdown":
        click.echo(render_markdown(result))
    elif fmt == "html":
        click.echo(render_digest_html(result, now.strftime("%Y-%m-%d %H:%M"), feed_links()))
    if not result.items:
        click.echo(f"no items in {result.week or (date_from + '..' + date_to)}", err=True)


@main.command()
@db_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to publish into.")
@click.option("--weeks", "limit", type=int, default=12, show_default=True, help="How many recent weeks.")
@click.option("--base-url", default="https://union-news.example/", show_default=True,
              help="Public URL of --out (feeds need absolute links).")
@config_errors
def publish(db: str | None, out: Path, limit: int, base_url: str) -> None:
    """Write every recent week's page and Markdown, the index page and the RSS and Atom feeds.

    Files are replaced atomically, so a subscriber never reads a half-written feed.

    Example: union-news publish --out /var/www/union-news --base-url https://news.example.org/union/
    """
    from aggregator.clock import crawl_now
    from aggregator.publish import publish as do_publish
    from aggregator.store import open_store

    store = open_store(db)
    with store.sessions() as session:
        result = do_publish(session, out, crawl_now(), limit=limit, base_url=base_url)
    store.close()
    click.echo(f"published {len(result.weeks)} week(s) to {out}: {', '.join(result.weeks) or 'none'}")
