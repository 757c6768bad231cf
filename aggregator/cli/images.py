"""images: keep local copies of WeChat images for readers that cannot load them from WeChat (optional)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option


@main.group()
def images() -> None:
    """Local copies of WeChat's hotlink-protected images (docs/wechat.md, "Images")."""


@images.command("fetch")
@db_option
@click.option("--out", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("out/site/img"),
              show_default=True, help="Folder for the copies and their manifest.json (next to the published pages).")
@click.option("--days", type=int, default=14, show_default=True,
              help="Images of WeChat articles published in the last DAYS days; 0 for every stored article.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="Seconds per image.")
@click.option("--hostmap", hidden=True, default=None, help="HOST=ADDR: answer HOST from ADDR (tests, the demo).")
@config_errors
def fetch(db: str | None, folder: Path, days: int, timeout: float, hostmap: str | None) -> None:
    """Download the images of recent WeChat articles (without a Referer) into --out; known ones are skipped.

    Exit code 0 when every image was had, 1 when some failed (listed), 3 when all failed.

    Example: union-news images fetch --out site/img --days 7
    """
    from aggregator.clock import crawl_now
    from aggregator.images import ImageCache, article_images, http_fetcher
    from aggregator.runs import EXIT_NOTHING, EXIT_SOME_FAILED
    from aggregator.settings import USER_AGENT
    from aggregator.store import open_store

    store = open_store(db)
    with store.sessions() as session:
        urls = article_images(session, crawl_now() - timedelta(days=days) if days > 0 else None)
    store.close()
    mapping = dict([hostmap.split("=", 1)]) if hostmap and "=" in hostmap else None
    cache = ImageCache(folder)
    report = cache.fetch(urls, http_fetcher(USER_AGENT, timeout, mapping))
    click.echo(f"{len(urls)} WeChat image(s): {report.fetched} fetched, {report.cached} already there, "
               f"{len(report.failed)} failed; copies in {folder}/")
    for url, reason in report.failed[:20]:
        click.echo(f"  failed: {url}: {reason}", err=True)
    if report.failed:
        raise SystemExit(EXIT_NOTHING if not report.fetched and not report.cached else EXIT_SOME_FAILED)
