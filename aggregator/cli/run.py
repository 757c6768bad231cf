"""run: the unattended job: crawl every enabled source, then publish the digests; for cron and systemd timers."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from aggregator.cli import main
from aggregator.cli.common import ConfigError, db_option, sources_option
from aggregator.runs import EXIT_LOCKED, EXIT_NOTHING, EXIT_SOME_FAILED, RunReport, save_report

logger = logging.getLogger("union_news.run")


def _parse_sets(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set {value!r}: write NAME=VALUE, e.g. --set DOWNLOAD_DELAY=2")
        out[name.strip()] = setting
    return out


@main.command()
@db_option
@sources_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), envvar="UNION_NEWS_OUT", show_envvar=True,
              help="Folder to publish the pages and feeds into (required unless --no-publish).")
@click.option("--base-url", envvar="UNION_NEWS_BASE_URL", show_envvar=True, default=None,
              help="Public URL of --out (feeds need absolute links). Default: the setting UNION_NEWS_BASE_URL.")
@click.option("--weeks", type=click.IntRange(1, 520), default=12, show_default=True,
              help="How many recent complete weeks to publish.")
@click.option("--no-publish", is_flag=True, help="Only crawl.")
@click.option("--only", metavar="ID[,ID]", help="Crawl only these source ids.")
@click.option("--window", "window_days", type=int, default=14, show_default=True,
              help="Skip articles older than this many days; list paging stops there.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the run report as JSON here. Default: $UNION_NEWS_STATE_DIR/last-run.json")
@click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path), envvar="UNION_NEWS_LOG_FILE",
              show_envvar=True, help="Rotating log file. Default: $UNION_NEWS_STATE_DIR/union-news.log")
@click.option("--progress/--no-progress", default=None,
              help="Live table on stderr. Default: on when stderr is a terminal, else plain log lines.")
@click.option("-s", "--set", "sets", multiple=True, metavar="NAME=VALUE",
              help="Override a setting for this run (Scrapy's or UNION_NEWS_*), e.g. -s DOWNLOAD_DELAY=2.")
@click.pass_context
def run(ctx: click.Context, db: str | None, sources_path: str | None, out: Path | None, base_url: str | None, weeks: int,
        no_publish: bool, only: str | None, window_days: int, report_path: Path | None, log_file: Path | None,
        progress: bool | None, sets: tuple[str, ...]) -> None:
    """Crawl every enabled source, then publish the digests of the recent complete weeks (the job for cron).

    One run at a time per store: a second one exits at once with code 4. A run report (per source: pages,
    new articles, duplicates, errors, blocked) is printed, stored in crawl_runs and written as JSON.

    \b
    Exit codes:
      0  every source answered and the digests were published
      1  some sources failed, the run was interrupted, or publishing failed (see the report)
      2  configuration error (registry, store, options): nothing was done
      3  nothing could be crawled (every source failed: network down? blocked?)
      4  another run holds the lock: this one did nothing

    \b
    Example (crontab, every day at 06:30):
      30 6 * * *  union-news run --db /srv/union-news/union_news.db --out /var/www/union-news
    """
    from aggregator import settings as defaults
    from aggregator.crawl.runner import SPIDERS, run_crawl
    from aggregator.lock import LockedError, RunLock
    from aggregator.publish import write_atomic
    from aggregator.logs import setup_logging
    from aggregator.progress import LiveTable, LogLines, ProgressSink
    from aggregator.sources import RegistryError, load_registry
    from aggregator.store import StoreError, open_store, resolve_db_url

    verbose = ctx.find_root().params.get("verbose", 0) or 0
    terminal = sys.stderr.isatty() if progress is None else progress
    state_dir = Path(defaults.UNION_NEWS_STATE_DIR)
    try:
        console = setup_logging(log_file or Path(defaults.UNION_NEWS_LOG_FILE), verbose=verbose, terminal=terminal,
                                max_bytes=defaults.UNION_NEWS_LOG_MAX_BYTES, backups=defaults.UNION_NEWS_LOG_BACKUPS)
    except OSError as exc:
        raise ConfigError(f"cannot write the log file: {exc}. Pass --log-file or set UNION_NEWS_STATE_DIR.") from None
    overrides = _parse_sets(sets)
    sources_file = sources_path or defaults.UNION_NEWS_SOURCES
    only_ids = [s for s in (only or "").split(",") if s]
    db_url = resolve_db_url(db)
    # Everything that can be wrong with the configuration is checked before the lock and the crawl.
    try:
        load_registry(sources_file).enabled(only_ids)
        open_store(db_url).close()
    except (RegistryError, StoreError) as exc:
        logger.error("configuration error: %s", exc)
        raise ConfigError(str(exc)) from None
    if not no_publish and out is None:
        raise ConfigError("--out is missing: name the folder to publish into (or UNION_NEWS_OUT), or pass --no-publish")

    try:
        lock = RunLock(db_url).acquire()
    except LockedError as exc:
        logger.warning("%s", exc)
        click.echo(f"union-news run: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    try:
        sink: ProgressSink = LiveTable(console) if terminal and console is not None else LogLines()
        logger.info("run started: store %s, sources %s", db_url, sources_file)
        report = run_crawl(db_url, sources_file, only=only_ids, spiders=SPIDERS, command="run", lock=False,
                           progress=sink, UNION_NEWS_WINDOW_DAYS=window_days, **overrides)
        code = report.exit_code
        if not no_publish and out is not None:
            code = publish_weeks(db_url, out, base_url, weeks, report)
        report.exit_code = code
        store = open_store(db_url)
        with store.session() as session:
            save_report(session, report)
        store.close()
    finally:
        lock.release()
    from aggregator.cli.crawl import print_report

    print_report(report)
    for note in report.notes:
        click.echo(f"  note: {note}", err=True)
    target = report_path or state_dir / "last-run.json"
    try:
        write_atomic(target, json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        click.echo(f"report: {target}", err=True)
    except OSError as exc:
        logger.error("could not write the report to %s: %s", target, exc)
    logger.info("run %s finished: %s, exit code %s", report.run_id, report.status, code)
    sys.exit(code)


def publish_weeks(db_url: str, out: Path, base_url: str | None, weeks: int, report: RunReport) -> int:
    """Publish the recent weeks as `union-news publish` does; a failure is noted and makes the exit code 1."""
    from aggregator.clock import crawl_now
    from aggregator.publish import publish
    from aggregator.settings import UNION_NEWS_BASE_URL, UNION_NEWS_FEED_TAG
    from aggregator.store import open_store

    code = report.exit_code
    try:
        store = open_store(db_url)
        try:
            with store.sessions() as session:
                published = publish(session, out, crawl_now(), limit=weeks, base_url=base_url or UNION_NEWS_BASE_URL,
                                    tag=UNION_NEWS_FEED_TAG)
        finally:
            store.close()
        report.published = {"out": str(out), "weeks": published.weeks, "files": len(published.files)}
        logger.info("published %d week(s) to %s: %s", len(published.weeks), out, ", ".join(published.weeks) or "none")
        return code
    except Exception as exc:  # noqa: BLE001 (the crawl's work is stored; say what failed and go on)
        logger.exception("publishing to %s failed", out)
        report.published = {"out": str(out), "error": str(exc)}
        report.notes.append(f"publishing to {out} failed: {exc}")
        return code if code == EXIT_NOTHING else EXIT_SOME_FAILED
