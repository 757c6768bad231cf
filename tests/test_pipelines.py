"""The item pipelines, built by Scrapy from settings and fed items directly (no crawl)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import datetime
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from aggregator.dates import SHANGHAI
from aggregator.records import ArticleItem, ArticleRecord, Page
from aggregator.store import close_shared, shared_store
from aggregator.store.models import Article, FetchStatus, RawPage
from pipelines.classify import ClassifyPipeline
from pipelines.deduplicate import DeduplicatePipeline
from pipelines.normalize import NormalizePipeline
from pipelines.store import StorePipeline
from tests.conftest import SAMPLES

NOW = "2025-07-28T12:00:00+08:00"


@pytest.fixture
def crawler(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'p.db'}"
    crawler = get_crawler(Spider, {"UNION_NEWS_DB": db, "UNION_NEWS_SOURCES": str(SAMPLES / "sources.toml"),
                                   "UNION_NEWS_NOW": NOW})
    yield crawler
    close_shared()


def item(url: str = "https://www.workercn.cn/c/2025-07-24/1.shtml", body: str | None = None,
         status: str = "ok") -> ArticleItem:
    text = body or ("本报讯（记者 王某）7月24日，江苏省总工会在南京召开全省工会集体协商工作推进会，部署下半年工作。\n"
                    "会议要求各级工会深化行业性、区域性集体协商。")
    record = ArticleRecord(url=url, source_id="workercn", title="江苏推进集体协商", published_raw="2025-07-24 09:30:00",
                           body_text=text, status=status)
    page = Page(url=url, body=text.encode(), headers={"content-type": "text/html; charset=utf-8"},
                fetched_at=datetime(2025, 7, 28, 10, tzinfo=SHANGHAI))
    return ArticleItem(record=record, page=page)


def run_all(crawler, it: ArticleItem) -> ArticleItem:  # type: ignore[no-untyped-def]
    store_pipeline = StorePipeline.from_crawler(crawler)
    store_pipeline.open_spider()
    dedupe = DeduplicatePipeline.from_crawler(crawler)
    try:
        for pipeline in (NormalizePipeline.from_crawler(crawler), dedupe, ClassifyPipeline.from_crawler(crawler),
                         store_pipeline):
            it = pipeline.process_item(it)
    finally:
        dedupe.close_spider()  # its probes' connection goes back to the pool
    store_pipeline.close_spider()  # the end of the crawl commits the open group
    return it


def test_normalize_parses_dates_and_splits_byline(crawler) -> None:  # type: ignore[no-untyped-def]
    it = NormalizePipeline.from_crawler(crawler).process_item(item())
    assert it.record.published_at == datetime(2025, 7, 24, 9, 30, tzinfo=SHANGHAI)
    assert it.record.byline == "本报讯（记者 王某）"
    assert it.record.body_text.startswith("7月24日")
    assert it.record.region == "江苏"
    assert crawler.stats.get_value("source/workercn/items") == 1


def test_classify_sets_section_and_origin(crawler) -> None:  # type: ignore[no-untyped-def]
    it = NormalizePipeline.from_crawler(crawler).process_item(item())
    it = ClassifyPipeline.from_crawler(crawler).process_item(it)
    assert it.record.section == "构建和谐劳动关系"
    assert it.record.section_origin in ("rule", "model") and it.record.section_confidence > 0.5
    assert it.record.section_model


def test_store_then_duplicate_is_dropped(crawler) -> None:  # type: ignore[no-untyped-def]
    run_all(crawler, item())
    with pytest.raises(DropItem, match="duplicate"):
        run_all(crawler, item())
    store = shared_store(crawler.settings.get("UNION_NEWS_DB"))
    with store.sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 1
        assert session.scalar(select(func.count(RawPage.id))) == 1
        article = session.scalars(select(Article)).one()
    assert article.story_id is not None and article.section == "构建和谐劳动关系"
    assert crawler.stats.get_value("source/workercn/new") == 1
    assert crawler.stats.get_value("source/workercn/duplicates") == 1


def test_same_text_at_another_url_of_the_same_source_is_a_duplicate(crawler) -> None:  # type: ignore[no-untyped-def]
    run_all(crawler, item())
    with pytest.raises(DropItem, match="same text"):
        run_all(crawler, item(url="https://www.workercn.cn/c/2025-07-24/2.shtml"))


def test_empty_page_is_recorded_not_stored(crawler) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DropItem, match="empty"):
        run_all(crawler, item(status="empty"))
    store = shared_store(crawler.settings.get("UNION_NEWS_DB"))
    with store.sessions() as session:
        assert session.scalar(select(func.count(Article.id))) == 0
        status = session.scalars(select(FetchStatus)).one()
    assert status.status == "empty" and status.next_attempt_at is not None


def count_articles(crawler) -> int:  # type: ignore[no-untyped-def]
    store = shared_store(crawler.settings.get("UNION_NEWS_DB"))
    with store.sessions() as session:
        return session.scalar(select(func.count(Article.id))) or 0


def test_store_commits_in_groups_and_at_close(crawler) -> None:  # type: ignore[no-untyped-def]
    crawler.settings.frozen = False
    crawler.settings.set("UNION_NEWS_COMMIT_ITEMS", 3)
    crawler.settings.set("UNION_NEWS_COMMIT_SECONDS", 3600)
    crawler.settings.set("UNION_NEWS_STORE_WORKER", False)  # written here, so each commit is seen at once
    store_pipeline = StorePipeline.from_crawler(crawler)
    store_pipeline.open_spider()
    normalize, classify = NormalizePipeline.from_crawler(crawler), ClassifyPipeline.from_crawler(crawler)
    texts = [f"7月2{n}日，第{n}个基层工会召开会员代表大会，选举产生新一届委员会。" * 3 for n in range(5)]
    seen = []
    for n, text in enumerate(texts):
        store_pipeline.process_item(classify.process_item(normalize.process_item(
            item(url=f"https://www.workercn.cn/c/2025-07-24/{n}.shtml", body=text))))
        seen.append(count_articles(crawler))
    assert seen == [0, 0, 3, 3, 3]  # nothing is visible before its group commits
    store_pipeline.close_spider()
    assert count_articles(crawler) == 5
    assert crawler.stats.get_value("source/workercn/new") == 5


def test_a_bad_record_in_a_group_loses_only_itself(crawler) -> None:  # type: ignore[no-untyped-def]
    store_pipeline = StorePipeline.from_crawler(crawler)
    store_pipeline.open_spider()
    good = item(url="https://www.workercn.cn/c/2025-07-24/7.shtml")
    bad = item(url="https://www.workercn.cn/c/2025-07-24/8.shtml", body="另一篇文章的正文。" * 5)
    bad.record.source_id = "no-such-source"  # the foreign key refuses it when the group is written
    for it in (bad, good):
        store_pipeline.process_item(it)
    store_pipeline.close_spider()
    assert count_articles(crawler) == 1
    assert crawler.stats.get_value("source/workercn/new") == 1
    assert crawler.stats.get_value("source/no-such-source/errors") == 1
    assert "store:" in crawler.stats.get_value("source/no-such-source/last_error")


def grouped_items(crawler, count: int, start: int = 0) -> list[ArticleItem]:  # type: ignore[no-untyped-def]
    """Normalized, classified items of distinct articles, ready for the store pipeline."""
    normalize, classify = NormalizePipeline.from_crawler(crawler), ClassifyPipeline.from_crawler(crawler)
    return [classify.process_item(normalize.process_item(item(
        url=f"https://www.workercn.cn/c/2025-07-24/w{n}.shtml",
        body=f"7月2{n % 10}日，第{n}个基层工会召开职工代表大会，审议通过集体合同草案。" * 3)))
        for n in range(start, start + count)]


def worker_crawler(crawler, items: int = 3):  # type: ignore[no-untyped-def]
    crawler.settings.frozen = False
    crawler.settings.set("UNION_NEWS_COMMIT_ITEMS", items)
    crawler.settings.set("UNION_NEWS_COMMIT_SECONDS", 3600)
    crawler.settings.set("UNION_NEWS_STORE_WORKER", True)
    return crawler


def test_full_groups_are_written_by_the_worker_process(crawler) -> None:  # type: ignore[no-untyped-def]
    store_pipeline = StorePipeline.from_crawler(worker_crawler(crawler))
    store_pipeline.open_spider()
    for it in grouped_items(crawler, 7):
        store_pipeline.process_item(it)
    assert store_pipeline.worker is not None  # the first full group started it
    store_pipeline.close_spider()  # waits for the queued groups, then writes the last partial group
    assert store_pipeline.worker is None
    assert count_articles(crawler) == 7
    assert crawler.stats.get_value("source/workercn/new") == 7
    assert crawler.stats.get_value("store/worker_groups") == 3


def test_a_small_crawl_never_starts_the_worker(crawler) -> None:  # type: ignore[no-untyped-def]
    store_pipeline = StorePipeline.from_crawler(worker_crawler(crawler, items=50))
    store_pipeline.open_spider()
    for it in grouped_items(crawler, 4):
        store_pipeline.process_item(it)
    store_pipeline.close_spider()
    assert count_articles(crawler) == 4
    assert crawler.stats.get_value("store/worker_groups") is None


def test_a_bad_record_in_a_worker_group_loses_only_itself(crawler) -> None:  # type: ignore[no-untyped-def]
    store_pipeline = StorePipeline.from_crawler(worker_crawler(crawler))
    store_pipeline.open_spider()
    good = grouped_items(crawler, 2)
    bad = item(url="https://www.workercn.cn/c/2025-07-24/bad.shtml", body="另一篇文章的正文。" * 5)
    bad.record.source_id = "no-such-source"  # the foreign key refuses it in the child
    for it in (good[0], bad, good[1]):
        store_pipeline.process_item(it)
    store_pipeline.close_spider()
    assert count_articles(crawler) == 2
    assert crawler.stats.get_value("store/worker_groups") == 1
    assert crawler.stats.get_value("source/workercn/new") == 2
    assert crawler.stats.get_value("source/no-such-source/errors") == 1
    assert "store:" in crawler.stats.get_value("source/no-such-source/last_error")


def test_when_the_worker_dies_its_groups_are_written_here(crawler, caplog) -> None:  # type: ignore[no-untyped-def]
    store_pipeline = StorePipeline.from_crawler(worker_crawler(crawler))
    store_pipeline.open_spider()
    first, rest = grouped_items(crawler, 3), grouped_items(crawler, 7, start=3)
    for it in first:
        store_pipeline.process_item(it)
    children = multiprocessing.active_children()
    assert len(children) == 1
    deadline = time.monotonic() + 60
    # The child writes the first group and says so (killed between the two, the group would count as duplicates).
    while not all(future.done() for _batch, future in store_pipeline._queued) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert count_articles(crawler) == 3
    os.kill(children[0].pid, signal.SIGKILL)
    children[0].join(30)
    for it in rest:  # queued before or after the pool notices its child is gone: either way written here
        store_pipeline.process_item(it)
    store_pipeline.close_spider()
    assert "store worker failed" in caplog.text
    assert store_pipeline.worker is None and not store_pipeline.use_worker
    assert count_articles(crawler) == 10
    assert crawler.stats.get_value("source/workercn/new") == 10
    assert crawler.stats.get_value("source/workercn/errors") is None


def test_dedupe_probes_on_one_connection_and_leaves_no_transaction_open(crawler) -> None:  # type: ignore[no-untyped-def]
    normalize, dedupe = NormalizePipeline.from_crawler(crawler), DeduplicatePipeline.from_crawler(crawler)
    pool = dedupe.store.engine.pool
    before = pool.checkedout()
    kept = []
    for n in range(3):
        dedupe.process_item(normalize.process_item(item(url=f"https://www.workercn.cn/c/2025-07-24/{n}.shtml")))
        kept.append(dedupe._connection)
        assert pool.checkedout() == before + 1
        assert dedupe._connection is not None and not dedupe._connection.in_transaction()
    assert kept[0] is kept[1] is kept[2]  # the same connection, kept between items
    dedupe.close_spider()
    assert pool.checkedout() == before


def test_dedupe_drops_a_connection_whose_probe_failed(crawler, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pipelines.deduplicate as module

    normalize, dedupe = NormalizePipeline.from_crawler(crawler), DeduplicatePipeline.from_crawler(crawler)
    pool = dedupe.store.engine.pool
    before = pool.checkedout()

    def broken(connection, record):  # type: ignore[no-untyped-def]
        raise RuntimeError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(module, "may_be_stored", broken)
        with pytest.raises(RuntimeError, match="connection lost"):
            dedupe.process_item(normalize.process_item(item()))
    assert dedupe._connection is None and pool.checkedout() == before
    assert dedupe.process_item(normalize.process_item(item())).record.url  # a new connection serves the next item
    dedupe.close_spider()
