"""Benchmark: publishing (12 weekly digests, 16 feeds, pages) from a big synthetic store.

Reports wall time and peak memory of each stage as ratios against a baseline measured in the same run: reading
every article row with plain sqlite3 (what any use of the store costs at least). Run on demand:

    .venv/bin/python benchmarks/bench_publish.py [--weeks 12] [--per-week 600] [--repeat 3]

Results are printed and written to benchmarks/results/publish.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator.classify import SECTIONS  # noqa: E402
from aggregator.dates import SHANGHAI  # noqa: E402

REGIONS = ["全国", "北京", "江苏", "浙江", "广东", "山东", "四川", "陕西", "河南", "湖北", "福建", "上海"]
WORDS = "工会 职工 劳动者 服务 权益 技能 工匠 协商 驿站 送清凉 培训 维权 夜校 托管 新就业形态 产业工人".split()


def build_store(path: Path, weeks: int, per_week: int, seed: int = 7) -> int:
    """A store of `weeks` weeks ending 2025-07-27, `per_week` articles each, a third of them reposted."""
    from aggregator.store import open_store
    from aggregator.store.models import Article, Source, Story

    rng = random.Random(seed)
    store = open_store(str(path))
    end = datetime(2025, 7, 28, tzinfo=SHANGHAI)
    count = 0
    with store.session() as s:
        for n in range(30):
            s.add(Source(id=f"s{n}", name=f"第{n}工会网", kind="wechat" if n % 4 == 0 else "site", family="generic",
                         authority=1 + n % 3, config={}, consecutive_failures=0, consecutive_empty=0))
        s.flush()
        for w in range(weeks):
            week_start = end - timedelta(weeks=w + 1)
            made = 0
            while made < per_week:
                size = rng.choice([1, 1, 1, 2, 2, 3])
                story = Story(size=size, outlets=size)
                s.add(story)
                s.flush()
                section = rng.choice([*SECTIONS, "none"])
                when = week_start + timedelta(minutes=rng.randrange(7 * 24 * 60 - 600))
                title = "".join(rng.choice(WORDS) for _ in range(6))
                for k in range(size):
                    text = "。".join("".join(rng.choice(WORDS) for _ in range(14)) for _ in range(12))
                    body = "".join(f"<p>{text[i:i + 120]}</p>" for i in range(0, len(text), 120))
                    body += f'<img src="https://mmbiz.qpic.cn/mmbiz_jpg/{w}{made}{k}/640" referrerpolicy="no-referrer">'
                    s.add(Article(url=f"https://s{k}.example.cn/{w}/{made}/{k}.html", source_id=f"s{(made + k) % 30}",
                                  title=title + ("" if k == 0 else "（转载）"), published_at=when + timedelta(hours=k),
                                  fetched_at=when + timedelta(hours=k + 1), body_text=text, body_html=body,
                                  summary=text[:120], section=section, section_confidence=0.9, section_origin="rule",
                                  needs_review=rng.random() < 0.05, region=rng.choice(REGIONS), status="ok",
                                  story_id=story.id, extra={}))
                    made += 1
                    count += 1
            s.flush()
    store.close()
    return count


STAGES = {
    "baseline: read every article row (sqlite3)": "baseline",
    "build 12 weekly digests": "digests",
    "publish everything": "publish",
}


def stage(name: str, db: Path, out: Path) -> None:
    """Run one stage in this process and print its wall time and peak RSS as JSON (called in a subprocess)."""
    import resource

    started = time.perf_counter()
    if name == "baseline":
        con = sqlite3.connect(db)
        rows = con.execute("SELECT * FROM articles").fetchall()
        assert rows
        con.close()
    else:
        from aggregator.digest import build_week, complete_weeks
        from aggregator.publish import publish
        from aggregator.store import open_store

        now = datetime(2025, 7, 28, 12, tzinfo=SHANGHAI)
        store = open_store(str(db))
        with store.sessions() as session:
            if name == "digests":
                digests = [build_week(session, w) for w in complete_weeks(session, now, 12)]
                assert sum(len(d.items) for d in digests)
            else:
                result = publish(session, out, now)
                assert len(result.weeks) == 12
        store.close()
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def main() -> int:
    """Build the store once, run every stage --repeat times in fresh processes, print the table."""
    parser = argparse.ArgumentParser(description="publish benchmark")
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--per-week", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        stage(args.stage, Path(args.db), Path(args.out))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        articles = build_store(db, args.weeks, args.per_week)
        print(f"store: {articles} articles over {args.weeks} weeks, built in {time.perf_counter() - t0:.1f} s, "
              f"{db.stat().st_size / 1e6:.0f} MB")
        results: dict[str, dict[str, float]] = {}
        for label, key in STAGES.items():
            runs = []
            for _ in range(args.repeat):
                proc = subprocess.run([sys.executable, __file__, "--stage", key, "--db", str(db), "--out",
                                       str(Path(tmp) / "site")], capture_output=True, text=True, cwd=ROOT)
                if proc.returncode != 0:
                    print(proc.stderr, file=sys.stderr)
                    return 1
                runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            results[label] = {"seconds": statistics.median(r["seconds"] for r in runs),
                              "peak_mb": statistics.median(r["peak_mb"] for r in runs)}
    base = results[next(iter(STAGES))]
    print(f"\n{'stage':46} {'median s':>9} {'x base':>7} {'peak MB':>8} {'x base':>7}")
    for label, r in results.items():
        print(f"{label:46} {r['seconds']:9.3f} {r['seconds'] / base['seconds']:7.1f} {r['peak_mb']:8.0f} "
              f"{r['peak_mb'] / base['peak_mb']:7.1f}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "publish.json").write_text(json.dumps({"articles": articles, "weeks": args.weeks, "results": results},
                                                 ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
