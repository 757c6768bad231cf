"""Helpers for tests that run a real crawl of the fixture sites (tests/fixtures/sites) in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import select

from aggregator.sampleserver import SampleServer
from aggregator.store import open_store
from aggregator.store.models import Article, CrawlRunSource
from tests.conftest import ROOT, run_cli

FIXTURES = ROOT / "tests" / "fixtures" / "sites"
REGISTRY = FIXTURES / "sources.toml"
NOW = "2025-09-15T12:00:00+08:00"
EXPECTED: dict[str, Any] = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def crawl_env(server: SampleServer, **extra: str) -> dict[str, str]:
    """The environment of a test crawl: every host mapped to the fixture server, the tests' clock, no delays."""
    env = {"UNION_NEWS_HOSTMAP": json.dumps({"*": server.address}), "UNION_NEWS_NOW": NOW,
           "UNION_NEWS_DOWNLOAD_DELAY": "0", "UNION_NEWS_AUTOTHROTTLE": "0", "UNION_NEWS_CONCURRENT_PER_HOST": "4",
           "UNION_NEWS_RETRY_BACKOFF": "0.2", "UNION_NEWS_LOG_LEVEL": "INFO"}
    env.update(extra)
    return env


def crawl(server: SampleServer, db: Path, *source_ids: str, args: tuple[str, ...] = (), **env: str) -> subprocess.CompletedProcess[str]:
    """Run `union-news crawl --spider sites` over the fixture registry (only `source_ids` when given)."""
    cli = ["crawl", "--db", str(db), "--sources", str(REGISTRY), "--spider", "sites", *args]
    if source_ids:
        cli += ["--only", ",".join(source_ids)]
    return run_cli(*cli, env=crawl_env(server, **env), timeout=180)


def stored(db: Path) -> dict[str, Article]:
    """Every stored article by URL."""
    store = open_store(str(db))
    with store.sessions() as session:
        articles = {a.url: a for a in session.scalars(select(Article))}
    store.close()
    return articles


def run_rows(db: Path) -> list[CrawlRunSource]:
    """Every crawl_run_sources row, in run order."""
    store = open_store(str(db))
    with store.sessions() as session:
        rows = list(session.scalars(select(CrawlRunSource).order_by(CrawlRunSource.run_id, CrawlRunSource.source_id)))
    store.close()
    return rows


def article_paths(server: SampleServer, host: str) -> list[str]:
    """Paths of the article pages the server answered for a host (list pages and robots.txt left out)."""
    urls = {u for u, info in EXPECTED["articles"].items()}
    return [h.path for h in server.hits_for(host) if any(u.endswith(h.path) and host in u for u in urls)]
