"""The WeChat spider end to end against a fixture world of mirrors and pages: three crawls of one store.

Run 1 reads every mirror format; run 2 (an hour later) must leave alone what waits for a retry; run 3 (seven
hours later) retries it. Each crawl runs in its own process (Twisted's reactor starts once per process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from aggregator.dates import SHANGHAI
from aggregator.sampleserver import Hit, SampleServer
from aggregator.store import open_store
from aggregator.store.models import Article, ArticleAlias, CrawlRunSource, FetchStatus, RawPage
from tests.conftest import ROOT

WECHAT = Path(__file__).parent / "fixtures" / "wechat"
SOURCES = WECHAT / "sources.toml"
NOW1 = datetime(2025, 7, 28, 12, 0, tzinfo=SHANGHAI)
NOW2 = NOW1 + timedelta(hours=1)
NOW3 = NOW1 + timedelta(hours=7)
A, B, C = "MzkwMDExMjIzMw==", "MzAxMTIyMzM0NA==", "MzEyMjMzNDQ1NQ=="
A1 = f"https://mp.weixin.qq.com/s?__biz={A}&mid=2650000101&idx=1&sn=27f237e6b7f96587b6202ff3607ad88a"
A2 = f"https://mp.weixin.qq.com/s?__biz={A}&mid=2650000101&idx=2&sn=c6bdf6f65f3845da9085e9ae5790b494"
A3 = f"https://mp.weixin.qq.com/s?__biz={A}&mid=2650000115&idx=1&sn=6593d7b12fd418cdb35bbf438de72f66"
A3_SHORT = "https://mp.weixin.qq.com/s/qh3NewForm_ShortLink1A"
X = f"https://mp.weixin.qq.com/s?__biz={A}&mid=2650000122&idx=1&sn=02129bb861061d1a052c592e2dc6b383"
X_SHORT = "https://mp.weixin.qq.com/s/qhAudioPost_FeedText2B"
B1 = f"https://mp.weixin.qq.com/s?__biz={B}&mid=2247480001&idx=1&sn=c9512565ef6194ca664dc41ec0de7a53"
B2 = f"https://mp.weixin.qq.com/s?__biz={B}&mid=2247480005&idx=1&sn=bbd97b00c539801e32317ab550867ec4"
B2_SHORT = "https://mp.weixin.qq.com/s/nlShortPost_WeWeJson3C"
C1 = f"https://mp.weixin.qq.com/s?__biz={C}&mid=2651000031&idx=1&sn=1a2ddc2db4693cfd16d534cde5572cc1"
C2 = f"https://mp.weixin.qq.com/s?__biz={C}&mid=2651000035&idx=1&sn=f1a543f5a2c5d49bc5dde298fcf716e4"
C3 = f"https://mp.weixin.qq.com/s?__biz={C}&mid=2651000038&idx=2&sn=3abe124ecc82bf2c2e22e6058f38c50c"
CAPTCHA = "https://mp.weixin.qq.com/mp/wappoc_appmsgcaptcha?poc_token=HBxZz&target_url=https%3A%2F%2Fmp.weixin.qq.com%2Fs"


def crawl(server: SampleServer, db: str, now: datetime) -> dict[str, Any]:
    """One `wechat` crawl of the fixture registry, in a process of its own; returns the run report."""
    code = (
        "import json\n"
        "from aggregator.crawl.runner import run_crawl\n"
        f"report = run_crawl({db!r}, {str(SOURCES)!r}, spiders=('wechat',), command='test',\n"
        f"    UNION_NEWS_HOSTMAP={{'*': {server.address!r}}}, UNION_NEWS_NOW={now.isoformat()!r},\n"
        "    DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, RETRY_TIMES=0, CONCURRENT_REQUESTS_PER_DOMAIN=8,\n"
        "    LOG_LEVEL='WARNING')\n"
        "print('REPORT ' + json.dumps(report.to_json(), ensure_ascii=False))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    line = next((l for l in result.stdout.splitlines() if l.startswith("REPORT ")), None)
    assert line is not None, f"crawl failed ({result.returncode}):\n{result.stdout}\n{result.stderr[-4000:]}"
    return json.loads(line[len("REPORT "):])


class World:
    """The store and the server's hit log after each of the three crawls."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.reports: list[dict[str, Any]] = []
        self.hits: list[list[Hit]] = []
        self.after: list[dict[str, Any]] = []  # facts about the store after each run

    def snapshot(self) -> dict[str, Any]:
        def facts(session: Any) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for name, url in (("x_short", X_SHORT), ("c3", C3)):
                article = session.scalar(select(Article).where(Article.url == url))
                out[f"{name}_article"] = None if article is None else {
                    "key": article.wechat_biz, "status": article.status, "via": article.extra.get("via"),
                    "text": article.body_text, "published": article.published_at.isoformat()}
                row = session.get(FetchStatus, url)
                out[f"{name}_status"] = None if row is None else {
                    "status": row.status, "attempts": row.attempts, "next": row.next_attempt_at}
            return out

        return self.query(facts)

    def hits_in(self, run: int, path: str = "", query: str = "") -> list[Hit]:
        return [h for h in self.hits[run] if h.host == "mp.weixin.qq.com" and path in h.path and query in h.query]

    def query(self, fn: Any) -> Any:
        store = open_store(self.db)
        try:
            with store.sessions() as session:
                return fn(session)
        finally:
            store.close()

    def article(self, url: str) -> Article | None:
        return self.query(lambda s: s.scalar(select(Article).where(Article.url == url)))

    def status(self, url: str) -> FetchStatus | None:
        return self.query(lambda s: s.get(FetchStatus, url))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    db = f"sqlite:///{tmp_path_factory.mktemp('wechat') / 'store.db'}"
    result = World(db)
    with SampleServer(WECHAT / "site") as server:
        # X's short link meets the verification gate once, then serves its page.
        server.add_route(host="mp.weixin.qq.com", path="/s/qhAudioPost_FeedText2B", status=302, times=1,
                         headers={"Location": CAPTCHA}, file="../pages/audio_post.html")
        for now in (NOW1, NOW2, NOW3):
            before = len(server.hits)
            result.reports.append(crawl(server, db, now))
            result.hits.append(server.hits[before:])
            result.after.append(result.snapshot())
    return result


def sources(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["source_id"]: s for s in report["sources"]}


# -- run 1: every mirror format ----------------------------------------------------------------------------
def test_full_text_from_the_feed_is_stored_without_fetching_the_page(world: World) -> None:
    article = world.article(B1)
    assert article is not None and article.extra.get("via") == "mirror"
    assert world.hits_in(0, "/s", "mid=2247480001") == []


def test_feed_full_text_keeps_the_feeds_publish_time_and_the_links_key(world: World) -> None:
    article = world.article(A1)
    assert article is not None and article.extra.get("via") == "mirror"
    assert (article.wechat_biz, article.wechat_mid, article.wechat_idx) == (A, "2650000101", "1")
    assert article.published_at.isoformat() == "2025-07-22T09:30:12+08:00"
    raw = world.query(lambda s: s.get(RawPage, article.raw_page_id))
    assert raw.headers["content-type"].startswith("application/vnd.union-news.mirror-item+json")


def test_image_post_is_a_usable_article(world: World) -> None:
    article = world.article(A2)
    assert article is not None and article.page_type == "wechat:image" and article.status == "ok"
    assert article.title == "高温一线的工会驿站" and "工会驿站" in article.body_text


def test_short_and_long_links_are_one_article(world: World) -> None:
    article = world.article(A3)
    assert article is not None
    alias = world.query(lambda s: s.get(ArticleAlias, A3_SHORT))
    assert alias is not None and alias.article_id == article.id
    short = world.article(B2)
    assert short is not None and world.query(lambda s: s.get(ArticleAlias, B2_SHORT)).article_id == short.id


def test_one_article_appears_once_however_many_mirrors_list_it(world: World) -> None:
    count = world.query(lambda s: len(s.scalars(select(Article).where(Article.wechat_biz.is_not(None))).all()))
    keys = world.query(lambda s: {(a.wechat_biz, a.wechat_mid, a.wechat_idx)
                                  for a in s.scalars(select(Article).where(Article.wechat_biz.is_not(None)))})
    assert count == len(keys)
    assert len(world.query(lambda s: s.scalars(select(Article).where(Article.title.contains("夏送清凉"))).all())) == 1


def test_temporary_links_are_never_identities(world: World) -> None:
    def temporary(session: Any) -> list[str]:
        urls = [a.url for a in session.scalars(select(Article))] + [a.url for a in session.scalars(select(ArticleAlias))]
        urls += [f.url for f in session.scalars(select(FetchStatus))]
        return [u for u in urls if "signature=" in u or "src=11" in u]

    assert world.hits_in(0, "/s", "timestamp=1753600000")  # it was fetched: that is how its key is learnt
    assert world.hits_in(0, "/s", "timestamp=1600000000")  # this one had expired
    assert world.query(temporary) == []


def test_feeddd_dates_are_never_publish_times(world: World) -> None:
    article = world.article(C1)
    assert article is not None and article.page_type == "wechat:video"
    assert article.published_at.isoformat() == "2025-07-21T16:20:00+08:00"  # ct, not feeddd's 07-26 crawl


def test_feeddd_items_older_than_the_window_are_not_fetched(world: World) -> None:
    assert world.hits_in(0, "/s", "mid=2651000001") == []


def test_repost_follows_the_original_and_stores_no_empty_article(world: World) -> None:
    assert world.hits_in(0, "/s", "mid=2247480009")
    repost = world.query(lambda s: s.scalar(select(Article).where(Article.wechat_mid == "2247480009")))
    assert repost is None


def test_deleted_page_is_recorded_never_stored(world: World) -> None:
    row = world.status(C2)
    assert row is not None and row.status == "deleted" and row.next_attempt_at is None
    assert row.source_id == "wx_yunling"
    assert world.article(C2) is None


def test_verification_gate_is_recorded_with_a_retry_time(world: World) -> None:
    assert world.after[0]["c3_status"] == {"status": "verify", "attempts": 1, "next": NOW1 + timedelta(hours=6)}
    assert world.article(C3) is None
    assert world.query(lambda s: s.scalar(select(Article).where(Article.body_text.contains("环境异常")))) is None
    assert world.hits_in(0, "/mp/wappoc_appmsgcaptcha")


def test_short_link_with_full_text_behind_the_gate_is_kept_under_the_short_link(world: World) -> None:
    """Full text with a short link: the page is fetched for the key; behind the gate, the feed's text is kept."""
    assert world.hits_in(0, "/s/qhAudioPost_FeedText2B")
    kept = world.after[0]["x_short_article"]
    assert kept is not None and kept["key"] is None and kept["status"] == "ok" and kept["via"] == "mirror"
    assert kept["text"].startswith("本期“劳模声音”") and kept["published"] == "2025-07-25T12:00:00+08:00"
    assert world.after[0]["x_short_status"]["status"] == "verify"


def test_mirror_problems_are_reported_for_their_account(world: World) -> None:
    report = sources(world.reports[0])
    assert report["wx_garbage"]["status"] == "failed" and "garbage" in report["wx_garbage"]["message"]
    assert report["wx_empty"]["status"] == "failed" and "empty feed" in report["wx_empty"]["message"]
    # One mirror of an account down: the account still answered, and the message says which mirror failed.
    assert report["wx_qinghe"]["status"] == "ok"
    assert "down.example.org" in report["wx_qinghe"]["message"] and "503" in report["wx_qinghe"]["message"]
    assert report["wx_nanling"]["status"] == "ok" and report["wx_yunling"]["status"] == "ok"
    assert report["wx_yunling"]["blocked"] >= 1
    assert world.reports[0]["exit_code"] == 1


def test_run_figures_are_stored_per_account(world: World) -> None:
    rows = world.query(lambda s: {(r.run_id, r.source_id): r for r in s.scalars(select(CrawlRunSource))})
    first = world.reports[0]["run_id"]
    # two of its three mirrors answered with a feed; the third is the error
    assert rows[(first, "wx_qinghe")].list_pages == 2 and rows[(first, "wx_qinghe")].errors == 1
    assert rows[(first, "wx_garbage")].errors == 1


# -- run 2: an hour later, nothing is due -----------------------------------------------------------------
@pytest.mark.parametrize("query", ["mid=2651000038", "mid=2651000035"])
def test_pages_waiting_for_a_retry_are_left_alone(world: World, query: str) -> None:
    assert world.hits_in(1, "/s", query) == []


def test_short_link_waiting_for_a_retry_is_left_alone(world: World) -> None:
    assert world.hits_in(1, "/s/qhAudioPost_FeedText2B") == []


def test_stored_articles_are_not_fetched_again(world: World) -> None:
    # Only the expired temporary link is asked again: it names nothing, so nothing can say it is known.
    assert [h.query for h in world.hits_in(1, "/s")] == [
        "src=11&timestamp=1600000000&ver=2500&signature=RXhwaXJlZExpbmtGcm9tU29nb3U&new=1"]


# -- run 3: seven hours later, the retries are due --------------------------------------------------------
def test_gate_is_retried_with_a_growing_back_off(world: World) -> None:
    assert len(world.hits_in(2, "/s", "mid=2651000038")) == 1
    row = world.status(C3)
    assert row is not None and row.status == "verify" and row.attempts == 2
    assert row.next_attempt_at == NOW3 + timedelta(hours=12)


def test_deleted_page_is_never_retried(world: World) -> None:
    assert world.hits_in(2, "/s", "mid=2651000035") == []
    assert world.status(C2).attempts == 1


def test_short_link_article_learns_its_key_on_retry(world: World) -> None:
    assert len(world.hits_in(2, "/s/qhAudioPost_FeedText2B")) == 1
    article = world.article(X)
    assert article is not None, "the short-link article was not upgraded to its long URL"
    assert (article.wechat_biz, article.wechat_mid, article.wechat_idx) == (A, "2650000122", "1")
    assert article.page_type == "wechat:audio"
    assert world.query(lambda s: s.get(ArticleAlias, X_SHORT)).article_id == article.id
    assert world.article(X_SHORT) is None
    assert world.status(X_SHORT) is None
    same = world.query(lambda s: s.scalars(select(Article).where(Article.title.contains("盾构机司机"))).all())
    assert len(same) == 1



def test_a_temporary_link_already_seen_by_title_is_not_fetched_again(world: World) -> None:
    assert world.hits_in(1, "/s", "timestamp=1753600000") == []


def test_repost_page_is_remembered_not_refetched(world: World) -> None:
    row = world.status(f"https://mp.weixin.qq.com/s?__biz={B}&mid=2247480009&idx=1&sn=e1e1d3d40573127e9ee0480caf1283d6")
    assert row is not None and "repost of" in (row.message or "")
