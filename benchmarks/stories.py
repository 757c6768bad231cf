"""Benchmark: story matching on generated articles inserted one by one into an on-disk store.

What it measures, in one run:
- throughput of insert + match + commit per article (the pipeline's store_record path: one transaction per
  article) as the store grows, reported over 1,000-article windows ending at 10k, 50k and 100k articles;
- the part of that spent in matching (assign_story: features, candidates, precise check, index rows);
- peak memory (ru_maxrss) and the store's size on disk;
- on the first --exact articles (default 5,000): agreement of the index's stories with an exact all-pairs
  comparison (the same precise check applied to every pair) and the speed-up over it, both timed here.

The generated articles mimic union news: a clause pool cut from our own labelled texts gives the background
wording; each event has a city, a day, people, figures and a campaign name; it is reposted with light edits
(a new lede, a byline, a dropped paragraph, credit lines, a few changed characters), sometimes written up anew
from the same facts, and sometimes cloned by a "template" event elsewhere (same wording, other facts).
Articles arrive in publication order at --per-day articles a day, so the store grows through time as a real
one does.

Usage: python benchmarks/stories.py [--n 100000] [--exact 5000] [--per-day 150] [--db PATH] [--json FILE]
A full 100k run takes about ten minutes on the shared 2-core machine; --n 20000 gives a quick look.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy import text as text_sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator.store import open_store  # noqa: E402
from aggregator.store.models import Article, Source  # noqa: E402
from aggregator.store.types import SHANGHAI  # noqa: E402
from aggregator.stories import cluster  # noqa: E402
from aggregator.stories.cluster import assign_story  # noqa: E402
from aggregator.stories.index import StoryIndex  # noqa: E402
from aggregator.stories.evaluate import bcubed, pairwise  # noqa: E402
from aggregator.stories.features import extract, persons_of  # noqa: E402
from aggregator.stories import match  # noqa: E402

CAMPAIGNS = [
    "夏送清凉", "金秋助学", "冬送温暖", "春送岗位", "暖新行动", "职工书屋", "工会驿站", "劳模工匠进校园",
    "安康杯", "五小创新", "技能强企", "法援进工地", "健康进驿站", "爱心托管", "职工文化节", "网约车司机之家",
    "快递小哥关爱月", "送法进企业", "女职工关爱行动", "产业工人技能提升", "一线职工疗休养", "户外劳动者服务月",
]
VENUES = ["职工服务中心", "工人文化宫", "产业园区", "物流园", "建设工地", "环卫作业站", "公交场站", "高铁站片区",
          "经济开发区", "职业技术学院", "会展中心", "港口码头", "工会驿站", "社区服务中心", "体育馆"]
GIVEN = "建国红梅海涛志强丽娟文斌晓东立平秀英振华德明国庆玉兰春雷海燕明亮思远晓峰宇航子涵雨晴佳怡浩然"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈"
ROLES = ["市总工会副主席", "市总工会党组书记", "区总工会主席", "公司工会主席", "选手", "环卫工人", "快递员", "骑手",
         "劳动模范", "车间班组长"]
HOOKS = ["好消息！", "速看！", "关注｜", "刚刚，", "工会在行动！"]
OUTLET_KINDS = ["市总工会官网", "工会（微信公众号）", "工人报", "中工网", "日报", "晚报"]


def clause_pool() -> list[str]:
    """Clauses cut from our own labelled texts: no digits, quotes, people or places: facts come only from events."""
    from aggregator.stories.features import places_of

    clauses: set[str] = set()
    for name in ("stories_labeled.jsonl", "stories_dev.jsonl"):
        for line in (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            for clause in re.split(r"[。！？；\n，]", text):
                clause = clause.strip()
                if 6 <= len(clause) <= 40 and not re.search(r"[\d“”《》\"（）()：:]", clause) and not persons_of(clause) \
                        and not places_of("", clause)[1]:
                    clauses.add(clause)
    return sorted(clauses)


@dataclass
class Event:
    """A generated event: what every article about it shares."""

    id: int
    day: date
    city: str
    campaign: str
    venue: str
    people: list[tuple[str, str]]  # (role, name)
    figures: list[str]
    background: list[str]  # the original's own clauses


@dataclass(order=True)
class Pending:
    """An article waiting for its publication time."""

    when: datetime
    seq: int
    title: str = field(compare=False)
    text: str = field(compare=False)
    outlet: int = field(compare=False)
    event: int = field(compare=False)


class Generator:
    """A stream of articles in publication order, with the planted event of each."""

    def __init__(self, seed: int, per_day: float, outlets: int) -> None:
        self.rng = random.Random(seed)
        self.pool = clause_pool()
        from aggregator.regions import default_gazetteer

        cities = sorted({name for name, places in default_gazetteer().names.items()
                         if name.endswith("市") and len(name) >= 3 and all(p.city for p in places)})
        self.cities = cities
        self.per_day = per_day
        self.outlets = outlets
        self.start = datetime(2024, 1, 1, 8, tzinfo=SHANGHAI)
        self.events: deque[Event] = deque(maxlen=60)  # recent events only: memory stays flat over the run
        self.event_ids = itertools.count()
        self.seq = itertools.count()

    def _name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.sample(GIVEN, r.choice((1, 2))))

    def _figures(self) -> list[str]:
        r = self.rng
        return [f"{r.randint(12, 9800)}万元", f"{r.randint(21, 9900)}名职工", f"{r.randint(11, 480)}个站点",
                f"{r.randint(100, 999) / 10}分", f"{r.randint(101, 99999)}人次"][: r.randint(3, 5)]

    def _event(self, when: datetime, like: Event | None = None) -> Event:
        r = self.rng
        background = list(like.background) if like else r.sample(self.pool, r.randint(9, 14))
        event = Event(next(self.event_ids), when.date(), r.choice(self.cities), like.campaign if like else r.choice(CAMPAIGNS),
                      like.venue if like else r.choice(VENUES),
                      [(r.choice(ROLES), self._name()) for _ in range(r.randint(1, 3))], self._figures(), background)
        self.events.append(event)
        return event

    def _md(self, event: Event) -> str:
        return f"{event.day.month}月{event.day.day}日"

    def original(self, e: Event) -> tuple[str, str]:
        r = self.rng
        role, name = e.people[0]
        place = e.city[:-1] + e.venue
        lede = r.choice([
            f"{self._md(e)}，{e.city}总工会“{e.campaign}”活动在{place}举行，{role}{name}出席并讲话。",
            f"{self._md(e)}上午，{role}{name}来到{place}，启动{e.city}总工会“{e.campaign}”活动。",
            f"为{r.choice(self.pool)}，{self._md(e)}，{e.city}总工会在{place}开展“{e.campaign}”活动。",
            f"{self._md(e)}，记者从{e.city}总工会获悉，“{e.campaign}”活动在{place}正式启动。",
        ])
        money, people, sites = e.figures[0], e.figures[1], e.figures[2]
        facts = r.choice([
            f"据介绍，今年活动共投入资金{money}，覆盖{people}，设立{sites}。",
            f"此次活动安排{money}，在全市设立{sites}，预计惠及{people}。",
            f"记者了解到，{e.city[:-1]}今年为此投入{money}，{sites}将覆盖{people}。",
            f"活动覆盖{people}，{sites}同步开放，所需{money}由工会经费承担。",
        ])
        bg = e.background
        paragraphs = [lede, "，".join(bg[:4]) + "。", facts, "，".join(bg[4:8]) + "。"]
        for role, person in e.people[1:]:
            paragraphs.append(f"“{r.choice(bg)}。”{role}{person}" + r.choice(["说", "表示", "告诉记者"]) + "。")
        if len(e.figures) > 3:
            paragraphs.append(r.choice(["活动现场", "据统计", "当天"]) + f"，综合评分达到{e.figures[3]}"
                              + (f"，累计服务{e.figures[4]}" if len(e.figures) > 4 else "") + "。")
        paragraphs.append("，".join(bg[8:]) + "。")
        title = r.choice([f"{e.city}总工会开展“{e.campaign}”活动", f"{e.city[:-1]}“{e.campaign}”惠及{people}",
                          f"{money}！{e.city[:-1]}工会“{e.campaign}”启动", f"{e.city}{e.venue}迎来“{e.campaign}”"])
        return title, "\n".join(p for p in paragraphs if len(p) > 1)

    def repost(self, e: Event, text: str, title: str) -> tuple[str, str]:
        r = self.rng
        paragraphs = text.split("\n")
        if r.random() < 0.5:
            paragraphs[0] = paragraphs[0].replace(self._md(e), "今天", 1)
        if r.random() < 0.4:
            paragraphs.insert(0, r.choice(HOOKS) + r.choice(self.pool) + "！")
        if r.random() < 0.5:
            paragraphs[0] = f"本报讯（记者 {self._name()}）" + paragraphs[0]
        if len(paragraphs) > 5 and r.random() < 0.5:
            del paragraphs[r.randrange(2, len(paragraphs))]
        if r.random() < 0.6:
            paragraphs += [f"来源：{e.city}总工会", f"编辑：{self._name()}"]
        out = "\n".join(paragraphs)
        if r.random() < 0.3:  # a few changed characters (typos, simplified wording)
            chars = list(out)
            for _ in range(r.randint(1, max(1, len(chars) // 100))):
                i = r.randrange(len(chars))
                if "\u4e00" <= chars[i] <= "\u9fff":
                    chars[i] = r.choice(self.pool[r.randrange(len(self.pool))])
            out = "".join(chars)
        return r.choice([title, title[: max(6, len(title) - 4)], f"{e.city}“{e.campaign}”活动举行"]), out

    def rewrite(self, e: Event) -> tuple[str, str]:
        r = self.rng
        role, name = e.people[0]
        own = r.sample(self.pool, 6)
        paragraphs = [
            f"{r.choice(e.background)}。{e.day.day}日，在{e.city[:-1]}{e.venue}，{role}{name}为{e.city}总工会“{e.campaign}”活动揭开序幕。",
            f"记者了解到，活动资金达{e.figures[0]}，共设{e.figures[2]}，惠及{e.figures[1]}。" + "，".join(own[:3]) + "。",
            "，".join(e.background[4:6] + own[3:]) + "。",
        ]
        if len(e.people) > 1:
            paragraphs.append(f"{e.people[1][0]}{e.people[1][1]}告诉记者，{r.choice(e.background)}。")
        return f"{e.figures[1]}受益 {e.city[:-1]}“{e.campaign}”来到{e.venue}", "\n".join(paragraphs)

    def stream(self, n: int):
        """Yield (published, title, text, outlet, event id) for n articles in publication order."""
        r = self.rng
        pending: list[Pending] = []
        clock = self.start
        emitted = 0
        step = timedelta(days=1) / self.per_day
        while emitted < n:
            clock += step * r.expovariate(1.0) * 1.6  # new events arrive a little slower than articles
            while pending and pending[0].when <= clock and emitted < n:
                item = heapq.heappop(pending)
                emitted += 1
                yield item.when, item.title, item.text, item.outlet, item.event
            recent = [ev for ev in self.events if (clock.date() - ev.day).days <= 4]
            like = r.choice(recent) if recent and r.random() < 0.08 else None  # a templated event elsewhere
            e = self._event(clock, like)
            title, text = self.original(e)
            heapq.heappush(pending, Pending(clock, next(self.seq), title, text, r.randrange(self.outlets), e.id))
            for _ in range(r.choices((0, 1, 2, 3), (55, 25, 13, 7))[0]):
                t2, x2 = self.repost(e, text, title)
                when = clock + timedelta(hours=r.uniform(0.5, 60))
                heapq.heappush(pending, Pending(when, next(self.seq), t2, x2, r.randrange(self.outlets), e.id))
            if r.random() < 0.12:
                t3, x3 = self.rewrite(e)
                when = clock + timedelta(hours=r.uniform(6, 60))
                heapq.heappush(pending, Pending(when, next(self.seq), t3, x3, r.randrange(self.outlets), e.id))


def rss_mb() -> float:
    """Current resident set size in MB (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """Peak resident set size of this process in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def exact_all_pairs(items: list[tuple[str, str, int]]) -> tuple[dict[int, int], dict[str, float]]:
    """Clusters from the precise check applied to every pair (connected groups), with the time it took."""
    t0 = time.perf_counter()
    feats = [extract(title, text, day) for title, text, day in items]
    t1 = time.perf_counter()
    n = len(feats)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    same = 0
    judge = match.judge
    for i in range(n):
        fi = feats[i]
        for j in range(i):
            if judge(fi, feats[j]).same:
                same += 1
                parent[find(i)] = find(j)
    t2 = time.perf_counter()
    stats = {"extract_seconds": t1 - t0, "pairs": n * (n - 1) // 2, "pairs_seconds": t2 - t1,
             "seconds_per_pair": (t2 - t1) / max(1, n * (n - 1) // 2), "same_pairs": same}
    return {i: find(i) for i in range(n)}, stats


class StageTimer:
    """Wall time spent in the index's stages, measured by wrapping them (benchmark only)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()  # sizes of what the stage returned (candidates found)

    def wrap(self, owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)
        timer = self

        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            result = None
            try:
                result = original(*args, **kwargs)
                return result
            finally:
                timer.seconds[label] += time.perf_counter() - start
                timer.calls[label] += 1
                if isinstance(result, set | dict):
                    timer.items[label] += len(result)

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="articles to insert (default 100000)")
    parser.add_argument("--exact", type=int, default=5_000, help="first articles compared with exact all-pairs")
    parser.add_argument("--per-day", type=float, default=150.0, help="articles published per day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="SQLite file to create (default: a temporary file, removed afterwards)")
    parser.add_argument("--json", help="write the figures here (default: benchmarks/results/stories.json)")
    args = parser.parse_args()
    args.exact = min(args.exact, args.n)

    folder = tempfile.TemporaryDirectory(prefix="union-news-bench-")
    db_path = Path(args.db) if args.db else Path(folder.name) / "stories.db"
    if db_path.exists():
        sys.exit(f"{db_path} exists: give a new file (the benchmark needs an empty store)")
    store = open_store(str(db_path))
    outlets = 60
    with store.session() as session:
        for k in range(outlets):
            session.add(Source(id=f"b{k}", name=f"{k}号{OUTLET_KINDS[k % len(OUTLET_KINDS)]}", kind="site",
                               family="generic", config={}))
    stages = StageTimer()
    stages.wrap(cluster, "features_of", "features")
    stages.wrap(StoryIndex, "candidates", "candidate lookup")
    stages.wrap(StoryIndex, "load", "candidate load")
    stages.wrap(cluster, "judge", "precise check")
    stages.wrap(StoryIndex, "add", "index rows")
    stages.wrap(cluster, "refresh_story", "story refresh")

    gen = Generator(args.seed, args.per_day, outlets)
    checkpoints = sorted({c for c in (1_000, 5_000, 10_000, 20_000, 30_000, 50_000, 70_000, 100_000, args.n)
                          if c <= args.n})
    wall = np.zeros(args.n)  # insert + match + commit, per article
    cpu = np.zeros(args.n)
    matching = np.zeros(args.n)  # assign_story alone
    first: list[tuple[str, str, int]] = []
    gold_first: dict[int, int] = {}
    index_first: dict[int, int] = {}
    ids_first: list[int] = []
    stage_first: dict[str, float] = {}
    progress: list[dict[str, float]] = []
    last_stages: Counter[str] = Counter()
    last_items: Counter[str] = Counter()
    gen_seconds = 0.0
    t_start = time.perf_counter()
    stream = gen.stream(args.n)
    for i in range(args.n):
        g0 = time.perf_counter()
        published, title, text, outlet, event = next(stream)
        g1, c1 = time.perf_counter(), time.process_time()
        gen_seconds += g1 - g0
        with store.session() as session:  # one transaction per article, as store_record does
            article = Article(url=f"bench:{i}", source_id=f"b{outlet}", title=title, body_text=text,
                              published_at=published, fetched_at=published, status="ok", extra={})
            session.add(article)
            session.flush()
            m0 = time.perf_counter()
            assign_story(session, article)
            matching[i] = time.perf_counter() - m0
            article_id = article.id
        wall[i], cpu[i] = time.perf_counter() - g1, time.process_time() - c1
        if i < args.exact:
            first.append((title, text, published.astimezone(SHANGHAI).date().toordinal()))
            gold_first[i] = event
            ids_first.append(article_id)
        if i + 1 == args.exact:
            with store.sessions() as session:
                rows = dict(session.execute(select(Article.id, Article.story_id).where(Article.id.in_(ids_first))).all())
            index_first = {k: rows[a] for k, a in enumerate(ids_first)}
            stage_first = dict(stages.seconds)
        if i + 1 in checkpoints:
            lo = max(0, i + 1 - 1000)
            point = {"articles": i + 1, "rate_per_s": (i + 1 - lo) / wall[lo : i + 1].sum(),
                     "ms_per_article": 1000 * wall[lo : i + 1].mean(), "cpu_ms_per_article": 1000 * cpu[lo : i + 1].mean(),
                     "match_ms_per_article": 1000 * matching[lo : i + 1].mean(),
                     "p95_ms": 1000 * float(np.percentile(wall[lo : i + 1], 95)), "rss_mb": rss_mb(),
                     "elapsed_s": time.perf_counter() - t_start}
            since = i + 1 - progress[-1]["articles"] if progress else i + 1
            point["stages_ms"] = {k: round(1000 * (v - last_stages[k]) / since, 3) for k, v in stages.seconds.items()}
            point["candidates_per_article"] = (stages.items["candidate lookup"] - last_items["candidate lookup"]) / since
            last_stages, last_items = Counter(stages.seconds), Counter(stages.items)
            progress.append(point)
            print(f"{i + 1:>7} articles: {point['rate_per_s']:6.1f}/s over the last 1000 ({point['ms_per_article']:.2f} ms"
                  f" wall, {point['cpu_ms_per_article']:.2f} ms CPU, matching {point['match_ms_per_article']:.2f} ms,"
                  f" p95 {point['p95_ms']:.1f} ms, {point['candidates_per_article']:.2f} candidates),"
                  f" RSS {point['rss_mb']:.0f} MB", file=sys.stderr, flush=True)
    total = float(wall.sum())
    with store.sessions() as session:
        story_count, multi = session.execute(text_sql("select count(*), sum(size > 1) from stories")).one()
        band_rows = session.execute(text_sql("select count(*) from story_bands")).scalar()
    store.close()
    db_mb = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 2**20

    print(f"exact all-pairs over the first {args.exact} articles ...", file=sys.stderr, flush=True)
    exact_labels, exact = exact_all_pairs(first)
    index_match = stage_first.get("candidate lookup", 0) + stage_first.get("candidate load", 0) \
        + stage_first.get("precise check", 0)
    agreement = {"pairwise": pairwise(index_first, exact_labels), "bcubed": bcubed(index_first, exact_labels)}
    per_pair = exact["seconds_per_pair"]
    result = {
        "n": args.n, "per_day": args.per_day, "seed": args.seed,
        "overall_rate_per_s": args.n / total, "cpu_ms_per_article": 1000 * float(cpu.mean()),
        "generation_seconds": gen_seconds, "checkpoints": progress,
        "stages_ms_per_article": {k: 1000 * v / args.n for k, v in stages.seconds.items()},
        "peak_rss_mb": peak_mb(), "db_mb": db_mb, "story_band_rows": band_rows,
        "stories": int(story_count), "multi_article_stories": int(multi or 0),
        "exact": {
            "articles": args.exact, "all_pairs": exact,
            "index_seconds": {k: round(v, 3) for k, v in stage_first.items()},
            "index_find_and_check_seconds": index_match,
            "speedup_find_and_check": exact["pairs_seconds"] / index_match if index_match else None,
            "speedup_whole_assign_story": exact["pairs_seconds"] / float(matching[: args.exact].sum()),
            "all_pairs_seconds_at_n_estimate": per_pair * args.n * (args.n - 1) / 2,
            "agreement_with_all_pairs": agreement,
            "identical_partition": agreement["pairwise"]["precision"] == 1.0 and agreement["pairwise"]["recall"] == 1.0,
            "index_vs_planted": {"pairwise": pairwise(index_first, gold_first), "bcubed": bcubed(index_first, gold_first)},
            "all_pairs_vs_planted": {"pairwise": pairwise(exact_labels, gold_first)},
        },
    }
    print_summary(result)
    out = Path(args.json) if args.json else ROOT / "benchmarks" / "results" / "stories.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"figures saved to {out}")
    folder.cleanup()


def print_summary(result: dict) -> None:  # type: ignore[type-arg]
    """The figures as two small tables on stdout (the JSON file has everything)."""
    print(f"\n{result['n']} articles, {result['overall_rate_per_s']:.1f}/s overall, {result['cpu_ms_per_article']:.2f} ms CPU "
          f"per article, peak RSS {result['peak_rss_mb']:.0f} MB, store {result['db_mb']:.0f} MB, "
          f"{result['stories']} stories ({result['multi_article_stories']} with more than one article)")
    print(f"{'articles':>9} {'per s':>7} {'wall ms':>8} {'CPU ms':>7} {'match ms':>9} {'p95 ms':>7} {'cands':>6} {'RSS MB':>7}")
    for c in result["checkpoints"]:
        print(f"{c['articles']:>9} {c['rate_per_s']:>7.1f} {c['ms_per_article']:>8.2f} {c['cpu_ms_per_article']:>7.2f} "
              f"{c['match_ms_per_article']:>9.2f} {c['p95_ms']:>7.1f} {c['candidates_per_article']:>6.2f} {c['rss_mb']:>7.0f}")
    e = result["exact"]
    a = e["agreement_with_all_pairs"]["pairwise"]
    print(f"first {e['articles']}: all-pairs {e['all_pairs']['pairs']} pairs in {e['all_pairs']['pairs_seconds']:.1f} s; "
          f"index lookup+load+check {e['index_find_and_check_seconds']:.1f} s ({e['speedup_find_and_check']:.1f}x), "
          f"whole assign_story {e['all_pairs']['pairs_seconds'] / e['speedup_whole_assign_story']:.1f} s; "
          f"agreement P {a['precision']} R {a['recall']} (identical: {e['identical_partition']}); "
          f"all-pairs at n estimated {e['all_pairs_seconds_at_n_estimate'] / 60:.0f} min")


if __name__ == "__main__":
    main()
