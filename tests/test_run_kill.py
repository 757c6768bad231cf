"""A run killed in the middle loses nothing it committed, and the next run opens the store and completes.

A real `union-news run` crawls the sample sites served slowly (every answer waits, a route delay on the
sample server), is killed once some articles are committed, and the store is then checked.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator.sampleserver import SampleServer
from tests.conftest import ROOT, run_cli
from tests.test_run import env, run_args

pytestmark = pytest.mark.slow


def committed(db: Path) -> list[tuple[int, str]]:
    """(id, url) of the articles a reader sees now (read-only, so it never blocks the run)."""
    if not db.exists():
        return []
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute("SELECT id, url FROM articles ORDER BY id").fetchall()
        finally:
            connection.close()
    except sqlite3.OperationalError:  # not migrated yet
        return []


def start_slow_run(tmp_path: Path, server: SampleServer) -> tuple[subprocess.Popen[str], Path]:
    db = tmp_path / "store.db"
    args = run_args(str(db), server, "--no-publish", "-s", "UNION_NEWS_STATS_FLUSH_SECONDS=0.5")
    process = subprocess.Popen([sys.executable, "-m", "aggregator.cli", *args], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, **env(tmp_path / "state")})
    return process, db


def wait_for_articles(process: subprocess.Popen[str], db: Path, count: int, timeout: float = 120) -> list[tuple[int, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = committed(db)
        if len(seen) >= count:
            return seen
        if process.poll() is not None:
            pytest.fail(f"the run ended before {count} articles were stored: {process.stderr.read()[-2000:]}")  # type: ignore[union-attr]
        time.sleep(0.1)
    pytest.fail("no articles were stored in time")


def check_store(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        connection.close()
    from aggregator import search
    from aggregator.store import open_store

    store = open_store(f"sqlite:///{db}")
    with store.engine.begin() as connection:
        search.check_index(connection)  # the search index holds exactly the committed articles
    store.close()


def runs(db: Path) -> list[tuple[int, str, int | None]]:
    connection = sqlite3.connect(db)
    try:
        return connection.execute("SELECT id, status, exit_code FROM crawl_runs ORDER BY id").fetchall()
    finally:
        connection.close()


@pytest.fixture
def slow_server(fresh_server: SampleServer) -> SampleServer:
    fresh_server.add_route(host="*", prefix="/", delay=0.4)
    return fresh_server


def test_sigkill_loses_nothing_committed_and_the_next_run_continues(tmp_path: Path, slow_server: SampleServer) -> None:
    process, db = start_slow_run(tmp_path, slow_server)
    try:
        seen = wait_for_articles(process, db, 3)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    check_store(db)
    after = committed(db)
    assert set(seen) <= set(after), "an article the killed run had committed is gone"
    assert runs(db) == [(1, "running", None)]  # nobody could close it
    # The figures written while it ran are kept.
    connection = sqlite3.connect(db)
    assert connection.execute("SELECT sum(pages) FROM crawl_run_sources WHERE run_id = 1").fetchone()[0] > 0
    connection.close()

    slow_server.routes[0].delay = 0  # the site is fast again; the next run goes to the end
    result = run_cli(*run_args(str(db), slow_server, "--out", str(tmp_path / "site")), env=env(tmp_path / "state"))
    assert result.returncode == 1, result.stderr[-3000:]  # the sample's scgh answers 503: some sources failed
    check_store(db)
    assert runs(db) == [(1, "killed", None), (2, "partial", 1)]
    report = json.loads((tmp_path / "state" / "last-run.json").read_text(encoding="utf-8"))
    assert any("marked killed" in note for note in report["notes"])
    final = committed(db)
    assert set(after) <= set(final)
    assert len(final) == len(after) + report["totals"]["new"]
    assert (tmp_path / "site" / "2025-W30.html").exists()


def test_sigterm_stops_gracefully_and_records_the_run_as_interrupted(tmp_path: Path, slow_server: SampleServer) -> None:
    process, db = start_slow_run(tmp_path, slow_server)
    try:
        seen = wait_for_articles(process, db, 3)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=90)
    finally:
        process.kill()
    assert process.returncode == 1, stderr[-3000:]
    check_store(db)
    assert set(seen) <= set(committed(db))
    assert runs(db) == [(1, "interrupted", 1)]
    report = json.loads((tmp_path / "state" / "last-run.json").read_text(encoding="utf-8"))
    assert report["status"] == "interrupted" and report["notes"]
    # The lock went with the process: the next run starts at once.
    slow_server.routes[0].delay = 0
    again = run_cli(*run_args(str(db), slow_server, "--no-publish"), env=env(tmp_path / "state"))
    assert again.returncode == 1, again.stderr[-3000:]
    assert runs(db)[-1][1] == "partial"
