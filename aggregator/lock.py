"""One crawl at a time per store: a lock that the operating system or the database releases when its holder dies.

SQLite stores: an exclusive `flock` on `<store>.lock` next to the file (the kernel drops it when the process
ends, even by SIGKILL, so a killed run never leaves a stale lock behind). PostgreSQL stores: a session-level
advisory lock held on a connection of its own (the server drops it when that connection closes), which also
keeps runs on different machines sharing one database apart.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, make_url, text

from aggregator.store import make_engine

# pg_try_advisory_lock key: a fixed number that names "a union-news crawl of this database".
ADVISORY_KEY = int.from_bytes(hashlib.sha1(b"union-news run").digest()[:8], "big", signed=True)


class LockedError(Exception):
    """Another run holds the store's lock; the message says which and what to do."""


def lock_path_for(db_url: str) -> Path | None:
    """The lock file of a SQLite store (None for server databases and in-memory stores)."""
    url = make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().with_name(Path(url.database).name + ".lock")


def holder_info() -> dict[str, Any]:
    """Who is taking the lock (written into the lock file for the next one's message)."""
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


class RunLock:
    """An exclusive, non-blocking lock on a store; `with RunLock(url):` or acquire()/release()."""

    def __init__(self, db_url: str, path: Path | None = None) -> None:
        self.db_url = db_url
        self.path = path or lock_path_for(db_url)
        self._fd: int | None = None
        self._connection: Connection | None = None
        self._engine: Any = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None or self._connection is not None

    def acquire(self) -> RunLock:
        """Take the lock at once or raise LockedError (never waits: cron's next run will come)."""
        if make_url(self.db_url).get_backend_name() == "postgresql" and self.path is None:
            return self._acquire_advisory()
        if self.path is None:
            return self  # an in-memory store is private to this process
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockedError(f"another union-news run holds the lock {self.path}{_describe(holder)}; this run exits "
                              "without doing anything. If no union-news process is running, the lock is already "
                              "free (the system releases it when its holder ends): just run again.") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder_info()).encode())
        os.fsync(fd)
        self._fd = fd
        return self

    def _acquire_advisory(self) -> RunLock:
        self._engine = make_engine(self.db_url, poolclass=_null_pool())
        connection = self._engine.connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        connection.commit()
        if not got:
            holder = connection.execute(text(
                "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database() LIMIT 1")).first()
            connection.close()
            self._engine.dispose()
            detail = f" (server backend {holder.pid}, connected since {holder.backend_start})" if holder else ""
            raise LockedError(f"another union-news run holds this database's run lock{detail}; this run exits "
                              "without doing anything. The lock is released when that run's connection closes.")
        self._connection = connection
        return self

    def release(self) -> None:
        """Give the lock up (also done by the system when the process ends)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
                self._engine.dispose()

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return dict(json.loads(os.read(fd, 4096).decode() or "{}"))
    except (OSError, ValueError):
        return {}


def _describe(holder: dict[str, Any]) -> str:
    if not holder:
        return ""
    return f" (pid {holder.get('pid')} on {holder.get('host')}, started {holder.get('started_at')})"
