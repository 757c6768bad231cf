"""The store worker: groups written in a child process, in order, on SQLite and PostgreSQL; no orphan is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from aggregator.dates import SHANGHAI
from aggregator.records import ArticleRecord, Page
from aggregator.sources import Registry, Source
from aggregator.store import open_store
from aggregator.store.models import Article
from aggregator.store.worker import Outcome, StoreWorker, can_share, outcomes
from aggregator.store.writer import SaveResult, sync_sources
from tests._stores import any_db_url, pg_template, pg_url  # noqa: F401

NOW = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("url", "shared"), [
    ("sqlite:///data/union_news.db", True),
    ("sqlite:////var/lib/union-news/store.db", True),
    ("postgresql+psycopg://union:secret@127.0.0.1/news", True),
    ("sqlite://", False),
    ("sqlite:///:memory:", False),
    ("sqlite+pysqlite:///:memory:", False),
    ("sqlite:///file:mem?mode=memory&uri=true", False),
])
def test_can_share(url: str, shared: bool) -> None:
    assert can_share(url) is shared


def test_a_worker_refuses_a_private_database() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        StoreWorker("sqlite://")


def test_outcomes_keep_status_and_name_the_error() -> None:
    got = outcomes([SaveResult("new", None), ValueError("bad date"), SaveResult("duplicate", None)])  # type: ignore[arg-type]
    assert got == [Outcome("new"), Outcome(None, "ValueError: bad date"), Outcome("duplicate")]


def record(n: int) -> tuple[ArticleRecord, Page]:
    url = f"https://www.example.cn/a/{n}.html"
    text = f"第{n}个基层工会召开职工代表大会，审议通过第{n}号集体合同草案，选举产生新一届工会委员会。" * 3
    rec = ArticleRecord(url=url, source_id="ex", title=f"第{n}个基层工会召开职代会", body_text=text,
                        published_at=datetime(2025, 7, 24, 9, tzinfo=SHANGHAI), content_hash=f"h{n}",
                        section="组织建设", section_origin="rule", section_confidence=0.9)
    return rec, Page(url=url, body=text.encode(), fetched_at=NOW)


def test_groups_are_written_in_order_by_the_child(any_db_url: str) -> None:  # noqa: F811
    store = open_store(any_db_url)
    with store.session() as session:
        sync_sources(session, Registry(path=None, sources={"ex": Source(id="ex", name="示例", lists=("https://www.example.cn/",))}))  # type: ignore[arg-type]
    worker = StoreWorker(store.engine.url.render_as_string(hide_password=False))
    try:
        first = worker.submit([record(1), record(2)], NOW)
        # The same article again in the next group: a duplicate only if the first group was written before it.
        second = worker.submit([record(2), record(3)], NOW)
        assert first.result(timeout=120) == [Outcome("new"), Outcome("new")]
        assert second.result(timeout=120) == [Outcome("duplicate"), Outcome("new")]
    finally:
        worker.close()
    with store.sessions() as session:
        urls = session.scalars(select(Article.url).order_by(Article.id)).all()
        stories = session.scalars(select(Article.story_id)).all()
    store.close()
    assert urls == [f"https://www.example.cn/a/{n}.html" for n in (1, 2, 3)]
    assert all(story is not None for story in stories)  # story matching ran in the child too


def test_the_child_leaves_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from aggregator.store import open_store
        from aggregator.store.worker import StoreWorker
        url = "sqlite:///{tmp_path / 'w.db'}"
        open_store(url).close()
        worker = StoreWorker(url)
        worker.submit([], None).result(timeout=120)  # the child is up
        import multiprocessing
        print(multiprocessing.active_children()[0].pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())  # type: ignore[union-attr]
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child), "the store worker outlived its killed parent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead (its parent, init here, reaps it): only a running or sleeping process counts.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_killing_the_child_fails_its_futures_instead_of_hanging(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    open_store(url).close()
    worker = StoreWorker(url)
    try:
        worker.submit([], NOW).result(timeout=120)
        import multiprocessing

        (child,) = multiprocessing.active_children()
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
        with pytest.raises(Exception, match="terminated abruptly|BrokenProcessPool|broken"):
            worker.submit([record(1)], NOW).result(timeout=60)
    finally:
        worker.close()
