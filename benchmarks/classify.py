"""Benchmark: section classification throughput on one core, against the bare tokenization measured in the same run.

Items are the labelled headline + lede examples (data/labels/, data/eval/) and the bundled sample's full articles
(data/samples/content/, of which the classifier reads only the lede), cycled to --items. CPU time
(time.process_time) is the measure, so other processes on a shared machine do not count against us; wall time is
printed too. Each case runs --repeat times and the best run counts.

    python benchmarks/classify.py               # table
    python benchmarks/classify.py --json        # one JSON object
"""

from __future__ import annotations

import argparse
import json
import time
import tomllib
from collections.abc import Callable
from itertools import cycle, islice
from pathlib import Path

from threadpoolctl import threadpool_limits

from aggregator.classify import data_paths, load_classifier
from aggregator.classify.data import read_examples, read_training
from aggregator.classify.text import char_ngrams, clean, lede
from aggregator.processing import classify_record
from aggregator.records import ArticleRecord

ROOT = Path(__file__).resolve().parent.parent

TARGET = 2000  # items per second on one core (issue 7)


def corpus(size: int) -> list[tuple[str, str]]:
    """(title, text) pairs: short labelled examples and full sample articles, cycled to `size`."""
    paths = data_paths()
    items = [(e.title, e.text) for e in read_training(paths["labels"]) + read_examples(paths["heldout"])]
    for path in sorted((ROOT / "data" / "samples" / "content").glob("*.toml")):
        for article in tomllib.loads(path.read_text(encoding="utf-8"))["article"]:
            items.append((article["title"], "\n".join(article["paragraphs"])))
    return list(islice(cycle(items), size))


def measure(work: Callable[[str, str], object], items: list[tuple[str, str]], repeat: int) -> dict[str, float]:
    """Best-of-`repeat` items per second, by CPU time and by wall time."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        for title, text in items:
            work(title, text)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return {"items_per_s_cpu": len(items) / best_cpu, "items_per_s_wall": len(items) / best_wall}


def run(size: int = 20000, repeat: int = 3) -> dict[str, object]:
    """Run every case; the figures and their ratio to the tokenization baseline."""
    items = corpus(size)
    combined = load_classifier(mode="combined")
    lexicon = load_classifier(mode="lexicon")
    model = load_classifier(mode="model")
    lede_chars = combined.lede_chars

    def tokenize(title: str, text: str) -> object:
        # The bare minimum any n-gram classifier does: the headline's and the lede's character 1-3-grams.
        return char_ngrams(clean(title), 1, 3) + char_ngrams(lede(text, lede_chars), 1, 3)

    def pipeline(title: str, text: str) -> object:
        return classify_record(ArticleRecord(url="", source_id="", title=title, body_text=text), combined)

    cases: dict[str, Callable[[str, str], object]] = {
        "baseline: tokenization (char 1-3-grams of title + lede)": tokenize,
        "lexicon alone": lambda t, x: lexicon.classify(t, x),
        "model alone": lambda t, x: model.classify(t, x),
        "combined: rules + lexicon + model, with evidence": lambda t, x: combined.classify(t, x),
        "classify_record (what the pipeline runs)": pipeline,
    }
    with threadpool_limits(1):
        for work in cases.values():  # warm-up: caches, lazy numpy paths
            for title, text in items[:200]:
                work(title, text)
        results = {name: measure(work, items, repeat) for name, work in cases.items()}
    base = results["baseline: tokenization (char 1-3-grams of title + lede)"]["items_per_s_cpu"]
    for figures in results.values():
        figures["ratio_to_baseline"] = figures["items_per_s_cpu"] / base
    final = results["combined: rules + lexicon + model, with evidence"]["items_per_s_cpu"]
    return {"items": size, "repeat": repeat, "model": combined.version, "target_items_per_s": TARGET,
            "meets_target": final >= TARGET, "cases": results}


def main() -> int:
    """Print the figures as a table (or JSON); exit 1 when the combined classifier misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000, help="items per run (default 20000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case, best counts (default 3)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    report = run(args.items, args.repeat)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"classification benchmark: {report['items']} items, best of {report['repeat']}, one core; "
              f"classifier {report['model']}")
        print(f"{'case':<55} {'items/s (CPU)':>14} {'items/s (wall)':>15} {'x baseline':>11}")
        for name, figures in report["cases"].items():  # type: ignore[union-attr]
            print(f"{name:<55} {figures['items_per_s_cpu']:>14,.0f} {figures['items_per_s_wall']:>15,.0f} "
                  f"{figures['ratio_to_baseline']:>11.3f}")
        print(f"target: {TARGET:,} items/s for the combined classifier: {'met' if report['meets_target'] else 'MISSED'}")
    return 0 if report["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
