"""Run the spiders in this process (Scrapy's CrawlerProcess) and record the run in the store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from aggregator import settings as default_settings
from aggregator.clock import crawl_now
from aggregator.runs import RunReport, finish_run, start_run
from aggregator.sources import load_registry
from aggregator.store import close_shared, resolve_db_url, shared_store
from aggregator.store.writer import sync_sources

logger = logging.getLogger(__name__)

SPIDERS = ("sites", "wechat")


def crawl_settings(**overrides: Any) -> Settings:
    """The project's settings with `overrides` (UNION_NEWS_* and Scrapy names) on top."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    for key, value in overrides.items():
        if value is not None:
            settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(db: str | None, sources: str | Path | None = None, only: list[str] | None = None,
              spiders: tuple[str, ...] = SPIDERS, command: str = "crawl", **overrides: Any) -> RunReport:
    """Crawl the enabled sources once, in this process, and return the run's report.

    Can be called once per process: Scrapy's reactor does not restart.
    """
    sources_path = str(sources or default_settings.UNION_NEWS_SOURCES)
    registry = load_registry(sources_path)  # a RegistryError stops here, before anything runs
    registry.enabled(only)
    db_url = resolve_db_url(db)
    store = shared_store(db_url)
    with store.session() as session:
        sync_sources(session, registry)
        run_id = start_run(session, command, crawl_now()).id
    settings = crawl_settings(UNION_NEWS_DB=db_url, UNION_NEWS_SOURCES=sources_path, UNION_NEWS_RUN_ID=run_id,
                              UNION_NEWS_ONLY_SOURCES=only or [], **overrides)
    # Logging goes through the command's root handler (-v sets its level), not a second one of Scrapy's.
    process = CrawlerProcess(settings, install_root_handler=False)
    for name in spiders:
        process.crawl(name)
    interrupted = False
    try:
        process.start()
    except KeyboardInterrupt:
        interrupted = True
    with store.session() as session:
        report = finish_run(session, run_id, crawl_now(), interrupted=interrupted)
    close_shared()
    return report
