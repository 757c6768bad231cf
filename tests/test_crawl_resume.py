"""A crawl killed half-way (SIGKILL: no clean shutdown) is resumed by the next run from the store's knowledge.

Resume works from the store, not from a Scrapy JOBDIR: stored articles are not fetched again, and because
crawl_state shows the last crawl never finished, the next run pages past list pages that hold only stored
articles (the normal stop rule would end at page 1 and never reach what the killed run left unfetched).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aggregator.sampleserver import SampleServer
from tests.conftest import ROOT
from tests.crawl_support import crawl_env, stored

pytestmark = pytest.mark.slow

HOST = "resume.fixture.test"
PAGES, PER_PAGE = 3, 6


def build_site(root: Path) -> tuple[Path, list[str]]:
    """A generic-family site: 3 list pages of 6 recent articles each, linked by 下一页; and its registry."""
    urls: list[str] = []
    site = root / HOST
    for page in range(1, PAGES + 1):
        items = []
        for i in range(PER_PAGE):
            n = (page - 1) * PER_PAGE + i + 1
            day = 14 - n // 3
            url = f"https://{HOST}/news/a{n}.html"
            urls.append(url)
            items.append(f'<li><a href="/news/a{n}.html">续传测试第{n}篇：基层工会服务职工</a><span>2025-09-{day:02d}</span></li>')
            text = "".join(f"<p>第{n}篇的第{k}段：工会组织围绕职工需求开展第{n * 10 + k}项服务，记录编号{n}-{k}。</p>" for k in range(3))
            (site / "news").mkdir(parents=True, exist_ok=True)
            (site / "news" / f"a{n}.html").write_text(
                f"<html><head><meta charset='utf-8'><title>续传测试第{n}篇：基层工会服务职工</title></head><body>"
                f"<h1>续传测试第{n}篇：基层工会服务职工</h1><div class='info'>发布时间：2025-09-{day:02d} 09:00</div>"
                f"<div class='text'>{text}</div></body></html>", encoding="utf-8")
        more = f'<a href="/news/list{page + 1}.html">下一页</a>' if page < PAGES else ""
        name = "index.html" if page == 1 else f"list{page}.html"
        (site / "news" / name).write_text(f"<html><head><meta charset='utf-8'></head><body><ul>{''.join(items)}</ul>{more}"
                                          "</body></html>", encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    registry = root / "sources.toml"
    registry.write_text(f'''[[source]]
id = "resume"
name = "续传样例站"
family = "generic"
lists = ["https://{HOST}/news/index.html"]
article_pattern = '/news/a\\d+\\.html$'
''', encoding="utf-8")
    return registry, urls


def article_hits(server: SampleServer) -> list[str]:
    return [h.path for h in server.hits_for(HOST) if h.path.startswith("/news/a")]


def test_killed_crawl_is_resumed_without_fetching_stored_articles_again(tmp_path: Path) -> None:
    registry, urls = build_site(tmp_path / "site")
    db = tmp_path / "resume.db"
    command = [sys.executable, "-m", "aggregator.cli", "crawl", "--db", str(db), "--sources", str(registry),
               "--spider", "sites"]
    with SampleServer(tmp_path / "site") as server:
        # One request at a time, a quarter second apart: slow enough to be killed in the middle. Articles are
        # committed every 0.2 s (not the default 2 s), so that the kill finds some stored and some not.
        env = {**os.environ, **crawl_env(server, UNION_NEWS_DOWNLOAD_DELAY="0.25", UNION_NEWS_CONCURRENT_PER_HOST="1",
                                         UNION_NEWS_COMMIT_SECONDS="0.2")}
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while len(article_hits(server)) < PER_PAGE + 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        process.kill()  # no clean shutdown: the spider never closes
        process.wait(timeout=30)
        assert process.returncode != 0, "the crawl finished before it could be killed; slow it down"
        after_kill = set(stored(db))
        assert 0 < len(after_kill) < len(urls)
        # The newest list page was finished first (articles go before further list pages) ...
        assert set(urls[:PER_PAGE]) <= after_kill
        mark = len(server.hits)

        result = subprocess.run(command, cwd=ROOT, env={**env, "UNION_NEWS_DOWNLOAD_DELAY": "0"},
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stdout + result.stderr[-3000:]
        second = [h.path for h in server.hits[mark:] if h.host == HOST and h.path.startswith("/news/a")]
    # ... so the normal stop rule would end at page 1; the resumed run pages on and fetches the rest, once.
    assert set(stored(db)) == set(urls)
    assert not any(f"https://{HOST}{path}" in after_kill for path in second)
    assert len(second) == len(set(second))
    assert "resuming" in result.stderr
    # And the run after that is an ordinary incremental one again: page 1 is unchanged, nothing else is asked.
    with SampleServer(tmp_path / "site") as server:
        third = subprocess.run(command, cwd=ROOT, env={**env, **crawl_env(server)}, capture_output=True, text=True,
                               timeout=180)
        assert third.returncode == 0, third.stderr[-3000:]
        assert [h.path for h in server.hits_for(HOST)] == ["/robots.txt", "/news/index.html"]
