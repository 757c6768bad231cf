"""extract: run the parsers on one saved page and print the record as JSON."""

from __future__ import annotations

import json
from pathlib import Path

import click

from aggregator.cli import main


@main.command()
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (decides WeChat parsing, resolves links). Default: file URL.")
@click.option("--encoding", default=None, help="Force an encoding (detected when not given).")
@click.option("--source", "source_id", default=None, help="Use this registry source's family and selectors.")
def extract(page: Path, url: str | None, encoding: str | None, source_id: str | None) -> None:
    """Extract one saved page and print the record as JSON.

    Prints title, published, author, source, body_text, body_html, summary and region (and the WeChat account,
    canonical URL and key for mp.weixin.qq.com pages).

    Example: union-news extract page.html --url https://www.workercn.cn/c/2025-07-24/8541234.shtml
    """
    from aggregator.clock import crawl_now
    from aggregator.extract import extract_article
    from aggregator.normalize import normalize_record
    from aggregator.records import Page
    from aggregator.settings import UNION_NEWS_SOURCES
    from aggregator.sources import load_registry

    source = load_registry(UNION_NEWS_SOURCES).sources.get(source_id) if source_id else None
    record = extract_article(Page(url=url or page.resolve().as_uri(), body=page.read_bytes(), encoding=encoding), source)
    normalize_record(record, source, crawl_now())
    out = {
        "url": record.url, "title": record.title,
        "published": record.published_at.isoformat() if record.published_at else None,
        "published_precise": record.published_precise, "author": record.author, "source": record.origin,
        "byline": record.byline, "body_text": record.body_text, "body_html": record.body_html,
        "summary": record.summary, "region": record.region, "city": record.city, "status": record.status,
    }
    if record.wechat_key:
        out.update(account=record.wechat_account, canonical_url=record.url, key=list(record.wechat_key))
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))
