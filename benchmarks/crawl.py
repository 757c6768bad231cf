"""Crawl benchmark: pages/second of the full crawl (family parsers, pipelines, store) against a bare Scrapy spider.

A generated site (TRS-style list pages of 50 links, createPageHTML paging; article pages of 20-60 KB with
navigation, related links and footer like the real ones) is served from a separate process on 127.0.0.1.
For the rate runs the server renders every page before the first request and then only sends bytes: a real
site's server does not run on the crawler's cores, and rendering a page here costs about 0.8 ms of CPU, which
the CPU-bound variants would otherwise share with it (--on-the-fly renders each page per request instead, as
the memory run always does: 20,000 rendered pages would hold some 700 MB). The server sends with Nagle's
algorithm off: with it on, each response's body waited for the delayed ACK of its headers (40 ms), which held
every variant under 16 requests / 50 ms, about 320 pages/s, whatever its CPU. In the same run, each variant
crawls it in a fresh process (Twisted's reactor runs once per process), politeness off, with the garbage
collector settled as `union-news crawl` settles it (aggregator/heap.py), the bare spider's included:

  bare     a Scrapy spider that requests the same list and article URLs and does nothing with them
  items    the bare spider yielding a one-field item per article through four pass-through pipelines (as
           many as the product has): what Scrapy's item machinery alone costs, before any work of ours
  family   `union-news crawl` as it runs in production: TRS family list parser and per-source selectors,
           normalize, deduplicate, classify, store (SQLite) and story matching
  generic  the same with the generic family and the generic extractor (no selectors)
  inline   the family variant writing in the crawl's own process (UNION_NEWS_STORE_WORKER=0), for comparison
           (with --inline)
  memory   the family variant over a 20,000-page site: peak RSS, and RSS sampled against pages crawled

--ablate STEP adds the family variant without one step, to see what bounds the rate: `search-index` drops
the full-text index's insert trigger from that variant's store (the worker no longer indexes), `classify`
leaves ClassifyPipeline out of ITEM_PIPELINES (the crawl's thread no longer classifies). Such a crawl is not
the product: its figures only say how much the rate depends on that step.

After the table, each run with a store worker gets its CPU ceiling: the CPU a page took in all (crawl, worker
and the site's server, which share the machine's cores) and the most pages/s, and so the most ratio to bare,
that this CPU allows on the cores it may run on, or on one core for the busier single process, whichever is
less. A crawl near its ceiling can only get faster by using less CPU per page: moving a step from one process
to the other does not raise the ceiling.

--repeat N runs the rate variants N times, alternating (bare, family, generic, bare, ...), and prints the
median of each ratio: one run's ratio moves by a third on these machines, whose speed drifts between runs.
The "busy" columns are each process's CPU seconds per second of the crawl (1.00 = one core): a process near
1.00 bounds the rate; when both are high, the two cores do (--ablate shows which step the rate depends on).

Each variant stops after --time-limit seconds (Scrapy's CLOSESPIDER_TIMEOUT) so that one invocation stays
within a few minutes on a shared machine; rates are pages/s over the time the crawl ran. When the memory
run does not reach all its pages in --memory-time, the RSS growth per 1,000 pages is reported and
extrapolated to the whole site (pass a larger --memory-time for a complete run).

The articles' text is realistic (benchmarks/newstext.py): words drawn by their frequency in the project's own
texts (some 8,000 words, Zipf-like), with a date, a city, a person and figures as reports have, so unrelated
articles are about as alike as unrelated real ones and the story matcher finds few candidates among them.
--narrow-text serves the site's first text instead, drawn uniformly from 60 words: its pages share more
shingles and, above all, the same few false person names (骑手权益 and 劳模平台 read as role + name), so two
shared "persons" make most articles story candidates of each other, to load and judge: a worst case for story
matching. --check-text [N] runs no crawl: it prints how often N consecutive articles of each text (and the
matcher's labelled real stories) become story candidates, and whether any pair is judged the same story.

Usage: python benchmarks/crawl.py [--articles 5000] [--time-limit 45] [--memory-pages 20000] [--memory-time 120] [--inline]
                                  [--repeat N] [--ablate STEP] [--skip-memory] [--on-the-fly] [--narrow-text] [--check-text [N]]
Figures are ratios against the bare spider measured in the same run; never used as test assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing import Process, Queue
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.newstext import news_article, vocabulary, words  # noqa: E402

HOST = "bench.union-news.test"
PER_LIST = 50
NOW = "2025-09-15T12:00:00+08:00"
_WORDS = ("工会 职工 劳动 技能 服务 企业 基层 活动 保障 权益 协商 工资 岗位 培训 安全 生产 创新 劳模 工匠 文化 "
          "帮扶 困难 就业 新业态 快递 骑手 驿站 法律 援助 调解 合同 健康 体检 疗休养 阵地 组织 建设 入会 "
          "会员 普惠 线上 平台 数字 改革 发展 质量 效益 标准 竞赛 比武 技术 攻关 成果 推广 示范 典型 宣传").split()


# --- the generated site ------------------------------------------------------------------------------
def article_day(n: int) -> str:
    return (datetime(2025, 9, 15) - timedelta(days=n % 300)).strftime("%Y%m%d")


def article_path(n: int) -> str:
    day = article_day(n)
    return f"/xwdt/{day[:6]}/t{day}_{100000 + n}.html"


def list_path(page: int) -> str:
    return "/xwdt/index.html" if page == 0 else f"/xwdt/index_{page}.html"


def _narrow_words(rng: random.Random, k: int) -> str:
    """`k` of the 60 words of _WORDS, uniformly: the narrow text (a worst case for story matching)."""
    return "".join(rng.choices(_WORDS, k=k))


def _chrome(rng: random.Random, size: int, draw: Callable[[random.Random, int], str]) -> tuple[str, str]:
    """Header (navigation mega-menu, inline CSS/JS) and footer (related links, ICP) of ~size bytes together;
    `draw(rng, k)` gives the text of k words."""
    menu = "".join(f'<li><a href="/col{i}/">栏目{i}{draw(rng, 2)}</a></li>' for i in range(60))
    css = ".x{color:#333;margin:0 auto;padding:4px 8px;font-size:14px}" * 40
    related = "".join(f'<li><a href="/xwdt/202501/t20250101_{rng.randint(1, 99999)}.html">'
                      f'{draw(rng, 6)}</a><span>2025-01-01</span></li>' for _ in range(30))
    header = f"<style>{css}</style><script>var _h=1;</script><div class='nav'><ul>{menu}</ul></div>" \
             "<div class='position'>您现在的位置：首页 &gt; 新闻动态</div>"
    footer = f"<div class='related'><h3>相关新闻</h3><ul>{related}</ul></div>" \
             "<div class='footer'>主办单位：样例工会 版权所有 备案号：京ICP备00000000号</div>"
    pad = max(0, size - len(header.encode()) - len(footer.encode()) - 6000)
    filler = "<!-- " + ("x" * pad) + " -->" if pad else ""
    return header + filler, footer


def _article(rng: random.Random, n: int, narrow: bool) -> tuple[str, list[str]]:
    if narrow:  # the original generator, call for call: the same pages as before the realistic text
        title = f"{_narrow_words(rng, 8)}（第{n}号）"
        return title, [f"{_narrow_words(rng, rng.randint(40, 90))}。第{n}号第{i}段。" for i in range(8)]
    return news_article(rng, datetime.strptime(article_day(n), "%Y%m%d").date())


def article_text(n: int, narrow: bool = False) -> tuple[str, list[str]]:
    """(title, paragraphs) of article n as its page shows them: realistic text, or the narrow 60-word text."""
    return _article(random.Random(n), n, narrow)


def render_article(n: int, *, narrow: bool = False) -> bytes:
    """The page of article n (deterministic: random.Random(n)); `narrow`: text from the 60 words only."""
    rng = random.Random(n)
    title, paragraphs = _article(rng, n, narrow)
    paras = "".join(f"<p>{p}</p>" for p in paragraphs)
    day = article_day(n)
    header, footer = _chrome(rng, rng.randint(20_000, 60_000), _narrow_words if narrow else words)
    html = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}_样例工会</title>"
            f"<meta name='PubDate' content='{day[:4]}-{day[4:6]}-{day[6:]} 09:30'></head><body>{header}"
            f"<div class='detail'><h1 class='title'>{title}</h1><div class='info'>发布时间：{day[:4]}-{day[4:6]}-{day[6:]} "
            f"09:30 来源：样例工会</div><div class='TRS_Editor'>{paras}</div></div>{footer}</body></html>")
    return html.encode("utf-8")


def render_list(page: int, pages: int, articles: int) -> bytes:
    items = []
    for n in range(page * PER_LIST, min((page + 1) * PER_LIST, articles)):
        day = article_day(n)
        items.append(f"<li><a href='{article_path(n)}'>第{n}号文章</a><span>{day[:4]}-{day[4:6]}-{day[6:]}</span></li>")
    html = (f"<html><head><meta charset='utf-8'></head><body><ul class='news-list'>{''.join(items)}</ul>"
            f"<script>createPageHTML({pages}, {page}, \"index\", \"html\");</script></body></html>")
    return html.encode("utf-8")


def serve(articles: int, ready: Queue, narrow: bool = False, prerender: bool = False) -> None:  # type: ignore[type-arg]
    """Serve the generated site until killed (runs in its own process); `narrow`: the 60-word text; `prerender`:
    render every page first, then only send bytes."""
    pages = -(-articles // PER_LIST)
    by_path = {article_path(n): n for n in range(articles)}
    render_article(0, narrow=narrow)  # builds the vocabulary (about a second) before the first request
    rendered: dict[str, bytes] = {}
    if prerender:
        rendered = {path: render_article(n, narrow=narrow) for path, n in by_path.items()}
        rendered.update({list_path(p): render_list(p, pages, articles) for p in range(pages)})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm on, the body waits for the client's
        # delayed ACK of the headers (40 ms on Linux), which held every variant near 16 requests per ~50 ms,
        # about 320 pages/s.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            status, body = 200, b""
            if path == "/robots.txt":
                body = b"User-agent: *\nAllow: /\n"
            elif path in rendered:
                body = rendered[path]
            elif path in by_path:
                body = render_article(by_path[path], narrow=narrow)
            elif path.startswith("/xwdt/index"):
                stem = path.removeprefix("/xwdt/index").removesuffix(".html").lstrip("_")
                body = render_list(int(stem or 0), pages, articles)
            else:
                status, body = 404, b"not found"
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ready.put(server.server_address[1])
    server.serve_forever()


# --- how alike unrelated articles look to the story matcher (--check-text) --------------------------------
def _likeness(items: list[tuple[str, str, int]], story: list[Any]) -> dict[str, float]:
    """What the story index makes of unrelated articles (title, text, publication day) in arrival order.

    Articles with equal `story` values are one story; only pairs of different stories count. Pairs are found
    as the index finds them (a shared LSH band, or anchors within the window, then index.proposes) and judged
    as assign_story judges them.
    """
    import numpy as np

    from aggregator.stories.features import extract
    from aggregator.stories.index import make_entry, proposes
    from aggregator.stories.match import WINDOW_DAYS, judge

    features = [extract(title, text, day) for title, text, day in items]
    entries = [make_entry(i, f) for i, f in enumerate(features)]
    day = [e.day for e in entries]
    bands: dict[int, list[int]] = {}
    anchors: dict[int, list[int]] = {}  # hashed anchor keys, as the index stores them
    for i, entry in enumerate(entries):
        for key in entry.lsh:
            bands.setdefault(key, []).append(i)
        for anchor in entry.anchors:
            anchors.setdefault(anchor, []).append(i)
    banded = {(a, b) for members in bands.values() for k, a in enumerate(members) for b in members[k + 1 :]
              if story[a] != story[b]}
    pairs = set(banded)
    for members in anchors.values():  # anchors count within the window only: pair members close in days
        members.sort(key=day.__getitem__)
        for k, a in enumerate(members):
            for b in members[k + 1 :]:
                if day[b] - day[a] > WINDOW_DAYS:
                    break
                if story[a] != story[b]:
                    pairs.add((min(a, b), max(a, b)))
    proposed = {(a, b) for a, b in pairs if proposes(entries[a], entries[b])}
    n = len(items)
    # Per 1,000 unrelated pairs published within the window: anchors propose only those, and the labelled set
    # spans weeks where the generated site spans 300 days, so this is the denominator the two share.
    ordered = np.sort(np.array(day))
    close = int((np.searchsorted(ordered, ordered + WINDOW_DAYS, side="right") - np.arange(1, n + 1)).sum())
    members_of: dict[Any, list[int]] = {}
    for i, key in enumerate(story):
        members_of.setdefault(key, []).append(i)
    close -= sum(1 for members in members_of.values() for k, a in enumerate(members) for b in members[k + 1 :]
                 if abs(day[a] - day[b]) <= WINDOW_DAYS)
    # Exact Jaccard of the shingle sets of unrelated neighbours in arrival order (500 pairs at most).
    near = [(a, b) for a in range(n) for b in range(a + 1, min(n, a + 4)) if story[a] != story[b]][:500]
    jaccard = [np.intersect1d(features[a].shingles, features[b].shingles).size
               / max(1, np.union1d(features[a].shingles, features[b].shingles).size) for a, b in near]
    return {"articles": n, "with_candidates": len({b for _a, b in proposed}),  # the later finds the earlier
            "banded": len(banded), "proposed": len(proposed), "by_band": len(proposed & banded),
            "per_1000": len(proposed) / max(1, close) * 1000,
            "same_story": sum(judge(features[a], features[b]).same for a, b in proposed),
            "jaccard": float(np.mean(jaccard)),
            "shingles": float(np.mean([f.shingles.size for f in features]))}


def check_text(articles: int) -> None:
    """Print how often unrelated articles become story candidates: generated texts and labelled real text."""
    from aggregator.stories.evaluate import read_items
    from aggregator.store.types import SHANGHAI

    rows: dict[str, dict[str, float]] = {}
    for narrow in (False, True):
        items = []
        for n in range(articles):
            title, paragraphs = article_text(n, narrow)
            published = datetime.strptime(article_day(n), "%Y%m%d").toordinal()
            items.append((title, "\n".join(paragraphs), published))
        rows["narrow text" if narrow else "realistic text"] = _likeness(items, list(range(articles)))
    # Reference: the matcher's labelled stories, hand-made after real reports and published within a few
    # weeks; pairs of different stories are unrelated, many near misses on purpose (templated reports).
    labelled = sorted(read_items(ROOT / "tests" / "data" / "stories_labeled.jsonl"),
                      key=lambda i: (i.published, i.id))
    rows["labelled real stories"] = _likeness(
        [(i.title, i.text, i.published.astimezone(SHANGHAI).date().toordinal()) for i in labelled],
        [i.cluster for i in labelled])
    print(f"{'text':<22} {'articles':>8} {'with cand.':>10} {'share':>6} {'banded':>7} {'proposed':>8} "
          f"{'by band':>7} {'per 1k':>7} {'same':>5} {'Jaccard':>8} {'shingles':>8}")
    for name, r in rows.items():
        print(f"{name:<22} {r['articles']:>8} {r['with_candidates']:>10} "
              f"{r['with_candidates'] / r['articles']:>6.1%} {r['banded']:>7} {r['proposed']:>8} "
              f"{r['by_band']:>7} {r['per_1000']:>7.2f} {r['same_story']:>5} {r['jaccard']:>8.3f} "
              f"{r['shingles']:>8.0f}")
    print("\nwith cand.: articles the index proposes an earlier unrelated article to (its text is then"
          " loaded and judged)\nbanded: unrelated pairs sharing an LSH band; proposed: unrelated pairs the"
          " index proposes, by band (band\n  and containment precheck) or by two shared anchors within 3"
          " days; per 1k: proposed per 1,000 unrelated\n  pairs published within 3 days; same: proposed"
          " pairs judged the same story; Jaccard: of the shingle\n  sets of unrelated neighbours;"
          " shingles: mean per article")


# --- the variants (each in its own process) ---------------------------------------------------------------
POLITENESS_OFF = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
                  "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "ERROR", "RETRY_TIMES": 1}


def registry_text(family: str, articles: int) -> str:
    pages = -(-articles // PER_LIST)
    extra = ('selectors = { title = "h1.title", published = "div.info", body = "div.TRS_Editor" }\n'
             if family == "trs" else "")
    return (f'[[source]]\nid = "bench"\nname = "样例工会"\nfamily = "{family}"\nlists = ["https://{HOST}/xwdt/index.html"]\n'
            f"article_pattern = '/xwdt/\\d{{6}}/t\\d{{8}}_\\d+\\.html$'\nmax_pages = {pages + 1}\n{extra}")


def rss_mb() -> tuple[float, int]:
    """Resident set size in MB of this process and its child processes (the store worker), and how many
    processes that is."""
    import multiprocessing

    total, counted = 0.0, 0
    for pid in ["self", *(str(child.pid) for child in multiprocessing.active_children())]:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except FileNotFoundError:  # a child that just left
            continue
        total += next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:")), 0.0)
        counted += 1
    return total, counted


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by this process, or by process `pid` (with its threads)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_crawl(process: Any, spider: Any, limit: float) -> tuple[float, list[tuple[int, float, int]], Any]:
    """Run one spider in `process`, sampling (pages, RSS MB, processes) every second; returns (seconds, samples,
    crawler)."""
    from scrapy import signals
    from twisted.internet import task

    from aggregator.heap import settled_heap

    crawler = process.create_crawler(spider)
    samples: list[tuple[int, float, int]] = []

    def sample() -> None:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        samples.append((int(stats.get("response_received_count", 0)), *rss_mb()))

    loops: list[Any] = []

    def begin() -> None:
        # Created with the engine: a LoopingCall binds the reactor, which Scrapy installs only by then.
        loop = task.LoopingCall(sample)
        loop.start(1.0, now=False)
        loops.append(loop)

    def end() -> None:
        for loop in loops:
            if loop.running:
                loop.stop()

    crawler.signals.connect(begin, signal=signals.engine_started, weak=False)
    crawler.signals.connect(end, signal=signals.engine_stopped, weak=False)
    process.crawl(crawler)
    started, cpu_started = time.perf_counter(), cpu_seconds()
    # As `union-news crawl` runs (aggregator.crawl.runner), for every variant: the bare spider too.
    with settled_heap():
        process.start()
    elapsed = time.perf_counter() - started
    sample()
    crawler.stats.set_value("bench/cpu", cpu_seconds() - cpu_started)
    return elapsed, samples, crawler


ABLATIONS = ("search-index", "classify")


def child_full(port: int, family: str, articles: int, workdir: Path, limit: float, worker: bool = True,
               ablate: str | None = None) -> dict[str, Any]:
    from scrapy.crawler import CrawlerProcess

    from aggregator.clock import crawl_now
    from aggregator.crawl.runner import crawl_settings
    from aggregator.runs import start_run
    from aggregator.sources import load_registry
    from aggregator.store import open_store, resolve_db_url
    from aggregator.store.writer import sync_sources

    registry = workdir / f"sources-{family}.toml"
    registry.write_text(registry_text(family, articles), encoding="utf-8")
    suffix = ('' if worker else '-inline') + (f"-no-{ablate}" if ablate else "")
    db_url = resolve_db_url(str(workdir / f"bench-{family}-{articles}{suffix}.db"))
    store = open_store(db_url)
    with store.session() as session:
        sync_sources(session, load_registry(registry))
        run_id = start_run(session, "bench", crawl_now()).id
    if ablate == "search-index":
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER articles_fts_ai")
    store.close()
    pipelines = None
    if ablate == "classify":
        from aggregator import settings as project_settings

        pipelines = {k: v for k, v in project_settings.ITEM_PIPELINES.items() if not k.endswith(".ClassifyPipeline")}
    # The production path (`union-news crawl`): project settings, every middleware and pipeline, the store.
    settings = crawl_settings(UNION_NEWS_DB=db_url, UNION_NEWS_SOURCES=str(registry), UNION_NEWS_RUN_ID=run_id,
                              UNION_NEWS_HOSTMAP={"*": f"127.0.0.1:{port}"}, UNION_NEWS_NOW=NOW,
                              UNION_NEWS_WINDOW_DAYS=3650, CLOSESPIDER_TIMEOUT=limit, LOG_INSTALL_ROOT_HANDLER=False,
                              UNION_NEWS_STORE_WORKER=worker, ITEM_PIPELINES=pipelines,
                              **POLITENESS_OFF)
    process = CrawlerProcess(settings)
    elapsed, samples, crawler = timed_crawl(process, "sites", limit)
    stats = crawler.stats.get_stats()
    # The store worker has been joined by now: RUSAGE_CHILDREN holds its CPU time and peak RSS.
    worker = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"pages": int(stats.get("response_received_count", 0)), "new": int(stats.get("source/bench/new", 0)),
            "errors": int(stats.get("source/bench/errors", 0)), "seconds": elapsed, "samples": samples,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "cpu": stats["bench/cpu"],
            "worker_cpu": worker.ru_utime + worker.ru_stime, "worker_peak_mb": worker.ru_maxrss / 1024,
            "worker_wait": float(stats.get("store/worker_wait_seconds", 0.0))}


class PassThrough:
    """An item pipeline that does nothing: the `items` variant has as many as the product has pipelines."""

    def process_item(self, item: Any) -> Any:
        """Return the item unchanged."""
        return item


def child_bare(port: int, articles: int, limit: float, items: bool = False) -> dict[str, Any]:
    """The bare spider; with `items`, it also yields a one-field item per article through pass-through pipelines."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from aggregator import settings as project_settings

    pages = -(-articles // PER_LIST)
    urls = [f"https://{HOST}{list_path(p)}" for p in range(pages)] + [f"https://{HOST}{article_path(n)}" for n in range(articles)]
    article_urls = set(urls[pages:])

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):  # type: ignore[no-untyped-def]
            for url in urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response):  # type: ignore[no-untyped-def]
            return [{"url": response.url}] if items and response.url in article_urls else None

    settings = {**POLITENESS_OFF, "ROBOTSTXT_OBEY": True, "CONCURRENT_ITEMS": 10, "TELNETCONSOLE_ENABLED": False,
                "UNION_NEWS_HOSTMAP": {"*": f"127.0.0.1:{port}"}, "CLOSESPIDER_TIMEOUT": limit,
                "DOWNLOAD_HANDLERS": {"http": "aggregator.crawl.hostmap.HostMapDownloadHandler",
                                      "https": "aggregator.crawl.hostmap.HostMapDownloadHandler"},
                "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
                "LOG_INSTALL_ROOT_HANDLER": False}
    if items:
        # Distinct classes: Scrapy keys pipelines by class, one instance each.
        settings["ITEM_PIPELINES"] = {type(f"PassThrough{n}", (PassThrough,), {}): priority
                                      for n, priority in enumerate(project_settings.ITEM_PIPELINES.values())}
    process = CrawlerProcess(settings)
    elapsed, samples, crawler = timed_crawl(process, Bare, limit)
    stats = crawler.stats.get_stats()
    return {"pages": int(stats.get("response_received_count", 0)), "new": 0, "errors": 0, "seconds": elapsed,
            "samples": samples, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cpu": stats["bench/cpu"]}


def run_child(variant: str, port: int, articles: int, workdir: Path, limit: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", variant, "--port", str(port), "--articles", str(articles),
               "--workdir", str(workdir), "--time-limit", str(limit)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT,
                            env={**os.environ, "UNION_NEWS_LOG_LEVEL": "ERROR"})
    if result.returncode != 0:
        raise SystemExit(f"{variant} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def with_server(articles: int, narrow: bool, prerender: bool = False) -> tuple[Process, int]:
    ready: Queue = Queue()  # type: ignore[type-arg]
    server = Process(target=serve, args=(articles, ready, narrow, prerender), daemon=True)
    server.start()
    return server, ready.get(timeout=120)


def cpu_per_page(r: dict[str, Any]) -> tuple[float, float, float]:
    """CPU ms per page of a run's crawl process, store worker (0 without one) and the site's server."""
    pages = max(1, r["pages"])
    return r["cpu"] * 1000 / pages, r.get("worker_cpu", 0) * 1000 / pages, r["server_cpu"] * 1000 / pages


def ceiling(r: dict[str, Any], cores: int) -> tuple[float, float]:
    """CPU ms per page of a run's processes together (crawl, worker, server), and the most pages/s they allow.

    A rate cannot pass the cores' CPU over the CPU a page takes in all, nor one core over what one process
    takes per page (Scrapy's reactor and the store's writer are one process each).
    """
    crawl, worker, server = cpu_per_page(r)
    total = crawl + worker + server
    return total, min(1000 * cores / total, *(1000 / part for part in (crawl, worker) if part))


def print_ceilings(results: dict[str, dict[str, Any]], bare_rate: Callable[[str], float]) -> None:
    """For each run with a store worker, the rate its CPU per page allows on the cores, against bare."""
    # The cores this process may run on: an affinity or a cpuset can allow fewer than the machine has.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    for name, r in results.items():
        if r.get("worker_cpu") and name != "memory":
            total, most = ceiling(r, cores)
            print(f"{name}: {total:.2f} ms of CPU per page in all; {cores} cores allow at most {most:.0f} "
                  f"pages/s, {most / bare_rate(name):.2f} of bare")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000, help="articles on the site of the rate runs")
    parser.add_argument("--time-limit", type=float, default=45, help="seconds each rate run may crawl")
    parser.add_argument("--memory-pages", type=int, default=20000, help="pages (lists + articles) of the memory run")
    parser.add_argument("--memory-time", type=float, default=120, help="seconds the memory run may crawl")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the rate variants N times, alternating, and print the median ratios")
    parser.add_argument("--ablate", action="append", choices=ABLATIONS, default=[], metavar="STEP",
                        help=f"also run the family variant without STEP ({', '.join(ABLATIONS)}; repeatable)")
    parser.add_argument("--skip-memory", action="store_true", help="skip the memory run")
    parser.add_argument("--inline", action="store_true",
                        help="also run the family variant with the store written in the crawl's process (no worker)")
    parser.add_argument("--on-the-fly", action="store_true",
                        help="render each page when it is requested in the rate runs too (the server then "
                             "takes ~0.8 ms of CPU per page from the cores the crawl runs on)")
    parser.add_argument("--narrow-text", action="store_true",
                        help="draw article text from 60 words only (the old site): a worst case for story "
                             "matching")
    parser.add_argument("--check-text", type=int, nargs="?", const=1000, metavar="N",
                        help="only print how often N (default 1000) unrelated generated articles, realistic "
                             "and narrow, become story candidates, against labelled real text; no crawl")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child in ("bare", "items"):
            result = child_bare(args.port, args.articles, args.time_limit, items=args.child == "items")
        else:
            ablate = args.child.removeprefix("family-no-") if args.child.startswith("family-no-") else None
            result = child_full(args.port, "generic" if args.child == "generic" else "trs", args.articles, args.workdir,
                                args.time_limit, worker=args.child != "inline", ablate=ablate)
        print(json.dumps(result))
        return 0

    if args.check_text:
        check_text(args.check_text)
        return 0

    rounds: list[dict[str, dict[str, Any]]] = []
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="union-news-bench-") as tmp:
        workdir = Path(tmp)
        server, port = with_server(args.articles, args.narrow_text, prerender=not args.on_the_fly)
        sample = [len(render_article(n, narrow=args.narrow_text))
                  for n in range(0, args.articles, max(1, args.articles // 200))]
        text = "narrow (60 words)" if args.narrow_text else f"realistic ({len(vocabulary().words):,} words)"
        print(f"site: {args.articles} articles + {-(-args.articles // PER_LIST)} list pages; article pages "
              f"{min(sample) // 1024}-{max(sample) // 1024} KB (mean {sum(sample) // len(sample) // 1024} "
              f"KB); {text} text; pages rendered {'per request' if args.on_the_fly else 'before the runs'}", file=sys.stderr)
        try:
            for round_ in range(max(1, args.repeat)):
                rounds.append({})
                # A store of its own per round: a store that holds the site would make the crawl incremental.
                round_dir = workdir / f"round{round_}"
                round_dir.mkdir()
                for variant in ("bare", "items", "family", *(f"family-no-{step}" for step in args.ablate), "generic",
                                *(("inline",) if args.inline else ())):
                    print(f"running {variant}{f' (round {round_ + 1} of {args.repeat})' if args.repeat > 1 else ''} ...",
                          file=sys.stderr)
                    served = cpu_seconds(server.pid)
                    rounds[-1][variant] = run_child(variant, port, args.articles, round_dir, args.time_limit)
                    rounds[-1][variant]["server_cpu"] = cpu_seconds(server.pid) - served
        finally:
            server.kill()
        if not args.skip_memory:
            articles = args.memory_pages * PER_LIST // (PER_LIST + 1)
            server, port = with_server(articles, args.narrow_text)
            try:
                print(f"running memory ({articles} articles, {args.memory_pages} pages) ...", file=sys.stderr)
                served = cpu_seconds(server.pid)
                results["memory"] = run_child("family", port, articles, workdir, args.memory_time)
                results["memory"]["server_cpu"] = cpu_seconds(server.pid) - served
            finally:
                server.kill()
    # The rate runs (named variant.round when repeated), then the memory run.
    results = {**({f"{name}.{number}": r for number, round_results in enumerate(rounds, 1)
                   for name, r in round_results.items()} if len(rounds) > 1 else rounds[0]), **results}
    # CPU ms per page of the crawling process and of the site's server: on two cores they share, the crawl's
    # own CPU per page is what bounds its rate once the server no longer does.
    # The store worker (a child process writing the groups) has its own CPU and memory: peak MB adds its peak
    # to the crawl's (an upper bound of what both held at once).
    # Each variant is compared with the bare run of its own round (the memory run with the first round's).
    def rate(r: dict[str, Any]) -> float:
        return r["pages"] / r["seconds"]

    def bare_rate(name: str) -> float:
        return rate(results.get("bare") or results[f"bare.{name.rpartition('.')[2] if '.' in name else 1}"])

    width = max(10, *(len(name) for name in results))
    print(f"\n{'variant':<{width}} {'pages':>6} {'new':>6} {'errors':>6} {'seconds':>7} {'pages/s':>8} {'vs bare':>7} "
          f"{'peak MB':>7} {'crawl ms/p':>10} {'worker ms/p':>11} {'server ms/p':>11} {'busy crawl':>10} "
          f"{'busy worker':>11}")
    for name, r in results.items():
        crawl_ms, worker_ms, server_ms = cpu_per_page(r)
        print(f"{name:<{width}} {r['pages']:>6} {r['new']:>6} {r['errors']:>6} {r['seconds']:>7.1f} {rate(r):>8.1f} "
              f"{rate(r) / bare_rate(name):>7.2f} {r['peak_mb'] + r.get('worker_peak_mb', 0):>7.0f} "
              f"{crawl_ms:>10.2f} {worker_ms:>11.2f} {server_ms:>11.2f} {r['cpu'] / r['seconds']:>10.2f} "
              f"{r.get('worker_cpu', 0) / r['seconds']:>11.2f}")
    if len(rounds) > 1:
        for variant in [v for v in rounds[0] if v != "bare"]:
            ratios = [rate(r[variant]) / rate(r["bare"]) for r in rounds]
            print(f"{variant}: median {statistics.median(ratios):.2f} of bare over {len(ratios)} rounds "
                  f"({', '.join(f'{x:.2f}' for x in ratios)})")
    print_ceilings(results, bare_rate)
    for name, r in results.items():
        if r.get("worker_wait"):
            print(f"{name}: the crawl waited {r['worker_wait']:.1f} s of {r['seconds']:.1f} s for the store worker")
    if "memory" in results:
        memory = results["memory"]
        # Only samples with the store worker alive: it leaves while the crawl closes, and the RSS without it
        # made the last point look like a fall (-13 MB per 1,000 pages) where both processes held steady.
        most = max((processes for _pages, _mb, processes in memory["samples"]), default=0)
        samples = [(pages, mb) for pages, mb, processes in memory["samples"] if pages > 0 and processes == most]
        if len(samples) >= 2 and samples[-1][0] > samples[0][0]:
            # Growth after the first sample (imports, store and classifier loaded) per 1,000 pages.
            (p0, m0), (p1, m1) = samples[len(samples) // 4], samples[-1]
            slope = (m1 - m0) / max(1, p1 - p0) * 1000
            projected = max(mb for _p, mb in samples) + max(0.0, slope) * max(0, args.memory_pages - p1) / 1000
            print(f"\nmemory run: {memory['pages']} of {args.memory_pages} pages in {memory['seconds']:.0f} s; RSS "
                  f"{samples[0][1]:.0f} MB at {samples[0][0]} pages, {m1:.0f} MB at {p1} pages "
                  f"({slope:+.2f} MB per 1,000 pages); projected peak at {args.memory_pages} pages: {projected:.0f} MB")
    print("\ntargets: family >= 0.50 of bare; peak < 500 MB for 20,000 pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
