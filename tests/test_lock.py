"""The run lock: one run per store; released by the system when its holder dies; PostgreSQL advisory lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator.lock import LockedError, RunLock, lock_path_for
from tests._stores import pg_template, pg_url  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def test_lock_file_sits_next_to_the_store(tmp_path: Path) -> None:
    assert lock_path_for(f"sqlite:///{tmp_path}/a/store.db") == tmp_path / "a" / "store.db.lock"
    assert lock_path_for("sqlite:///:memory:") is None
    assert lock_path_for("postgresql+psycopg://postgres@127.0.0.1/x") is None


def test_second_holder_is_refused_with_the_first_ones_pid(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    with RunLock(url):
        with pytest.raises(LockedError) as refused:
            RunLock(url).acquire()
        assert f"pid {os.getpid()}" in str(refused.value)
    with RunLock(url) as again:  # released: free again
        assert again.held


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/store.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from aggregator.lock import RunLock; RunLock(sys.argv[1]).acquire(); "
         "print('held', flush=True); time.sleep(60)", url],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockedError):
            RunLock(url).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.monotonic() + 5
        while True:
            try:
                RunLock(url).acquire().release()
                break
            except LockedError:
                assert time.monotonic() < deadline, "the lock outlived its killed holder"
                time.sleep(0.05)
    finally:
        holder.kill()
        holder.wait()


def test_postgres_advisory_lock(pg_url: str) -> None:
    first = RunLock(pg_url).acquire()
    try:
        with pytest.raises(LockedError) as refused:
            RunLock(pg_url).acquire()
        assert "database's run lock" in str(refused.value)
    finally:
        first.release()
    RunLock(pg_url).acquire().release()
