"""search: Chinese full-text search over the stored articles."""

from __future__ import annotations

from datetime import datetime, timedelta

import click

from aggregator.cli import main
from aggregator.cli._output import FORMATS, emit
from aggregator.cli.common import config_errors, db_option


def _day(value: str | None, name: str) -> datetime | None:
    """A YYYY-MM-DD date as midnight in Asia/Shanghai."""
    from aggregator.dates import SHANGHAI

    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=SHANGHAI) if len(value) > 10 else \
            datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), datetime.min.time(), SHANGHAI)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2025-07-21", param_hint=name) from None


@main.command()
@db_option
@click.argument("query")
@click.option("--section", help="Only this section, e.g. 维权服务.")
@click.option("--region", help="Only this province (region), e.g. 江苏 or 全国.")
@click.option("--source", "source_id", metavar="ID", help="Only this source id, e.g. workercn.")
@click.option("--since", metavar="YYYY-MM-DD", help="Published on or after this day (Asia/Shanghai).")
@click.option("--until", metavar="YYYY-MM-DD", help="Published on or before this day (Asia/Shanghai).")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True, help="At most this many results.")
@click.option("--order", type=click.Choice(["newest", "relevance"]), default="newest", show_default=True,
              help="Newest first, or best match first (slower for very common words).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
@config_errors
def search(db: str | None, query: str, section: str | None, region: str | None, source_id: str | None,
           since: str | None, until: str | None, limit: int, order: str, fmt: str) -> None:
    """Search titles and bodies; finds two-character words (工会, 驿站) and phrases (职工驿站).

    Words separated by spaces must all occur; OR between words gives alternatives; -word excludes a word;
    quotes keep a phrase with spaces together. Exit code 1 when nothing matched.

    \b
    Examples:
      union-news search 驿站
      union-news search "送清凉 高温" --region 江苏 --since 2025-07-01 --format json
      union-news search "外卖 OR 快递" --section 维权服务 --limit 50 --format csv > hits.csv
    """
    from aggregator.search import Filters, SearchError
    from aggregator.search import search as do_search
    from aggregator.store import open_store

    start = _day(since, "--since")
    end = _day(until, "--until")
    if end is not None and until and len(until) <= 10:
        end += timedelta(days=1)  # --until names the last day included
    store = open_store(db)
    try:
        with store.sessions() as session:
            hits = do_search(session, query, Filters(section, region, source_id, start, end), limit=limit, order=order)
    except SearchError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        store.close()
    rows = [h.to_json() for h in hits]
    if fmt == "table":
        for row in rows:
            row["published"] = (row["published_at"] or "")[:10]
        emit(rows, ["id", "published", "section", "region", "source_id", "title"], fmt)
        click.echo(f"{len(rows)} result(s)" + (f" (first {limit}; --limit for more)" if len(rows) == limit else ""), err=True)
    else:
        emit(rows, ["id", "published_at", "section", "region", "source_id", "source_name", "title", "url", "snippet"], fmt)
    if not hits:
        raise SystemExit(1)
