"""crawl and demo: run the spiders through the pipelines into the store."""

from __future__ import annotations

import json
import shutil
import sys
import time
import resource
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import config_errors, db_option, echo_table, sources_option
from aggregator.runs import RunReport

DEMO_WEEK = "2025-W30"
# The sample is the week of 2025-07-21; the demo crawls as if it ran on the Monday after.
DEMO_NOW = "2025-07-28T12:00:00+08:00"


def print_report(report: RunReport) -> None:
    """The run's per-source table and totals."""
    rows = [{"source": s.source_id, "status": s.status, "pages": s.pages, "articles": s.items, "new": s.new,
             "duplicates": s.duplicates, "errors": s.errors, "blocked": s.blocked} for s in report.sources]
    echo_table(rows, ["source", "status", "pages", "articles", "new", "duplicates", "errors", "blocked"])
    totals = report.totals()
    click.echo(f"run {report.run_id}: {report.status} (exit {report.exit_code}); pages {totals['pages']}, new {totals['new']}, "
               f"duplicates {totals['duplicates']}, errors {totals['errors']}, blocked {totals['blocked']}")
    for s in report.sources:
        if s.status != "ok":
            click.echo(f"  {s.source_id}: {s.status}: {s.message or 'no articles found'}", err=True)


@main.command()
@db_option
@sources_option
@click.option("--only", metavar="ID[,ID]", help="Crawl only these source ids.")
@click.option("--spider", type=click.Choice(["sites", "wechat", "all"]), default="all", show_default=True,
              help="Which spider to run.")
@click.option("--refresh", is_flag=True, help="Fetch stored article URLs again.")
@click.option("--window", "window_days", type=int, default=14, show_default=True,
              help="Skip articles older than this many days; list paging stops there.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the run report as JSON to this file.")
@config_errors
def crawl(db: str | None, sources_path: str | None, only: str | None, spider: str, refresh: bool, window_days: int,
          report_path: Path | None) -> None:
    """Crawl the enabled sources once into the store and print the run report.

    Exit code 0 when every source answered, 1 when some failed, 3 when none did.

    Example: union-news crawl --only workercn,jsgh --report run.json
    """
    from aggregator.crawl.runner import SPIDERS, run_crawl

    spiders = SPIDERS if spider == "all" else (spider,)
    report = run_crawl(db, sources_path, only=[s for s in (only or "").split(",") if s], spiders=spiders,
                       UNION_NEWS_REFRESH=refresh, UNION_NEWS_WINDOW_DAYS=window_days)
    print_report(report)
    if report_path:
        report_path.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    sys.exit(report.exit_code)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"), show_default=True,
              help="Folder for the store, feeds, pages and Markdown (replaced).")
@click.option("--keep", is_flag=True, help="Keep an existing store in the folder (crawl incrementally on top).")
def demo(out: Path, keep: bool) -> None:
    """Crawl the bundled sample sites offline and publish the digest of week 2025-W30.

    Starts a local server on 127.0.0.1 that answers for the sample's real domains, runs the real spiders and
    pipelines into a fresh store, then writes the store (union_news.db), the RSS and Atom feeds, the HTML
    pages and the Markdown into --out.

    Example: union-news demo --out /tmp/demo && xdg-open /tmp/demo/2025-W30.html
    """
    from aggregator.crawl.runner import run_crawl
    from aggregator.publish import publish
    from aggregator.sampleserver import SampleServer, sample_root
    from aggregator.settings import UNION_NEWS_DATA_DIR
    from aggregator.store import open_store
    from aggregator.clock import crawl_now
    from aggregator.digest import build_week

    started = time.monotonic()
    db_path = out / "union_news.db"
    if out.exists() and not keep:
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    registry = Path(UNION_NEWS_DATA_DIR) / "samples" / "sources.toml"
    with SampleServer(sample_root()) as server:
        click.echo(f"sample server on {server.address} answering for the sample's domains", err=True)
        report = run_crawl(
            str(db_path), registry, command="demo", UNION_NEWS_HOSTMAP={"*": server.address}, UNION_NEWS_NOW=DEMO_NOW,
            DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, CONCURRENT_REQUESTS_PER_DOMAIN=8, RETRY_TIMES=1,
            UNION_NEWS_RETRY_BACKOFF=0.1,  # the failing sample source need not hold the demo for seconds
            LOG_LEVEL="WARNING",
        )
    print_report(report)
    store = open_store(str(db_path))
    with store.sessions() as session:
        published = publish(session, out, crawl_now(DEMO_NOW), weeks=[DEMO_WEEK])
        digest = build_week(session, DEMO_WEEK)
    store.close()
    click.echo("")
    click.echo(f"digest {DEMO_WEEK}: {digest.title}")
    for name, items in digest.sections:
        click.echo(f"  {name}: {len(items)}")
    click.echo(f"  部分图文来源：{'、'.join(digest.credits)}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    click.echo(f"\nwrote {len(published.files) + 1} files to {out}/ in {time.monotonic() - started:.1f} s "
               f"(peak memory {peak_mb:.0f} MB):")
    for path in [db_path, *published.files]:
        click.echo(f"  {path}")
