"""End to end: the demo crawls the bundled sample and its digest matches the reference digest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import select

from aggregator.digest import Digest, build_week
from aggregator.store import open_store
from aggregator.store.models import Article, ArticleAlias, CrawlRun, CrawlRunSource

WEEK = "2025-W30"


@pytest.fixture(scope="module")
def digest(demo_out: Path) -> Digest:
    store = open_store(str(demo_out / "union_news.db"))
    with store.sessions() as session:
        result = build_week(session, WEEK)
    store.close()
    return result


def story_of(url: str, expected: dict[str, Any]) -> str | None:
    for page_url, page in expected["pages"].items():
        if url in (page_url, page["short_url"]):
            return page["story"]
    return None


def items_by_story(digest: Digest, expected: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    found: dict[str, list[tuple[str, Any]]] = {}
    for section, items in digest.sections:
        for item in items:
            stories = {story_of(o.url, expected) for o in item.outlets}
            assert len(stories) == 1, f"item {item.title!r} mixes stories {stories}"
            found.setdefault(stories.pop() or "?", []).append((section, item))
    return found


def test_demo_writes_every_output(demo_out: Path) -> None:
    for name in ("union_news.db", f"{WEEK}.html", f"{WEEK}.md", "index.html", "digest.rss.xml", "digest.atom.xml"):
        assert (demo_out / name).stat().st_size > 0, name


def test_every_reference_item_appears_once_in_its_section(digest: Digest, expected: dict[str, Any]) -> None:
    found = items_by_story(digest, expected)
    for story, info in expected["stories"].items():
        if not info["belongs"]:
            continue
        assert len(found.get(story, [])) == 1, f"{story}: {len(found.get(story, []))} digest items"
        section, _item = found[story][0]
        assert section == info["section"], f"{story} is under {section}, the reference has {info['section']}"


def test_reposted_stories_credit_every_outlet(digest: Digest, expected: dict[str, Any]) -> None:
    found = items_by_story(digest, expected)
    for story, info in expected["stories"].items():
        if not info["belongs"] or len(info["urls"]) < 2:
            continue
        _section, item = found[story][0]
        credited = {o.url for o in item.outlets}
        for url in info["urls"]:
            short = expected["pages"][url]["short_url"]
            assert url in credited or short in credited, f"{story}: {url} not credited"


def test_nothing_that_does_not_belong_appears(digest: Digest, expected: dict[str, Any]) -> None:
    found = items_by_story(digest, expected)
    unwanted = [s for s, info in expected["stories"].items() if not info["belongs"] and s in found]
    assert unwanted == []
    assert "?" not in found


def test_digest_has_headlines_title_and_credits(digest: Digest) -> None:
    assert len(digest.headlines) == 3
    assert digest.title.startswith("一周速览 | ")
    assert digest.headlines[0].title in digest.title
    assert "中工网" in digest.credits and "陕西工会微信公众号" in digest.credits


@pytest.mark.parametrize("name", ["digest.rss.xml", "digest.atom.xml"])
def test_feeds_parse_back_without_errors(demo_out: Path, digest: Digest, name: str) -> None:
    parsed = feedparser.parse((demo_out / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 1
    entry = parsed.entries[0]
    assert entry.title == digest.title
    assert entry.id.endswith(WEEK)
    content = entry.content[0].value if "content" in entry else entry.summary
    for _section, items in digest.sections:
        assert items[0].title in content


def test_run_report_is_stored_per_source(demo_out: Path) -> None:
    store = open_store(str(demo_out / "union_news.db"))
    with store.sessions() as session:
        run = session.scalars(select(CrawlRun)).one()
        rows = {r.source_id: r for r in session.scalars(select(CrawlRunSource))}
    store.close()
    assert run.status == "partial" and run.exit_code == 1  # the sample's failing source
    assert rows["scgh"].status == "failed" and rows["scgh"].errors >= 1
    ok = [sid for sid, row in rows.items() if sid != "scgh"]
    assert all(rows[sid].status == "ok" for sid in ok), {sid: rows[sid].status for sid in ok}
    assert rows["workercn"].list_pages >= 3  # paging was followed


def test_truncated_page_is_kept_and_flagged(demo_out: Path, expected: dict[str, Any]) -> None:
    truncated = [u for u, p in expected["pages"].items() if p["truncated"]]
    store = open_store(str(demo_out / "union_news.db"))
    with store.sessions() as session:
        statuses = {a.url: a.status for a in session.scalars(select(Article).where(Article.url.in_(truncated)))}
    store.close()
    assert statuses == {url: "truncated" for url in truncated}


def test_short_and_long_wechat_links_are_one_article(demo_out: Path, expected: dict[str, Any]) -> None:
    story = expected["short_link_story"]
    url = next(u for u, p in expected["pages"].items() if p["story"] == story and p["short_url"])
    short = expected["pages"][url]["short_url"]
    store = open_store(str(demo_out / "union_news.db"))
    with store.sessions() as session:
        article = session.scalars(select(Article).where(Article.url == url)).one()
        alias = session.get(ArticleAlias, short)
    store.close()
    assert alias is not None and alias.article_id == article.id


def test_demo_prints_summary(demo_out: Path) -> None:
    text = (demo_out / "demo.stdout.txt").read_text(encoding="utf-8")
    assert "scgh" in text and "failed" in text
    assert "构建和谐劳动关系" in text and "部分图文来源" in text
