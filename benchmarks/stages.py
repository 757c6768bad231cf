"""Per-stage cost of processing one article page: milliseconds per article for each stage of the crawl's chain.

The crawl benchmark (benchmarks/crawl.py) says how fast the whole crawl is; this one says where the time goes.
It runs the same chain as the pipelines, without Scrapy, on pages of the crawl benchmark's generated site:
extract (family selectors, or the generic extractor), normalize, deduplicate, classify, store with story matching.
A bare baseline in the same run: decoding the page and parsing it with lxml, the least any parser does.
--narrow-text uses the site's old 60-word text (crawl.py --narrow-text): a worst case for story matching.

Usage: python benchmarks/stages.py [--articles 400] [--family trs|generic] [--group 50] [--narrow-text]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=400, help="article pages to process")
    parser.add_argument("--family", default="trs", choices=("trs", "generic"), help="family of the source")
    parser.add_argument("--group", type=int, default=50, help="articles per committed group (UNION_NEWS_COMMIT_ITEMS)")
    parser.add_argument("--narrow-text", action="store_true",
                        help="article text from 60 words only (crawl.py --narrow-text): a worst case for "
                             "story matching")
    args = parser.parse_args()

    from benchmarks.crawl import HOST, NOW, article_path, registry_text, render_article
    from aggregator.classify import default_classifier
    from aggregator.clock import crawl_now
    from aggregator.extract import extract_article
    from aggregator.extract.html import decode_page, parse_html
    from aggregator.normalize import normalize_record
    from aggregator.processing import classify_record, store_batch
    from aggregator.records import Page
    from aggregator.sources import load_registry
    from aggregator.store import open_store
    from aggregator.store.writer import may_be_stored, sync_sources

    now = crawl_now(NOW)
    with tempfile.TemporaryDirectory(prefix="union-news-stages-") as tmp:
        registry_path = Path(tmp) / "sources.toml"
        registry_path.write_text(registry_text(args.family, args.articles), encoding="utf-8")
        registry = load_registry(registry_path)
        source = registry.sources["bench"]
        store = open_store(str(Path(tmp) / "stages.db"))
        with store.session() as session:
            sync_sources(session, registry)
        classifier = default_classifier()
        pages = [Page(url=f"https://{HOST}{article_path(n)}", body=render_article(n, narrow=args.narrow_text),
                      headers={"Content-Type": "text/html; charset=utf-8"}, status=200, fetched_at=now)
                 for n in range(args.articles)]
        totals: dict[str, float] = {}

        def timed(name: str, fn, *a):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            result = fn(*a)
            totals[name] = totals.get(name, 0.0) + time.perf_counter() - started
            return result

        def dedup(record):  # type: ignore[no-untyped-def]
            with store.engine.connect() as connection:  # as DeduplicatePipeline: one probe, the ORM only on a hit
                return may_be_stored(connection, record)

        group: list = []
        for page in pages:
            timed("baseline: decode + lxml parse", lambda p: parse_html(decode_page(p), p.url), page)
            record = timed("extract", extract_article, page, source)
            timed("normalize", normalize_record, record, source, now)
            timed("deduplicate", dedup, record)
            timed("classify", classify_record, record, classifier)
            group.append((record, page))
            if len(group) == args.group:  # as StorePipeline: one committed transaction per group
                timed("store + story", store_batch, store, group, now)
                group = []
        if group:
            timed("store + story", store_batch, store, group, now)
        store.close()
    n = len(pages)
    base = totals["baseline: decode + lxml parse"]
    print(f"{n} pages, family {args.family}, {'narrow' if args.narrow_text else 'realistic'} text")
    print(f"{'stage':<32} {'ms/article':>10} {'vs baseline':>12}")
    for name, seconds in totals.items():
        print(f"{name:<32} {seconds / n * 1000:>10.2f} {seconds / base:>12.2f}")
    chain = sum(v for k, v in totals.items() if not k.startswith("baseline"))
    print(f"{'chain (all but baseline)':<32} {chain / n * 1000:>10.2f} {chain / base:>12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
