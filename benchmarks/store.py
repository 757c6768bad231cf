"""Store benchmark: a generated store of N articles (default 1,000,000); search, digest and size on disk.

    python benchmarks/store.py                      # 1,000,000 articles in a temporary folder
    python benchmarks/store.py --articles 100000 --keep --db /tmp/bench.db

Measures, each as the median of --repeat runs after a warm-up, and as a ratio to a baseline measured in the
same run (a plain indexed lookup of one article by URL):
  - search: the first 20 hits, newest first, of two-character words (a very common one, a mid one, a rare
    one), a four-character phrase, and with a section or date filter (aggregator.search.search, the API
    behind `union-news search`);
  - for contrast, the same two-character search done with LIKE over titles and bodies (no index);
  - the digest of one week (aggregator.digest.build_week) and the list of recent weeks publish() reads
    (aggregator.digest.weeks_with_articles);
  - the store's size on disk, split by table and index where SQLite's dbstat is available.

Generation uses Core executemany in batches (not ORM adds); the search index is filled by the same triggers
as in production. Text is synthetic: a Zipf-distributed vocabulary over a few thousand Chinese characters,
with our domain words placed at chosen frequency ranks (工会 very common, 驿站 mid, 劳模工匠 rare).
Targets on this machine (2 shared cores): search under 100 ms, digest under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aggregator import search  # noqa: E402
from aggregator.classify import SECTIONS  # noqa: E402
from aggregator.digest import build_week, weeks_with_articles  # noqa: E402
from aggregator.store import open_store  # noqa: E402
from aggregator.store.models import Article, Source, Story  # noqa: E402
from aggregator.store.types import SHANGHAI  # noqa: E402

PROVINCES = ["全国", "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西",
             "甘肃", "青海", "宁夏", "新疆"]
# Domain words at chosen ranks of the Zipf vocabulary (rank 0 is the most frequent token).
PLACED = {"，": 0, "。": 3, "工会": 5, "职工": 9, "劳动者": 20, "服务": 30, "活动": 40, "开展": 50, "户外": 150,
          "驿站": 300, "送清凉": 600, "职工驿站": 1500, "劳模工匠": 12000}
END = datetime(2025, 7, 27, 23, 0, tzinfo=SHANGHAI)  # the last article; 2025-W30 is the last complete week
WEEK = "2025-W30"


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """`size` distinct words of 1-4 characters from a pool of 3,500 CJK characters, domain words placed."""
    pool = [chr(0x4E00 + i * 5) for i in range(3500)]
    words: list[str] = []
    seen = set(PLACED)
    while len(words) < size:
        word = "".join(rng.choices(pool, k=rng.choices((1, 2, 2, 2, 3, 4), k=1)[0]))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for word, rank in sorted(PLACED.items(), key=lambda kv: kv[1]):
        words.insert(rank, word)
    return words[:size]


class Generator:
    """Batches of article rows with Zipf-distributed text, dates spread over `days` ending at END."""

    def __init__(self, total: int, body_chars: int, days: int, sources: list[str], seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = np.array(vocabulary(30000, random.Random(seed)), dtype=object)
        ranks = np.arange(1, len(self.words) + 1, dtype=float)
        weights = 1.0 / ranks**1.07
        self.p = weights / weights.sum()
        mean_len = float(sum(len(w) * p for w, p in zip(self.words, self.p)))
        self.body_words = max(int(body_chars / mean_len), 10)
        self.total, self.days, self.sources = total, days, sources
        self.start = END - timedelta(days=days)

    def text(self, count: int, words: int) -> list[str]:
        """`count` texts of `words` words each."""
        idx = self.rng.choice(len(self.words), size=(count, words), p=self.p)
        return ["".join(row) for row in self.words[idx]]

    def batch(self, first: int, count: int) -> list[dict[str, Any]]:
        """Rows for articles first .. first+count-1 (in date order, like a store filled over time)."""
        span = self.days * 86400
        offsets = np.sort(self.rng.uniform(first / self.total, (first + count) / self.total, count)) * span
        titles = self.text(count, 9)
        bodies = self.text(count, self.body_words)
        sections = self.rng.choice(len(SECTIONS) + 1, size=count, p=[0.14] * 6 + [0.16])
        sources = self.rng.integers(0, len(self.sources), size=count)
        rows = []
        for i in range(count):
            when = (self.start + timedelta(seconds=float(offsets[i]))).astimezone(timezone.utc)
            source_id = self.sources[int(sources[i])]
            rows.append({
                "url": f"https://bench.example/{source_id}/{first + i}.html", "source_id": source_id,
                "title": titles[i], "published_at": when, "published_precise": True, "fetched_at": when,
                "body_text": bodies[i], "body_html": "<p>" + bodies[i] + "</p>", "summary": bodies[i][:80],
                "images": [], "page_type": "article", "status": "ok",
                "section": SECTIONS[sections[i]] if sections[i] < len(SECTIONS) else "none",
                "section_confidence": 0.8, "section_origin": "rule", "needs_review": False,
                "region": PROVINCES[hash(source_id) % len(PROVINCES)], "story_id": None, "extra": {},
            })
        return rows


def generate(db_url: str, total: int, body_chars: int, days: int, n_sources: int, batch_size: int) -> dict[str, float]:
    """Fill a fresh store with `total` articles, a quarter of them in multi-outlet stories."""
    store = open_store(db_url)
    source_ids = [f"src{i:03d}" for i in range(n_sources)]
    with store.engine.begin() as conn:
        conn.execute(insert(Source.__table__), [
            {"id": sid, "name": f"来源{i}", "kind": "site" if i % 5 else "wechat", "family": "generic",
             "region": PROVINCES[hash(sid) % len(PROVINCES)], "authority": 1 + (i % 3), "enabled": True,
             "verified": True, "config": {}, "consecutive_failures": 0, "consecutive_empty": 0}
            for i, sid in enumerate(source_ids)])
    gen = Generator(total, body_chars, days, source_ids)
    started = time.perf_counter()
    next_story = 1
    done = 0
    while done < total:
        count = min(batch_size, total - done)
        rows = gen.batch(done, count)
        # Stories: runs of 2-4 consecutive articles (same day, different outlets) share a story id.
        stories: list[dict[str, Any]] = []
        i = 0
        while i < count:
            size = int(gen.rng.choice([1, 1, 1, 1, 1, 1, 2, 3, 4]))
            if size > 1 and i + size <= count:
                stories.append({"id": next_story, "size": size, "outlets": size,
                                "first_seen": rows[i]["published_at"], "last_seen": rows[i + size - 1]["published_at"]})
                for row in rows[i:i + size]:
                    row["story_id"] = next_story
                next_story += 1
            i += size
        with store.engine.begin() as conn:
            if stories:
                conn.execute(insert(Story.__table__), stories)
            conn.execute(insert(Article.__table__), rows)
        done += count
        if done % (batch_size * 10) == 0 or done == total:
            rate = done / (time.perf_counter() - started)
            print(f"  generated {done:,} articles ({rate:,.0f}/s)", file=sys.stderr, flush=True)
    insert_seconds = time.perf_counter() - started
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET representative_id = (SELECT min(id) FROM articles a WHERE a.story_id = stories.id)"))
        if conn.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')"))
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")  # as autovacuum would after a load: the planner needs the statistics
        conn.commit()
    total_seconds = time.perf_counter() - started
    store.close()
    return {"insert_seconds": insert_seconds, "total_seconds": total_seconds, "rows_per_second": total / insert_seconds,
            "stories": next_story - 1}


def median_ms(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time of fn() in milliseconds over `repeat` runs, after one warm-up; and fn's last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def sizes(db_path: Path) -> dict[str, Any]:
    """The file's size and, where dbstat exists, bytes per table/index (the FTS shadow tables summed)."""
    out: dict[str, Any] = {"file_bytes": db_path.stat().st_size}
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    except sqlite3.OperationalError:
        rows = []
    conn.close()
    parts: dict[str, int] = {}
    for name, size in rows:
        key = "articles_fts (search index)" if name.startswith("articles_fts") else \
            "articles" if name == "articles" else "indexes on articles" if name.startswith(("ix_articles", "sqlite_autoindex_articles")) \
            else "other"
        parts[key] = parts.get(key, 0) + int(size)
    out["parts"] = parts
    return out


def measure(db_url: str, db_path: Path | None, repeat: int, total: int) -> dict[str, Any]:
    """Every timing of the benchmark on the generated store."""
    store = open_store(db_url)
    rng = random.Random(3)
    results: dict[str, Any] = {}
    with store.sessions() as session:
        urls = [f"https://bench.example/src{rng.randrange(300):03d}/{rng.randrange(total)}.html" for _ in range(64)]
        cycle = iter(urls * (repeat + 2))
        base_ms, _ = median_ms(lambda: session.execute(text("SELECT id, title FROM articles WHERE url = :u"),
                                                       {"u": next(cycle)}).all(), repeat)
        results["baseline: indexed lookup by URL"] = {"ms": base_ms}

        def timed_search(query: str, **filters: Any) -> dict[str, Any]:
            ms, hits = median_ms(lambda: search.search(session, query, search.Filters(**filters), limit=20), repeat)
            return {"ms": ms, "hits": len(hits), "matches": search.count(session, query)}

        results["search 工会 (very common)"] = timed_search("工会")
        results["search 驿站 (mid)"] = timed_search("驿站")
        results["search 劳模 (rare)"] = timed_search("劳模")
        results["search phrase 职工驿站"] = timed_search("职工驿站")
        results["search 驿站 --section 维权服务"] = timed_search("驿站", section="维权服务")
        results["search 驿站 --since last 30 days"] = timed_search("驿站", since=END - timedelta(days=30))
        ms, _ = median_ms(lambda: search.search(session, "驿站", limit=20, order="relevance"), max(repeat // 3, 3))
        results["search 驿站 --order relevance"] = {"ms": ms}
        results["search 劳模驿站工会 (found nowhere)"] = timed_search("劳模驿站工会")
        like_ms, _ = median_ms(lambda: session.execute(text(
            "SELECT id FROM articles WHERE title LIKE '%劳模驿站工会%' OR body_text LIKE '%劳模驿站工会%' "
            "ORDER BY published_at DESC LIMIT 20")).all(), 2)
        results["contrast: the same with LIKE (reads every row)"] = {"ms": like_ms}
    store.close()

    def digest() -> int:
        s = open_store(db_url)
        with s.sessions() as session:
            items = len(build_week(session, WEEK).items)
        s.close()
        return items

    ms, items = median_ms(digest, max(repeat // 3, 3))
    store = open_store(db_url)
    with store.sessions() as session:
        week_count = session.execute(text("SELECT count(*) FROM articles WHERE published_at >= :a AND published_at < :b"),
                                     {"a": "2025-07-20 16:00:00", "b": "2025-07-27 16:00:00"}).scalar()
        results[f"digest build_week {WEEK}"] = {"ms": ms, "items": items, "articles_in_week": week_count}
        wk_ms, weeks = median_ms(lambda: weeks_with_articles(session, 12), max(repeat // 3, 3))
        results["digest weeks_with_articles(12) (publish)"] = {"ms": wk_ms, "weeks": len(weeks)}
    store.close()
    for value in results.values():
        value["x_baseline"] = value["ms"] / base_ms if base_ms else None
    if db_path is not None:
        results["size"] = sizes(db_path)
    return results


def report(args: argparse.Namespace, gen: dict[str, float] | None, results: dict[str, Any]) -> None:
    """Print the figures as a Markdown table."""
    print(f"\n## Store benchmark: {args.articles:,} articles, ~{args.body_chars} characters per body, {args.days} days\n")
    if gen:
        print(f"generated in {gen['total_seconds']:.0f} s ({gen['rows_per_second']:,.0f} articles/s with the search "
              f"index filled by the triggers); {gen['stories']:,} multi-outlet stories\n")
    print("| measurement | median | × baseline | detail |")
    print("|---|---|---|---|")
    for name, value in results.items():
        if name == "size":
            continue
        detail = ", ".join(f"{k} {v:,}" for k, v in value.items() if k not in ("ms", "x_baseline"))
        ratio = f"{value['x_baseline']:,.0f}" if value.get("x_baseline") else ""
        print(f"| {name} | {value['ms']:,.2f} ms | {ratio} | {detail} |")
    if "size" in results:
        size = results["size"]
        print(f"\nsize on disk: {size['file_bytes'] / 2**30:.2f} GiB ({size['file_bytes'] / args.articles:,.0f} bytes per article)")
        for part, value in sorted(size["parts"].items(), key=lambda kv: -kv[1]):
            print(f"  {part}: {value / 2**30:.2f} GiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--body-chars", type=int, default=800, help="Average body length in characters.")
    parser.add_argument("--days", type=int, default=1095, help="Days the articles spread over (3 years).")
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--db", help="SQLite file (kept) or a SQLAlchemy URL; default: a temporary file, removed.")
    parser.add_argument("--reuse", action="store_true", help="Measure an existing --db without generating.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary store.")
    parser.add_argument("--json", default=str(Path(__file__).resolve().parent / "results" / "store.json"),
                        help="Also write the figures as JSON here (default: benchmarks/results/store.json).")
    args = parser.parse_args()
    tmp = None
    if args.db and "://" in args.db:
        db_url, db_path = args.db, None
    else:
        if args.db:
            db_path = Path(args.db)
        else:
            tmp = Path(tempfile.mkdtemp(prefix="union-news-bench-"))
            db_path = tmp / "store.db"
        db_url = f"sqlite:///{db_path}"
    os.environ.setdefault("UNION_NEWS_SQLITE_SYNCHRONOUS", "NORMAL")  # bulk load; the crawl's per-article commits use FULL
    try:
        gen = None
        if not args.reuse:
            if db_path is not None and db_path.exists():
                sys.exit(f"{db_path} exists: pass --reuse to measure it, or remove it")
            gen = generate(db_url, args.articles, args.body_chars, args.days, args.sources, args.batch)
        results = measure(db_url, db_path, args.repeat, args.articles)
        report(args, gen, results)
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps({"args": vars(args), "generation": gen, "results": results},
                                                  ensure_ascii=False, indent=2), encoding="utf-8")
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
