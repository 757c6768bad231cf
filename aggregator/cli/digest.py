"""digest and publish: build the week's digest and write pages, Markdown and feeds."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-07-21",
                                 param_hint=option) from None


review_option = click.option("--review-marks/--no-review-marks", "show_review", default=True, show_default=True,
                             help="Mark items whose section awaits an editor's review (待审) in the HTML and Markdown.")


@main.command()
@db_option
@click.option("--week", metavar="YYYY-Www", help="ISO week in Asia/Shanghai, e.g. 2025-W30. Default: last week.")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day of a custom window (instead of --week).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day of a custom window (included).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write the HTML page and the Markdown into this folder (WEEK.html, WEEK.md).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "none"]), default="markdown", show_default=True,
              help="What to print on stdout.")
@review_option
@config_errors
def digest(db: str | None, week: str | None, date_from: str | None, date_to: str | None, out: Path | None, fmt: str,
           show_review: bool) -> None:
    """Build one week's digest (or a custom window's); print it and optionally write its page and Markdown.

    A week is an ISO week in Asia/Shanghai; --from/--to take calendar days, both included. Items whose
    section awaits review are marked 待审 for the editor (--no-review-marks to leave the marks out).

    \b
    Examples:
      union-news digest --week 2025-W30 --out site/
      union-news digest --from 2025-07-21 --to 2025-07-27 --format none --out drafts/
    """
    from aggregator.clock import crawl_now
    from aggregator.dates import iso_week_bounds, iso_week_of
    from aggregator.digest import build_digest, build_week, window_bounds
    from aggregator.publish import feed_links, write_week
    from aggregator.render.html import render_digest_html
    from aggregator.render.markdown import render_markdown
    from aggregator.store import open_store

    first, last = _day(date_from, "--from"), _day(date_to, "--to")
    if (first is None) != (last is None):
        raise click.UsageError("--from and --to go together (both days are included)")
    if first is not None and week is not None:
        raise click.UsageError("give either --week or --from/--to, not both")
    if first is not None and last is not None:
        try:
            start, end = window_bounds(first, last)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--to") from None
    else:
        week = week or iso_week_of(crawl_now() - timedelta(days=7))
        try:
            iso_week_bounds(week)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
    store = open_store(db)
    try:
        with store.sessions() as session:
            result = build_digest(session, start, end) if first is not None else build_week(session, week or "")
    finally:
        store.close()
    if out is not None:
        index = "index.html" if (out / "index.html").exists() else None
        for path in write_week(result, out, show_review=show_review, index_href=index):
            click.echo(f"wrote {path}", err=True)
    if fmt == "markdown":
        click.echo(render_markdown(result, show_review=show_review), nl=False)
    elif fmt == "html":
        click.echo(render_digest_html(result, feed_links(), show_review=show_review), nl=False)
    if not result.items:
        click.echo(f"union-news: no items in {result.slug}: nothing was published then, or nothing was crawled "
                   "(check `union-news sources` and the crawl reports)", err=True)


@main.command()
@db_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to publish into.")
@click.option("--weeks", "limit", type=click.IntRange(1, 520), default=12, show_default=True,
              help="How many recent complete weeks: pages, and entries of the digest feed.")
@click.option("--week", "weeks", metavar="YYYY-Www", multiple=True,
              help="Publish exactly these weeks instead (repeatable), e.g. a week that is not over yet.")
@click.option("--items", type=click.IntRange(1, 1000), default=50, show_default=True,
              help="Entries of each section feed and of the articles feed.")
@click.option("--base-url", envvar="UNION_NEWS_BASE_URL", show_envvar=True, default=None,
              help="Public URL of --out (feeds need absolute links). Default: the setting UNION_NEWS_BASE_URL.")
@click.option("--tag", envvar="UNION_NEWS_FEED_TAG", show_envvar=True, default=None, metavar="DOMAIN,DATE",
              help="Tagging entity of the feed ids (RFC 4151), e.g. news.example.org,2025. Set once, never change.")
@click.option("--summary-only", is_flag=True,
              help="Section and article feeds carry summaries instead of the articles' full (sanitized) text.")
@review_option
@config_errors
def publish(db: str | None, out: Path, limit: int, weeks: tuple[str, ...], items: int, base_url: str | None,
            tag: str | None, summary_only: bool, show_review: bool) -> None:
    """Write every recent week's page and Markdown, the index page, and every feed.

    Feeds: the weekly digests (digest.rss.xml, digest.atom.xml), one per section (section-*.xml) and the
    latest articles (articles.*.xml), in RSS 2.0 and Atom 1.0. Only weeks that are over are published unless
    --week names them. Files are replaced atomically, so a subscriber never reads a half-written feed.

    Example: union-news publish --out /var/www/union-news --base-url https://news.example.org/union/
    """
    from aggregator.clock import crawl_now
    from aggregator.dates import iso_week_bounds
    from aggregator.publish import publish as do_publish
    from aggregator.settings import UNION_NEWS_BASE_URL, UNION_NEWS_FEED_TAG
    from aggregator.store import open_store

    for week in weeks:
        try:
            iso_week_bounds(week)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--week") from None
    if tag is not None and ("," not in tag or ":" in tag):
        raise click.BadParameter(f"{tag!r}: write it as DOMAIN,DATE, e.g. news.example.org,2025", param_hint="--tag")
    store = open_store(db)
    try:
        with store.sessions() as session:
            result = do_publish(session, out, crawl_now(), weeks=list(weeks) or None, limit=limit,
                                base_url=base_url or UNION_NEWS_BASE_URL, items=items, tag=tag or UNION_NEWS_FEED_TAG,
                                show_review=show_review, full_text=not summary_only)
    finally:
        store.close()
    click.echo(f"published {len(result.weeks)} week(s) and {len(result.files)} files to {out}: "
               f"{', '.join(result.weeks) or 'no complete week with items yet'}")
