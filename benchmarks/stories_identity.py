"""Check: the story features and MinHash keys of the working tree equal those of a baseline revision, bit for bit.

Stored story indexes stay valid only while extract() and the MinHash functions give exactly what they gave when
the articles were indexed (FEATURES_VERSION says which). A change meant to make them cheaper is checked here:
the baseline's aggregator/stories/features.py and minhash.py are read from git (`git show REV:path`) and both
versions are run on the same texts:
- the labelled and dev story sets (tests/data), the section sets (data/eval), the sample site's articles
  (data/samples/content) and every HTML page under data/samples/sites and tests/fixtures (through the extractor);
- articles generated as benchmarks/stories.py and benchmarks/crawl.py generate them;
- edge cases (empty, ASCII only, short, very long) and random texts: token soups of the things the features look
  for (figures, dates, roles, surnames, place names, quotes, credit lines) and cut-and-spliced real texts.
Every Features field, facts(), the signature, the band keys and the anchor keys are compared, and so are the
public helpers (clean_body, numbers_of, persons_of, places_of, event_of, shingle_hashes with several sizes);
an input the baseline fails on must fail the same way. Then both versions are timed, taking turns, on the
crawl.py articles and on the labelled and sample articles: CPU ms per article of extract() and the index entry's
keys (signature, band keys, anchor keys: what aggregator.stories.index.make_entry computes).

Usage: python benchmarks/stories_identity.py [--baseline REV] [--generated 5000] [--crawl 500] [--random 20000]
       [--seed 7] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aggregator.stories import features as new_features  # noqa: E402
from aggregator.stories import minhash as new_minhash  # noqa: E402

Text = tuple[str, str, int]  # title, text, publication day (ordinal, 0 when unknown)


def baseline_module(rev: str, path: str, name: str, folder: Path) -> ModuleType:
    """The module at `path` as it was at `rev`, imported under `name`."""
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], check=True, capture_output=True).stdout
    file = folder / f"{name}.py"
    file.write_bytes(source)
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ordinal(text: str) -> int:
    return date.fromisoformat(text[:10]).toordinal() if text else 0


def labelled_texts() -> Iterator[Text]:
    for path in sorted((ROOT / "tests" / "data").glob("*.jsonl")) + sorted((ROOT / "data" / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            yield row.get("title", ""), row.get("text", ""), ordinal(row.get("published", ""))


def sample_articles() -> Iterator[Text]:
    for path in sorted((ROOT / "data" / "samples" / "content").glob("*.toml")):
        for article in tomllib.loads(path.read_text(encoding="utf-8")).get("article", []):
            lines = ([article["byline"]] if article.get("byline") else []) + list(article.get("paragraphs", []))
            yield article.get("title", ""), "\n".join(lines), ordinal(article.get("published", ""))


def html_pages() -> Iterator[Text]:
    from aggregator.extract import extract_article
    from aggregator.records import Page

    for folder in (ROOT / "data" / "samples" / "sites", ROOT / "tests" / "fixtures"):
        for path in sorted(folder.rglob("*.htm*")):
            url = "https://" + str(path.relative_to(folder)).split("/", 1)[-1] if folder.name == "sites" else \
                "https://fixture.test/" + path.name
            try:
                record = extract_article(Page(url=url, body=path.read_bytes()))
            except Exception:  # noqa: BLE001 - a page the extractor rejects has no text to compare
                continue
            yield record.title or "", record.body_text or "", 0


def generated_articles(n: int, seed: int) -> Iterator[Text]:
    from aggregator.store.types import SHANGHAI
    from benchmarks.stories import Generator

    stream = Generator(seed, 150.0, 60).stream(n)
    for published, title, text, _outlet, _event in stream:
        yield title, text, published.astimezone(SHANGHAI).date().toordinal()


def crawl_articles(n: int) -> Iterator[Text]:
    from aggregator.extract import extract_article
    from aggregator.records import Page
    from benchmarks.crawl import HOST, article_day, article_path, render_article

    for k in range(n):
        record = extract_article(Page(url=f"https://{HOST}{article_path(k)}", body=render_article(k)))
        yield record.title or "", record.body_text or "", datetime.strptime(article_day(k), "%Y%m%d").date().toordinal()


def edge_texts(real: list[Text]) -> Iterator[Text]:
    day = date(2025, 7, 17).toordinal()
    for text in ("", " ", "\n\n", "\r\n", "a", "ab", "abc", "abcd", "工", "工会", "工会驿", "工会驿站", "１２３",
                 "hello world, plain ASCII only: 2025-07-16, 1260 people.", "x" * 10_000, "工" * 5000,
                 "7月16日", "16日", "今天", "昨日", "2025年7月16日", "截至7月16日", "7月16日电", "12时30分",
                 "王师傅说", "选手孙海涛", "欧阳明说", "“夏送清凉”", "《地铁六号线》", "南京市", "南京", "北京市朝阳区",
                 "来源：南京市总工会", "编辑：许婷　审核：王敏", "本报讯（记者 王静 通讯员 张帆）", "😀" * 10 + "工会",
                 "\u3400\u3401\u3402\u3403\u3404", "ｅｄｉｔ：全角", "\u2028分隔\u2029段落", "tab\tand\x0bvertical",
                 "ｶﾞｷﾞ半角", "Ａ\u0301，é\u0301", "\u1100\u1161\u11a8한글", "①②③ ㈱ ㎡ ℃ ﬁ", "lone \ud800 surrogate",
                 "paired \ud83d\ude00 surrogates", "ｶﾞ" * 40, "，".join(["工会驿站"] * 30) + "Ａ\u0301", "𝐀𝐁，" * 30):
        for pub in (0, day, *(date(*ymd).toordinal() for ymd in ((2024, 1, 1), (2024, 2, 29), (2025, 12, 31)))):
            yield "", text, pub
            yield text, text, pub
    for offset in (*range(154, 162), *range(1994, 2002)):  # names across the scanned parts' boundaries
        for name in ("南京市", "北京", "呼和浩特市", "浦东新区"):
            yield name, "工" * offset + name + "南京" + name, day
    joined = "\n".join(t for _title, t, _day in real[:60])
    for size in (159, 160, 161, 1999, 2000, 2001, 4096, 4099, 20_000, len(joined)):
        yield real[0][0], joined[:size], real[0][2]
    yield real[1][0] * 30, joined * 3, real[1][2]  # very long: several signature chunks, a long headline


_TOKENS = (
    list("0123456789０１２３.．年月日号时点分:：万亿余多个家名人次元—－-~至到从自于前起截止电讯以来") + ["20", "2025", "2024年",
    "12时", "8点", "7月", "16日", "今天", "今日", "昨天", "昨日", "截至", "截止", "以来"]
    + list("王李张刘陈孙欧阳司马海涛建国立平老小") + ["主席", "书记", "选手", "环卫工", "环卫工人", "劳模", "劳动模范",
    "师傅", "阿姨", "大姐", "女士", "先生", "说", "表示", "介绍", "等人", "同志", "骑手", "快递员"]
    + ["南京", "南京市", "江苏", "北京", "北京市", "朝阳区", "上海", "浦东新区", "安徽", "六安", "兵团", "长宁", "吉林",
       "海南", "内蒙古", "呼和浩特市", "广州", "荔湾区", "新疆", "石河子"]
    + list("“”\"《》「」『』‘’（）()【】[]：:，,。！？ \u3000\n\r\t") + ["来源：", "编辑：", "审核：", "本报讯（记者 王静）",
    "记者 ", "责任编辑：", "原标题："]
    + list("工会职工活动启动开展服务技能竞赛abcXYZ😀\u3400") + ["\u0301", "\u3099", "ｶ", "ﾞ", "\u1100", "\u1161", "①", "㈱", "\ud800"]
)


def phrase(rng: random.Random, places: list[str]) -> str:
    """One of the constructs the features read, with its near misses: a role, name and speech verb, a date with
    the words that veto it, a figure with its unit or multiplier, a clock time, a quoted name, a place."""
    f = new_features
    surname = rng.choice([*f._COMPOUND_SURNAMES, *rng.sample(f._SURNAMES, 3), "阳", "葛"])
    name = surname + "".join(rng.choices("海涛建国明亮一二为说", k=rng.randint(0, 3)))
    kind = rng.randrange(7)
    if kind == 0:
        return rng.choice(["", *f._ROLE.split("|")]) + name + rng.choice(["", *f._NAME_TAIL.split("|")])
    if kind == 1:
        return rng.choice(f._ROLE.split("|")) + rng.choice("老小大") + surname + rng.choice(["", "师傅", "阿姨", "女士", "说"])
    if kind == 2:
        date_ = rng.choice(["", "2025年", "2024年", "20250年"]) + f"{rng.randint(0, 13)}月{rng.randint(0, 33)}日"
        return rng.choice(["", *f._NOT_EVENT_BEFORE]) + rng.choice([date_, f"{rng.randint(0, 40)}日", "今天", "昨日"]) \
            + rng.choice(["", *f._NOT_EVENT_AFTER, "上午"])
    if kind == 3:
        digits = str(rng.choice([rng.randint(0, 9), rng.randint(10, 99999), rng.randint(2000, 2030)]))
        if rng.random() < 0.3:
            digits += "." + str(rng.randint(0, 99))
        return digits + rng.choice(["", "余", "多"]) + rng.choice(["", "万", "亿"]) \
            + rng.choice(["", "元", "名", "年", "月", "日", "时", "点", "号", "—", "-", "至", "%"])
    if kind == 4:
        return f"{rng.randint(0, 30)}{rng.choice('时点:')}{rng.randint(0, 70)}{rng.choice(['', '分'])}"
    if kind == 5:
        a, b = rng.choice(["“”", "《》", "「」", "『』", "‘’", '""', "“》"])
        return a + "".join(rng.choices("夏送清凉工会驿站\n ", k=rng.randint(0, 30))) + b
    return rng.choice(places)


def random_texts(n: int, real: list[Text], rng: random.Random) -> Iterator[Text]:
    from aggregator.regions import default_gazetteer

    places = sorted(default_gazetteer().names)
    for k in range(n):
        day = rng.choice((0, rng.randint(date(2023, 1, 1).toordinal(), date(2026, 12, 31).toordinal())))
        if k % 3 == 1:  # a soup of tokens the features look for
            soup = "".join(rng.choices(_TOKENS, k=rng.randint(0, 400)))
            yield "".join(rng.choices(_TOKENS, k=rng.randint(0, 30))), soup, day
        elif k % 3 == 2:  # the constructs the features read, side by side or apart
            parts = [phrase(rng, places) + rng.choice(["", "", "，", "。", "\n", "的", "在"])
                     for _ in range(rng.randint(0, 120))]
            yield phrase(rng, places) + phrase(rng, places), "".join(parts), day
        else:  # real texts cut at random places and spliced, with tokens dropped in
            pieces = []
            for _ in range(rng.randint(1, 4)):
                _title, text, _day = rng.choice(real)
                a = rng.randint(0, len(text))
                pieces.append(text[a : a + rng.randint(0, 3000)])
                pieces.append("".join(rng.choices(_TOKENS, k=rng.randint(0, 8))))
            title = rng.choice(real)[0]
            yield title[rng.randint(0, len(title)) :], "".join(pieces), day


def outcome(fn: Callable[..., Any], *args: Any) -> Any:
    """What fn returns, or the type and message of what it raises (a failure must stay the same failure)."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001
        return ("raised", type(exc).__name__, str(exc))


def same(a: Any, b: Any) -> bool:
    """Equal, and of equal type; arrays equal in dtype, shape and bytes."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype and a.shape == b.shape
                and a.tobytes() == b.tobytes())
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, set | frozenset):
        return a == b and all(type(x) is type(next(y for y in b if y == x)) for x in a)
    return bool(a == b)


class Checker:
    """Runs the baseline and the working tree on the same inputs and records every difference."""

    def __init__(self, old_features: ModuleType, old_minhash: ModuleType) -> None:
        self.old_f, self.old_m = old_features, old_minhash
        self.texts = 0
        self.checks = 0
        self.failures: list[str] = []

    def compare(self, what: str, old: Any, new: Any) -> None:
        self.checks += 1
        if not same(old, new):
            self.failures.append(f"{what}: baseline {old!r:.300} != new {new!r:.300}")

    def entry(self, m: ModuleType, features: Any) -> Any:
        """What index.make_entry computes from the features with minhash module `m`."""
        sig = m.signature(features.shingles)
        lsh = tuple(m.band_keys(sig)) if features.shingles.size else ()
        anchors = tuple(sorted({m.text_key("anchor", a) for a in features.anchors}))
        return sig, lsh, anchors, m.to_bytes(sig)

    def check(self, title: str, text: str, day: int, helpers: bool = True) -> None:
        self.texts += 1
        where = f"{title[:20]!r}/{text[:30]!r}/{day}"
        old = outcome(self.old_f.extract, title, text, day)
        new = outcome(new_features.extract, title, text, day)
        if isinstance(old, tuple) or isinstance(new, tuple):
            self.compare(f"extract {where}", old, new)
        else:
            for name in ("shingles", "numbers", "persons", "quotes", "event_day", "event_relative", "years", "day",
                         "city", "places", "title", "length", "anchors", "core"):
                self.compare(f"extract.{name} {where}", getattr(old, name), getattr(new, name))
            self.compare(f"facts {where}", json.dumps(old.facts(), ensure_ascii=False),
                         json.dumps(new.facts(), ensure_ascii=False))
            self.compare(f"entry {where}", outcome(self.entry, self.old_m, old), outcome(self.entry, new_minhash, new))
            rebuilt = (self.old_f.Features.from_facts(old.facts(), old.shingles, title).facts(),
                       new_features.Features.from_facts(new.facts(), new.shingles, title).facts())
            self.compare(f"from_facts {where}", *rebuilt)
        if not helpers:
            return
        for name, args in (("clean_body", (text,)), ("shingles_of", (title, text)), ("numbers_of", (text,)),
                           ("persons_of", (text,)), ("places_of", (title, text)), ("event_of", (text, day)),
                           ("event_day_of", (text, day)), ("shingle_hashes", (text,)),
                           ("shingle_hashes", (text, 1)), ("shingle_hashes", (text, 3)), ("shingle_hashes", (text, 6))):
            self.compare(f"{name}{args[1:]} {where}", outcome(getattr(self.old_f, name), *args),
                         outcome(getattr(new_features, name), *args))

    def check_minhash(self, rng: np.random.Generator) -> None:
        """Signatures of random sets (every chunking case) and band and anchor keys of random values."""
        sizes = [0, 1, 2, 3, 127, 128, 129, 1000, 4095, 4096, 4097, 8191, 8192, 8193, 12_345, 30_000]
        sizes += [int(s) for s in rng.integers(0, 6000, size=200)]
        for size in sizes:
            for values in (rng.integers(0, 2**64, size=size, dtype=np.uint64, endpoint=False),
                           np.sort(rng.integers(0, 50, size=size, dtype=np.uint64)),
                           np.full(size, 2**64 - 1, dtype=np.uint64)):
                old, new = self.old_m.signature(values), new_minhash.signature(values)
                self.compare(f"signature size {size}", old, new)
                self.compare(f"band_keys size {size}", self.old_m.band_keys(old), new_minhash.band_keys(new))
        values = rng.integers(0, 2**64, size=5000, dtype=np.uint64, endpoint=False)
        self.compare("signature of a strided view", self.old_m.signature(values[::3]),
                     new_minhash.signature(values[::3]))
        for _ in range(2000):
            sig = rng.integers(0, 2**32, size=new_minhash.NUM_PERM, dtype=np.uint32)
            self.compare("band_keys random", self.old_m.band_keys(sig), new_minhash.band_keys(sig))
            stored = self.old_m.from_bytes(self.old_m.to_bytes(sig))
            self.compare("band_keys stored", self.old_m.band_keys(stored), new_minhash.band_keys(new_minhash.from_bytes(
                new_minhash.to_bytes(sig))))
        wide = rng.integers(0, 2**32, size=2 * new_minhash.NUM_PERM, dtype=np.uint32)[::2]  # not contiguous
        self.compare("band_keys strided", self.old_m.band_keys(wide), new_minhash.band_keys(wide))
        for bad in (np.zeros(10, dtype=np.uint32), np.zeros(new_minhash.NUM_PERM, dtype=np.uint64)):
            self.compare(f"band_keys {bad.dtype} x{bad.size}", outcome(self.old_m.band_keys, bad),
                         outcome(new_minhash.band_keys, bad))
        words = ["", "n:1260万", "p:孙海", "q:夏送清凉", "e:739000:南京", "\x1f", "😀", "a" * 1000]
        for value in words + ["".join(chr(int(c)) for c in rng.integers(32, 0x9fff, size=8)) for _ in range(500)]:
            for kind in ("anchor", "", "x\x1fy"):
                self.compare(f"text_key {kind!r} {value!r}", self.old_m.text_key(kind, value),
                             new_minhash.text_key(kind, value))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", default="HEAD", help="git revision to compare with (default HEAD)")
    parser.add_argument("--generated", type=int, default=5000, help="articles generated as benchmarks/stories.py does")
    parser.add_argument("--crawl", type=int, default=500, help="articles rendered as benchmarks/crawl.py does")
    parser.add_argument("--random", type=int, default=20_000, help="random and spliced texts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=7, help="timing rounds, baseline vs working tree (0: no timing)")
    args = parser.parse_args()

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stories-identity-") as folder:
        old_f = baseline_module(args.baseline, "aggregator/stories/features.py", "baseline_features", Path(folder))
        old_m = baseline_module(args.baseline, "aggregator/stories/minhash.py", "baseline_minhash", Path(folder))
    checker = Checker(old_f, old_m)
    counts: dict[str, int] = {}
    real: list[Text] = []
    labels: list[str] = []
    for label, source in (("labelled and eval sets", labelled_texts()), ("sample articles", sample_articles()),
                          ("HTML pages", html_pages()),
                          ("generated (stories.py)", generated_articles(args.generated, args.seed)),
                          ("crawl pages (crawl.py)", crawl_articles(args.crawl))):
        for title, text, day in source:
            real.append((title, text, day))
            labels.append(label)
            checker.check(title, text, day)
            checker.check(title, text, 0, helpers=False)
            counts[label] = counts.get(label, 0) + 1
    rng = random.Random(args.seed)
    for label, source in (("edge cases", edge_texts(real)),
                          ("random and spliced", random_texts(args.random, real, rng))):
        for title, text, day in source:
            checker.check(title, text, day)
            counts[label] = counts.get(label, 0) + 1
    checker.check_minhash(np.random.default_rng(args.seed))
    for label, count in counts.items():
        print(f"{count:>7} {label}")
    print(f"{checker.texts} extract() calls, {checker.checks} comparisons against {args.baseline} "
          f"in {time.perf_counter() - started:.0f} s: {len(checker.failures)} differences")
    for failure in checker.failures[:20]:
        print("  " + failure)
    if args.repeat:
        crawl = [t for t, label in zip(real, labels, strict=True) if label == "crawl pages (crawl.py)"]
        written = [t for t, label in zip(real, labels, strict=True)
                   if label in ("labelled and eval sets", "sample articles")]
        for label, texts in (("crawl.py articles", crawl), ("labelled and sample articles", written)):
            old_ms, new_ms = timed(checker, texts, args.repeat)
            print(f"extract + make_entry, CPU ms per article on {len(texts)} {label} (best of {args.repeat}): "
                  f"{args.baseline} {old_ms:.3f}, working tree {new_ms:.3f} ({old_ms / new_ms:.2f}x)")
    return 1 if checker.failures else 0


def timed(checker: Checker, texts: list[Text], repeat: int) -> tuple[float, float]:
    """CPU milliseconds per article of extract() and the index entry's keys, baseline and working tree taking
    turns (the best of `repeat` rounds each: this machine's noise only ever adds time)."""
    versions = ((checker.old_f, checker.old_m), (new_features, new_minhash))
    for f, m in versions:  # warm up: gazetteer, tables, regex caches
        for title, text, day in texts[:20]:
            checker.entry(m, f.extract(title, text, day))
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for k, (f, m) in enumerate(versions):
            start = time.process_time()
            for title, text, day in texts:
                checker.entry(m, f.extract(title, text, day))
            best[k] = min(best[k], time.process_time() - start)
    return 1000 * best[0] / max(1, len(texts)), 1000 * best[1] / max(1, len(texts))


if __name__ == "__main__":
    sys.exit(main())
