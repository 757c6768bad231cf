"""`union-news run`: crawl + publish for cron, exit codes, the run report, the lock, stale runs, logs, progress."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import select

from aggregator.lock import RunLock
from aggregator.logs import setup_logging
from aggregator.progress import LiveTable, LogLines
from aggregator.sampleserver import SampleServer
from aggregator.store import open_store
from aggregator.store.models import CrawlRun, Source
from tests.conftest import ROOT, run_cli

SAMPLE_SOURCES = str(ROOT / "data" / "samples" / "sources.toml")
NOW = "2025-07-28T12:00:00+08:00"


def run_args(db: str, server: SampleServer, *extra: str) -> list[str]:
    """`union-news run` against the sample sites, offline."""
    return ["run", "--db", db, "--sources", SAMPLE_SOURCES, "-s", f'UNION_NEWS_HOSTMAP={{"*": "{server.address}"}}',
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_TIMES=0", *extra]


def env(state: Path) -> dict[str, str]:
    return {"UNION_NEWS_STATE_DIR": str(state), "UNION_NEWS_NOW": NOW, "UNION_NEWS_LOG_FILE": str(state / "union-news.log")}


def runs(db: str) -> list[CrawlRun]:
    store = open_store(db)
    with store.sessions() as session:
        found = list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))
    store.close()
    return found


@pytest.fixture
def place(tmp_path: Path) -> Iterator[dict[str, Any]]:
    yield {"db": str(tmp_path / "store.db"), "out": tmp_path / "site", "state": tmp_path / "state"}


def test_run_crawls_publishes_and_reports(place: dict[str, Any], sample_server: SampleServer) -> None:
    result = run_cli(*run_args(place["db"], sample_server, "--out", str(place["out"])), env=env(place["state"]))
    # The sample has one source that answers 503 (scgh): some sources failed.
    assert result.returncode == 1, result.stderr[-3000:]
    assert "scgh" in result.stdout and "failed" in result.stdout
    assert "run 1: partial (exit 1)" in result.stdout
    report = json.loads((place["state"] / "last-run.json").read_text(encoding="utf-8"))
    by_source = {s["source_id"]: s for s in report["sources"]}
    assert by_source["scgh"]["status"] == "failed" and by_source["scgh"]["errors"] >= 1
    assert by_source["workercn"]["status"] == "ok" and by_source["workercn"]["new"] > 0
    assert set(by_source["workercn"]) >= {"pages", "new", "duplicates", "errors", "blocked"}
    assert report["totals"]["new"] == sum(s["new"] for s in report["sources"])
    assert "2025-W30" in report["published"]["weeks"]
    assert (place["out"] / "2025-W30.html").exists() and (place["out"] / "digest.rss.xml").exists()
    stored = runs(place["db"])
    assert [(r.status, r.exit_code, r.command) for r in stored] == [("partial", 1, "run")]
    assert stored[0].report["published"]["weeks"] == report["published"]["weeks"]
    # Not a terminal: plain log lines, the last one with the totals.
    assert f"progress: sources started 11/11, pages {report['totals']['pages']}" in result.stderr
    log = (place["state"] / "union-news.log").read_text(encoding="utf-8")
    assert "run started" in log and "Dumping Scrapy stats" in log  # the stats dump goes to the file only
    assert "Dumping Scrapy stats" not in result.stderr


def test_second_run_finds_nothing_new_and_closes_a_stale_run(place: dict[str, Any], sample_server: SampleServer) -> None:
    args = run_args(place["db"], sample_server, "--no-publish", "--only", "workercn,jsgh")
    assert run_cli(*args, env=env(place["state"])).returncode == 0
    store = open_store(place["db"])
    with store.session() as session:  # what a run killed by SIGKILL leaves behind
        from datetime import datetime

        from aggregator.store.types import SHANGHAI

        session.add(CrawlRun(started_at=datetime(2025, 7, 28, 6, tzinfo=SHANGHAI), status="running", command="run",
                             pid=999999, report={}))
    store.close()
    result = run_cli(*args, env=env(place["state"]))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads((place["state"] / "last-run.json").read_text(encoding="utf-8"))
    assert report["totals"]["new"] == 0 and report["totals"]["pages"] > 0
    assert any("marked killed" in note for note in report["notes"])
    assert [(r.status, r.exit_code) for r in runs(place["db"])] == [("ok", 0), ("killed", None), ("ok", 0)]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--only", "scgh", "--no-publish"], 3, "run 1: failed (exit 3)"),
    (["--sources", "/nonexistent/sources.toml", "--no-publish"], 2, "configuration error"),
    ([], 2, "--out is missing"),
    (["--only", "nosuchsource", "--no-publish"], 2, "unknown source id"),
    (["--set", "NOEQUALS", "--no-publish"], 2, "NAME=VALUE"),
])
def test_exit_codes(place: dict[str, Any], sample_server: SampleServer, args: list[str], code: int, message: str) -> None:
    result = run_cli(*run_args(place["db"], sample_server, *args), env=env(place["state"]))
    assert result.returncode == code, result.stderr[-3000:]
    assert message in result.stdout + result.stderr


def test_a_second_run_exits_at_once_while_the_lock_is_held(place: dict[str, Any], sample_server: SampleServer) -> None:
    open_store(place["db"]).close()
    with RunLock(f"sqlite:///{place['db']}"):
        result = run_cli(*run_args(place["db"], sample_server, "--no-publish"), env=env(place["state"]), timeout=60)
    assert result.returncode == 4
    assert "another union-news run holds the lock" in result.stderr
    assert runs(place["db"]) == []  # it did nothing
    assert not (place["state"] / "last-run.json").exists()


def test_crawl_command_takes_the_same_lock(place: dict[str, Any], sample_server: SampleServer) -> None:
    open_store(place["db"]).close()
    with RunLock(f"sqlite:///{place['db']}"):
        result = run_cli("crawl", "--db", place["db"], "--sources", SAMPLE_SOURCES, timeout=60)
    assert result.returncode == 4 and "holds the lock" in result.stderr


def test_help_documents_every_exit_code() -> None:
    result = run_cli("run", "--help")
    for line in ("0  every source answered", "1  some sources failed", "2  configuration error", "3  nothing could be crawled",
                 "4  another run holds the lock"):
        assert line in result.stdout


# -- pieces, in process ------------------------------------------------------------------------------

def test_live_table_shows_sources_and_totals() -> None:
    buffer = io.StringIO()
    table = LiveTable(Console(file=buffer, force_terminal=True, width=100))
    table.update({"workercn": {"pages": 28, "items": 24, "new": 20, "duplicates": 4},
                  "scgh": {"pages": 1, "errors": 1}}, ["workercn", "scgh", "jsgh"])
    table.close()
    text = buffer.getvalue()
    assert "workercn" in text and "scgh" in text and "1 source(s) not started" in text
    assert "24 articles, 20 new" in text


def test_log_lines_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    lines = LogLines(interval=0)
    with caplog.at_level(logging.INFO, logger="union_news.progress"):
        lines.update({"a": {"pages": 3, "items": 2, "new": 1, "duplicates": 1}}, ["a", "b"])
        lines.close()
    assert [r.getMessage() for r in caplog.records] == [
        "progress: sources started 1/2, pages 3, articles 2 (new 1, duplicates 1), errors 0, blocked 0"] * 2


def test_log_file_rotates(tmp_path: Path) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        setup_logging(tmp_path / "logs" / "union-news.log", terminal=False, max_bytes=2000, backups=2)
        for i in range(200):
            logging.getLogger("union_news.test").info("line %d of a long log", i)
        files = sorted(p.name for p in (tmp_path / "logs").iterdir())
        assert files == ["union-news.log", "union-news.log.1", "union-news.log.2"]
        assert "line 199" in (tmp_path / "logs" / "union-news.log").read_text(encoding="utf-8")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])


def test_run_leaves_source_health_to_finished_runs(place: dict[str, Any], sample_server: SampleServer) -> None:
    result = run_cli(*run_args(place["db"], sample_server, "--no-publish", "--only", "scgh"), env=env(place["state"]))
    assert result.returncode == 3
    store = open_store(place["db"])
    with store.sessions() as session:
        source = session.get(Source, "scgh")
        assert source is not None and source.consecutive_failures == 1
    store.close()
