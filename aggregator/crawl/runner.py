"""Run the spiders in this process (Scrapy's CrawlerProcess) and record the run in the store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from aggregator import settings as default_settings
from aggregator.clock import crawl_now
from aggregator.crawl.runstats import FIGURE_PREFIX
from aggregator.heap import settled_heap
from aggregator.lock import RunLock
from aggregator.progress import Figures, ProgressSink
from aggregator.runs import RunReport, close_stale_runs, finish_run, save_report, start_run
from aggregator.sources import load_registry
from aggregator.store import close_shared, resolve_db_url, shared_store
from aggregator.store.writer import sync_sources

logger = logging.getLogger(__name__)

SPIDERS = ("sites", "wechat")
PROGRESS_INTERVAL = 0.5


def crawl_settings(**overrides: Any) -> Settings:
    """The project's settings with `overrides` (UNION_NEWS_* and Scrapy names) on top."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    for key, value in overrides.items():
        if value is not None:
            settings.set(key, value, priority="cmdline")
    return settings


def live_figures(crawlers: set[Crawler] | list[Crawler]) -> Figures:
    """Per-source figures so far, summed over the running crawlers' stats."""
    out: Figures = {}
    for crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        for key, value in stats.items():
            if key.startswith(FIGURE_PREFIX) and isinstance(value, int):
                _, source_id, name = key.split("/", 2)
                figures = out.setdefault(source_id, {})
                figures[name] = figures.get(name, 0) + value
    return out


def run_crawl(db: str | None, sources: str | Path | None = None, only: list[str] | None = None,
              spiders: tuple[str, ...] = SPIDERS, command: str = "crawl", lock: bool = True,
              progress: ProgressSink | None = None, **overrides: Any) -> RunReport:
    """Crawl the enabled sources once, in this process, and return the run's report.

    Takes the store's run lock unless `lock` is False (the caller holds it); raises
    aggregator.lock.LockedError when another run has it. Runs a previous run left `running` are closed as
    `killed` first. SIGTERM or Ctrl-C stop the crawl gracefully and the run is closed as `interrupted`.
    Can be called once per process: Scrapy's reactor does not restart.
    """
    sources_path = str(sources or default_settings.UNION_NEWS_SOURCES)
    registry = load_registry(sources_path)  # a RegistryError stops here, before anything runs
    enabled = [s.id for s in registry.enabled(only)]
    db_url = resolve_db_url(db)
    store = shared_store(db_url)
    run_lock = RunLock(db_url).acquire() if lock else None
    try:
        with store.session() as session:
            stale = close_stale_runs(session, crawl_now())
            if stale:
                logger.warning("runs %s were left running by a process that ended without closing them; "
                               "marked as killed", ", ".join(map(str, stale)))
            sync_sources(session, registry)
            run_id = start_run(session, command, crawl_now()).id
        settings = crawl_settings(UNION_NEWS_DB=db_url, UNION_NEWS_SOURCES=sources_path, UNION_NEWS_RUN_ID=run_id,
                                  UNION_NEWS_ONLY_SOURCES=only or [], **overrides)
        # Logging goes through the command's root handler (-v sets its level), not a second one of Scrapy's.
        process = _process(settings)
        # Our own list: the process forgets a crawler when it finishes, and its stats are read after that.
        crawlers = [process.create_crawler(name) for name in spiders]
        for crawler in crawlers:
            process.crawl(crawler)
        ticker = _start_progress(crawlers, progress, enabled)
        interrupted = False
        try:
            # The spiders, pipelines and models are loaded: the collector need not walk them again and again.
            with settled_heap():
                process.start()
            # Scrapy turns SIGTERM/SIGINT into a graceful stop: the spiders close with reason "shutdown".
            interrupted = any(c.stats and c.stats.get_value("finish_reason") == "shutdown" for c in crawlers)
        except BaseException:
            interrupted = True
            raise
        finally:
            if ticker is not None and ticker.running:
                ticker.stop()
            if progress is not None:
                progress.update(live_figures(crawlers), enabled)
                progress.close()
            with store.session() as session:
                report = finish_run(session, run_id, crawl_now(), interrupted=interrupted)
                if stale:
                    report.notes.append(f"runs {', '.join(map(str, stale))} had been left running; marked killed")
                    save_report(session, report)
            close_shared()
    finally:
        if run_lock is not None:
            run_lock.release()
    return report


def _process(settings: Settings) -> CrawlerProcess:
    """A CrawlerProcess that leaves the root logging handlers to the command (newer Scrapy: a setting)."""
    from scrapy.settings import default_settings as scrapy_defaults

    if hasattr(scrapy_defaults, "LOG_INSTALL_ROOT_HANDLER"):
        settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
        return CrawlerProcess(settings)
    return CrawlerProcess(settings, install_root_handler=False)


def _start_progress(crawlers: list[Crawler], progress: ProgressSink | None, enabled: list[str]) -> Any:
    """Feed the progress sink from the crawlers' stats twice a second, in the reactor's thread."""
    if progress is None:
        return None
    from twisted.internet import task

    ticker = task.LoopingCall(lambda: progress.update(live_figures(crawlers), enabled))
    ticker.start(PROGRESS_INTERVAL, now=False)
    return ticker
