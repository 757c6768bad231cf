"""The one settings module: Scrapy's settings and union-news' own (prefixed UNION_NEWS_)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from aggregator import __version__

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# --- union-news ---------------------------------------------------------------------------------
# Where shipped data lives (sources, lexicons, gazetteer, labels, the bundled sample).
UNION_NEWS_DATA_DIR = os.environ.get("UNION_NEWS_DATA_DIR", str(PROJECT_ROOT / "data"))
# Trained section models (`union-news train` writes here; CURRENT names the one in use) and an explicit model file.
UNION_NEWS_MODELS_DIR = os.environ.get("UNION_NEWS_MODELS_DIR", str(Path(UNION_NEWS_DATA_DIR) / "models"))
UNION_NEWS_MODEL = os.environ.get("UNION_NEWS_MODEL", "")
# The source registry the spiders read.
UNION_NEWS_SOURCES = os.environ.get("UNION_NEWS_SOURCES", str(Path(UNION_NEWS_DATA_DIR) / "sources.toml"))
# The store: --db, else $UNION_NEWS_DB, else this default (see aggregator.store.resolve_db_url).
UNION_NEWS_DB = os.environ.get("UNION_NEWS_DB", "")
# Only these source ids are crawled (empty: every enabled source).
UNION_NEWS_ONLY_SOURCES: list[str] = []
# Articles older than this many days are not fetched and stop list paging.
UNION_NEWS_WINDOW_DAYS = 14
# Fetch stored article URLs again (normally they are skipped).
UNION_NEWS_REFRESH = False
# List pages followed per list URL at most (a safety net; the stop rule usually ends paging first).
UNION_NEWS_MAX_LIST_PAGES = 20


# Environment variables that could not be read: the command line reports them (exit 2) before doing anything;
# raising here would turn a typo in a crontab into a traceback.
CONFIG_ERRORS: list[str] = []


def _env_json(name: str, default: dict[str, str]) -> dict[str, str]:
    """A JSON object from the environment; a malformed value is a configuration error naming the variable."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        CONFIG_ERRORS.append(f"${name} is not valid JSON ({exc}); expected e.g. '{{\"*\": \"127.0.0.1:8000\"}}'")
        return default
    if not isinstance(value, dict):
        CONFIG_ERRORS.append(f"${name} must be a JSON object of host -> host:port")
        return default
    return {str(k): str(v) for k, v in value.items()}


def _env_number(name: str, default: float, kind: type = float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        CONFIG_ERRORS.append(f"${name} must be a {'whole ' if kind is int else ''}number, not {raw!r}")
        return default


def _env_float(name: str, default: float) -> float:
    return float(_env_number(name, default, float))


def _env_int(name: str, default: int) -> int:
    return int(_env_number(name, default, int))


def _env_bool(name: str, default: bool) -> bool:
    """A yes/no switch from the environment (1/0, true/false, yes/no, on/off); anything else is an error."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    CONFIG_ERRORS.append(f"${name} must be 1 or 0 (true/false, yes/no, on/off), not {raw!r}")
    return default


# host -> "127.0.0.1:port": answer these hosts from a local server while URLs stay the real ones.
# "*" maps every host (used by the demo and the tests so nothing reaches the internet).
# From the environment as JSON: UNION_NEWS_HOSTMAP='{"*": "127.0.0.1:8000"}'.
UNION_NEWS_HOSTMAP: dict[str, str] = _env_json("UNION_NEWS_HOSTMAP", {})
# Keep raw responses (compressed) so `union-news reprocess` can re-run extraction.
UNION_NEWS_KEEP_RAW = True
# Group commit: articles are committed every N items or S seconds and at the end of the crawl (one fsync
# per group, not per article); a killed run loses at most the open group, which the next run refetches.
UNION_NEWS_COMMIT_ITEMS = _env_int("UNION_NEWS_COMMIT_ITEMS", 50)
UNION_NEWS_COMMIT_SECONDS = _env_float("UNION_NEWS_COMMIT_SECONDS", 2.0)
# A crawl with much to write (its first group fills up) writes its groups in a child process, on another core;
# at most UNION_NEWS_STORE_QUEUE groups wait for it before the crawl waits too. 0 writes in the crawl's process.
UNION_NEWS_STORE_WORKER = _env_bool("UNION_NEWS_STORE_WORKER", True)
UNION_NEWS_STORE_QUEUE = _env_int("UNION_NEWS_STORE_QUEUE", 4)
# Contact shown in the User-Agent so site operators can reach whoever runs the crawler.
UNION_NEWS_CONTACT = os.environ.get("UNION_NEWS_CONTACT", "https://example.org/union-news")
# Pin the crawl's clock (ISO datetime, Asia/Shanghai); empty: the real time. The demo crawls as of 2025-07-28.
UNION_NEWS_NOW = os.environ.get("UNION_NEWS_NOW", "")
# The crawl_runs row the spiders report into (set by `union-news crawl`/`run`/`demo`).
UNION_NEWS_RUN_ID: int | None = None
# A running crawl writes its per-source figures to crawl_run_sources this often (a killed run keeps them).
UNION_NEWS_STATS_FLUSH_SECONDS = 15.0
# `union-news run`: where its rotating log file and its last run report (JSON) go.
UNION_NEWS_STATE_DIR = os.environ.get("UNION_NEWS_STATE_DIR") or str(
    Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "union-news")
UNION_NEWS_LOG_FILE = os.environ.get("UNION_NEWS_LOG_FILE") or str(Path(UNION_NEWS_STATE_DIR) / "union-news.log")
UNION_NEWS_LOG_MAX_BYTES = 10_000_000
UNION_NEWS_LOG_BACKUPS = 5
# Public URL of the folder `union-news publish` writes (feeds need absolute links).
UNION_NEWS_BASE_URL = os.environ.get("UNION_NEWS_BASE_URL", "https://union-news.example/")
# Tagging entity of every feed id (RFC 4151 "domain,date"): set it once per deployment and never change it,
# or every feed reader sees every entry again.
UNION_NEWS_FEED_TAG = os.environ.get("UNION_NEWS_FEED_TAG", "union-news.example,2025")
# Conditional GET (ETag / Last-Modified from the http_cache table) on list pages.
UNION_NEWS_CONDITIONAL_GET = True
# Retries: wait this long before the first retry of a 5xx/429 without Retry-After, doubling each time...
UNION_NEWS_RETRY_BACKOFF = _env_float("UNION_NEWS_RETRY_BACKOFF", 2.0)
# ...up to this many seconds. A Retry-After longer than UNION_NEWS_RETRY_AFTER_MAX gives up for this run
# (the source is reported and tried again on the next run) instead of holding the crawl for hours.
UNION_NEWS_RETRY_BACKOFF_MAX = 60.0
UNION_NEWS_RETRY_AFTER_MAX = _env_float("UNION_NEWS_RETRY_AFTER_MAX", 300.0)
# After this many challenge/block answers from one source in a run, its remaining requests are not sent.
UNION_NEWS_BLOCKED_GIVE_UP = 3

# --- Scrapy -------------------------------------------------------------------------------------
BOT_NAME = "union-news"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Honest: who we are and how to reach whoever runs this crawler (set UNION_NEWS_CONTACT to a URL or e-mail).
USER_AGENT = f"union-news/{__version__} (+{UNION_NEWS_CONTACT}; news digest crawler)"
ROBOTSTXT_OBEY = True

# Polite by default: government and union sites are small; one request at a time per host, at least
# DOWNLOAD_DELAY seconds apart (AutoThrottle only ever slows down from there). The environment variables
# let an operator (or a test against the local server) change the pace without editing code.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _env_int("UNION_NEWS_CONCURRENT_PER_HOST", 1)
DOWNLOAD_DELAY = _env_float("UNION_NEWS_DOWNLOAD_DELAY", 2.0)
AUTOTHROTTLE_ENABLED = os.environ.get("UNION_NEWS_AUTOTHROTTLE", "1") != "0"
AUTOTHROTTLE_START_DELAY = max(DOWNLOAD_DELAY, 2.0)
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# Scrapy's default of 100 costs ~1 ms per response in task start-up (scrapy/scrapy#5182).
CONCURRENT_ITEMS = 10
# Scrapy looks for `return <value>` in generator callbacks by reading and parsing their source at every response:
# its cache is keyed by weak references to the bound methods, which die with each request, so it never hits and
# costs ~0.3 ms per response. tests/test_spiders.py makes the same check of every callback once.
WARN_ON_GENERATOR_RETURN_VALUE = False

RETRY_ENABLED = True
RETRY_TIMES = _env_int("UNION_NEWS_RETRY_TIMES", 3)
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

DOWNLOADER_MIDDLEWARES = {
    # Scrapy's retry is replaced by one that honours Retry-After and backs off per host.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "aggregator.crawl.retry.PoliteRetryMiddleware": 550,
    # Challenge and block pages (瑞数, 加速乐, WAFs, captchas) become a "blocked" failure, never an item.
    # Above the retry middleware so a WAF's 503 block page is not retried.
    "aggregator.crawl.blocking.BlockDetectionMiddleware": 560,
    # Below both: it adds validators to list requests and sees only the final answer (never a block page).
    "aggregator.crawl.conditional.ConditionalGetMiddleware": 540,
}

DOWNLOAD_HANDLERS = {
    "http": "aggregator.crawl.hostmap.HostMapDownloadHandler",
    "https": "aggregator.crawl.hostmap.HostMapDownloadHandler",
}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.deduplicate.DeduplicatePipeline": 200,
    "pipelines.classify.ClassifyPipeline": 300,
    "pipelines.store.StorePipeline": 800,
}

EXTENSIONS = {
    "aggregator.crawl.runstats.RunStats": 500,
    "scrapy.extensions.telnet.TelnetConsole": None,
}

LOG_FORMATTER = "aggregator.crawl.logformatter.QuietLogFormatter"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("UNION_NEWS_LOG_LEVEL", "INFO")
