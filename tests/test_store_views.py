"""The analysts' views answer the common questions, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from aggregator.store import Store
from aggregator.store.models import CrawlRun, CrawlRunSource, Source, Story
from aggregator.store.types import SHANGHAI
from tests._stores import BASE, add_article, add_source, any_db_url, any_store, pg_template, pg_url  # noqa: F401


def rows(store: Store, sql: str) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        return [{k: (str(v) if isinstance(v, (datetime,)) or hasattr(v, "isoformat") else v) for k, v in r._mapping.items()}
                for r in connection.execute(text(sql))]


@pytest.fixture
def filled(any_store: Store) -> Store:
    """Two weeks, three outlets, one story carried by two outlets, one broken page."""
    with any_store.session() as s:
        add_source(s, "jsgh", "江苏工会网", "江苏")
        add_source(s, "workercn", "中工网", "全国")
        add_source(s, "wx", "某公众号", "江苏", kind="wechat")
        story = Story(size=2, outlets=2)
        s.add(story)
        s.flush()
        first = add_article(s, "jsgh", "昆山送清凉", "正文", days=1, region="江苏", story_id=story.id)
        add_article(s, "workercn", "昆山送清凉（转载）", "正文", days=2, region="江苏", story_id=story.id)
        story.representative_id = first.id
        add_article(s, "workercn", "全总会议", "正文", days=3, section="工作动态", region="全国")
        add_article(s, "wx", "公众号推文", "正文", days=-3, section="组织建设", region=None)  # the week before
        add_article(s, "jsgh", "坏页面", "", days=4, status="empty")  # not counted
        # Monday 00:30 in Shanghai is still Sunday in UTC: it belongs to the next ISO week (the 8-hours-off bug).
        monday = datetime(2025, 7, 28, 0, 30, tzinfo=SHANGHAI)
        add_article(s, "jsgh", "周一凌晨", "正文", days=(monday - BASE) / timedelta(days=1), section="工作动态",
                    region="江苏")
        run = CrawlRun(started_at=BASE, status="partial", command="run", report={})
        s.add(run)
        s.flush()
        s.add(CrawlRunSource(run_id=run.id, source_id="jsgh", status="failed", pages=1, list_pages=1, article_links=0,
                             items=0, new=0, duplicates=0, errors=1, blocked=0, not_modified=0, empty_bodies=0,
                             message="HTTP 503"))
        s.get_one(Source, "jsgh").last_run_id = run.id
    return any_store


def test_articles_by_week_and_section(filled: Store) -> None:
    got = rows(filled, "SELECT week, week_start, section, articles, stories FROM v_articles_by_week_section "
                       "ORDER BY week, section")
    assert got == [
        {"week": "2025-W29", "week_start": "2025-07-14", "section": "组织建设", "articles": 1, "stories": 1},
        {"week": "2025-W30", "week_start": "2025-07-21", "section": "工作动态", "articles": 1, "stories": 1},
        {"week": "2025-W30", "week_start": "2025-07-21", "section": "维权服务", "articles": 2, "stories": 1},
        {"week": "2025-W31", "week_start": "2025-07-28", "section": "工作动态", "articles": 1, "stories": 1},
    ]


def test_articles_by_week_and_province(filled: Store) -> None:
    got = rows(filled, "SELECT week, province, articles, stories, outlets FROM v_articles_by_week_province "
                       "ORDER BY week, province")
    assert got == [
        {"week": "2025-W29", "province": "未知", "articles": 1, "stories": 1, "outlets": 1},
        {"week": "2025-W30", "province": "全国", "articles": 1, "stories": 1, "outlets": 1},
        {"week": "2025-W30", "province": "江苏", "articles": 2, "stories": 1, "outlets": 2},
        {"week": "2025-W31", "province": "江苏", "articles": 1, "stories": 1, "outlets": 1},
    ]


def test_articles_by_week_and_outlet(filled: Store) -> None:
    got = rows(filled, "SELECT week, source_id, outlet, kind, articles, stories FROM v_articles_by_week_outlet "
                       "ORDER BY week, source_id")
    assert got == [
        {"week": "2025-W29", "source_id": "wx", "outlet": "某公众号", "kind": "wechat", "articles": 1, "stories": 1},
        {"week": "2025-W30", "source_id": "jsgh", "outlet": "江苏工会网", "kind": "site", "articles": 1, "stories": 1},
        {"week": "2025-W30", "source_id": "workercn", "outlet": "中工网", "kind": "site", "articles": 2, "stories": 2},
        {"week": "2025-W31", "source_id": "jsgh", "outlet": "江苏工会网", "kind": "site", "articles": 1, "stories": 1},
    ]


def test_story_sizes(filled: Store) -> None:
    got = rows(filled, "SELECT articles, outlets, title, section, first_published FROM v_story_sizes")
    assert len(got) == 1
    assert {k: got[0][k] for k in ("articles", "outlets", "title", "section")} == \
        {"articles": 2, "outlets": 2, "title": "昆山送清凉", "section": "维权服务"}
    assert got[0]["first_published"].startswith("2025-07-22 09:00")  # Shanghai wall time
    assert rows(filled, "SELECT size, stories FROM v_story_size_distribution") == [{"size": 2, "stories": 1}]


def test_source_activity(filled: Store) -> None:
    got = {r["source_id"]: r for r in rows(filled, "SELECT * FROM v_source_activity")}
    assert set(got) == {"jsgh", "workercn", "wx"}
    assert got["jsgh"]["articles"] == 3  # every stored row, the broken page too
    assert (got["jsgh"]["last_run_status"], got["jsgh"]["last_run_message"]) == ("failed", "HTTP 503")
    assert got["workercn"]["last_run_status"] is None
    assert got["workercn"]["last_published"].startswith("2025-07-24 09:00")
    # fetched_at is in 2025, long before "now": nothing is new in the last 7 days.
    assert got["wx"]["new_7d"] == 0 and got["wx"]["articles"] == 1
